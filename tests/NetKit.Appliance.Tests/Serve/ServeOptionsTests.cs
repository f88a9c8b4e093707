using System;
using System.IO;
using System.Linq;
using NetKit.Appliance.Serve;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The <c>serve</c> command line: defaults, every error (exit 2, one line), help.</summary>
public sealed class ServeOptionsTests
{
    private static ServeOptions Parse(params string[] args)
    {
        Assert.True(ServeOptions.TryParse(args, out var options, out var error), error);
        Assert.Null(error);
        return options!;
    }

    private static string Error(params string[] args)
    {
        Assert.False(ServeOptions.TryParse(args, out var options, out var error));
        Assert.Null(options);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
        return error!;
    }

    [Fact]
    public void TheMinimalCommandLineGetsTheDefaults()
    {
        var options = Parse("--tap", "tap0", "--address", "192.168.7.2/24");
        Assert.False(options.ShowHelp);
        Assert.Equal("tap0", options.TapName);
        Assert.Equal(IPv4Address.Parse("192.168.7.2"), options.Address);
        Assert.Equal(24, options.PrefixLength);
        Assert.True(options.Gateway.IsUnspecified);
        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, 64), options.Cpus);
        Assert.Equal(
            [new(ServiceKind.TcpEcho, 7), new(ServiceKind.UdpEcho, 7), new(ServiceKind.Discard, 9), new(ServiceKind.Http, 80)],
            options.Services.ToArray());
        Assert.Null(options.PcapPath);
        Assert.True(options.Impairments.Receive.IsPassThrough);
        Assert.True(options.Impairments.Transmit.IsPassThrough);
        var mac = MacAddress.Read(options.HardwareAddress);
        Assert.True(mac.IsUnicast);
        Assert.True(mac.IsLocallyAdministered);
        Assert.Equal(1500, options.InterfaceConfiguration.Mtu);
    }

    [Fact]
    public void TheRandomMacDiffersBetweenRuns()
    {
        var a = Parse("--tap", "t", "--address", "10.0.0.2/24").HardwareAddress;
        var b = Parse("--tap", "t", "--address", "10.0.0.2/24").HardwareAddress;
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        var options = Parse("--tap", "nk0", "--address=10.1.2.3/16", "--gateway", "10.1.0.1", "--mac", "02:11:22:33:44:55",
            "--cpus", "3", "--service", "http:8080", "--service", "udp-echo:7", "--service", "tcp-echo:7",
            "--pcap", "/tmp/x.pcap", "--impair", "loss=1%,tx-delay=5ms");
        Assert.Equal(IPv4Address.Parse("10.1.2.3"), options.Address);
        Assert.Equal(16, options.PrefixLength);
        Assert.Equal(IPv4Address.Parse("10.1.0.1"), options.Gateway);
        Assert.Equal([0x02, 0x11, 0x22, 0x33, 0x44, 0x55], options.HardwareAddress);
        Assert.Equal(3, options.Cpus);
        Assert.Equal([new(ServiceKind.Http, 8080), new(ServiceKind.UdpEcho, 7), new(ServiceKind.TcpEcho, 7)], options.Services.ToArray());
        Assert.Equal("/tmp/x.pcap", options.PcapPath);
        Assert.Equal(0.01, options.Impairments.Receive.LossProbability, 12);
        Assert.Equal(TimeSpan.Zero, options.Impairments.Receive.Delay);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Impairments.Transmit.Delay);
    }

    [Theory]
    [InlineData("--cpus", "1", 1)]
    [InlineData("--cpus", "64", 64)]
    public void CpusAcceptsOneToSixtyFour(string option, string value, int expected) =>
        Assert.Equal(expected, Parse("--tap", "t", "--address", "10.0.0.2/24", option, value).Cpus);

    [Theory]
    [InlineData("unknown option '--bogus'", "--tap", "t", "--address", "10.0.0.2/24", "--bogus", "1")]
    [InlineData("unknown option '--bogus'", "--tap", "t", "--address", "10.0.0.2/24", "--bogus")]
    [InlineData("unexpected argument 'extra'", "--tap", "t", "--address", "10.0.0.2/24", "extra")]
    [InlineData("missing value for --tap", "--tap")]
    [InlineData("missing value for --address", "--tap", "t", "--address")]
    [InlineData("missing value for --address", "--tap", "t", "--address", "--cpus", "2")]
    [InlineData("missing value for --cpus", "--tap", "t", "--address=10.0.0.2/24", "--cpus=")]
    [InlineData("--tap NAME is required", "--address", "10.0.0.2/24")]
    [InlineData("--address A.B.C.D/P is required", "--tap", "t")]
    [InlineData("--tap given more than once", "--tap", "a", "--tap", "b", "--address", "10.0.0.2/24")]
    public void StructuralErrorsAreReported(string expected, params string[] args) => Assert.Equal(expected, Error(args));

    [Theory]
    [InlineData("--tap", "waytoolonginterfacename")]
    [InlineData("--tap", "a/b")]
    [InlineData("--tap", "a b")]
    [InlineData("--address", "10.0.0.2")]
    [InlineData("--address", "10.0.0.256/24")]
    [InlineData("--address", "10.0.0.2/33")]
    [InlineData("--address", "10.0.0.2/0")]
    [InlineData("--address", "10.0.0.2/")]
    [InlineData("--address", "10.0.0.2/x")]
    [InlineData("--address", "010.0.0.2/24")]
    [InlineData("--address", "10.0.0.0/24")]
    [InlineData("--address", "10.0.0.255/24")]
    [InlineData("--address", "0.0.0.0/24")]
    [InlineData("--address", "224.0.0.1/24")]
    [InlineData("--address", "127.0.0.1/8")]
    [InlineData("--gateway", "10.0.1.1")]
    [InlineData("--gateway", "10.0.0.2")]
    [InlineData("--gateway", "10.0.0.255")]
    [InlineData("--gateway", "nonsense")]
    [InlineData("--mac", "01:00:5e:00:00:01")]
    [InlineData("--mac", "00:00:00:00:00:00")]
    [InlineData("--mac", "02:00:00:00:00")]
    [InlineData("--mac", "zz:00:00:00:00:00")]
    [InlineData("--cpus", "0")]
    [InlineData("--cpus", "65")]
    [InlineData("--cpus", "-1")]
    [InlineData("--cpus", "two")]
    [InlineData("--service", "http")]
    [InlineData("--service", "ftp:21")]
    [InlineData("--service", "http:0")]
    [InlineData("--service", "http:65536")]
    [InlineData("--service", "http:99999999999")]
    [InlineData("--service", "http:-1")]
    [InlineData("--service", "http:eighty")]
    [InlineData("--service", "HTTP:80")]
    [InlineData("--impair", "loss")]
    [InlineData("--impair", "loss=200%")]
    [InlineData("--impair", "jitter=5")]
    [InlineData("--impair", "bogus=1")]
    public void BadValuesAreReported(string option, string value)
    {
        string error = Error("--tap", "t", "--address", "10.0.0.2/24", option, value);
        Assert.Contains(option, error);
    }

    [Fact]
    public void ADuplicateServiceIsAnError_ButTheSamePortOnTcpAndUdpIsNot()
    {
        Assert.Equal("duplicate service http:80",
            Error("--tap", "t", "--address", "10.0.0.2/24", "--service", "http:80", "--service", "http:80"));
        Assert.Equal(2, Parse("--tap", "t", "--address", "10.0.0.2/24", "--service", "tcp-echo:7", "--service", "udp-echo:7").Services.Count);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void HelpWinsOverEverythingElse(string help)
    {
        Assert.True(Parse(help).ShowHelp);
        Assert.True(Parse("--tap", "t", help).ShowHelp);
    }

    [Fact]
    public void TheCommandPrintsOneErrorLineAndExitsWithTwo()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, ServeCommand.Run(["--tap", "t", "--address", "10.0.0.2/24", "--cpus", "0"], output, error));
        Assert.Equal("", output.ToString());
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: --cpus", lines[0]);
    }

    [Fact]
    public void TheCommandPrintsUsageForHelpAndExitsWithZero()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, ServeCommand.Run(["--help"], output, error));
        Assert.StartsWith("usage: netkit-appliance serve --tap NAME --address A.B.C.D/P", output.ToString());
        foreach (var option in new[] { "--tap", "--address", "--gateway", "--mac", "--cpus", "--service", "--pcap", "--impair" })
            Assert.Contains(option, output.ToString());
        Assert.Equal("", error.ToString());
    }
}
