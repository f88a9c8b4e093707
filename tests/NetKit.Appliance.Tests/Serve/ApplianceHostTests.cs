using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Tcp;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The host: default services, counters report, start failures, stop order.</summary>
public sealed class ApplianceHostTests
{
    [Fact]
    public async Task TheDefaultServicesAllAnswerOnTheirStandardPorts()
    {
        using var appliance = new ApplianceOnMemoryLink();
        Assert.Equal(4, appliance.Host.Services.Count);
        Assert.Contains("serving http:80 on 10.0.0.2:80", appliance.Log.ToString());

        using (var echo = await appliance.ConnectAsync(7))
        {
            await echo.SendAllAsync("ping"u8.ToArray());
            Assert.Equal("ping"u8.ToArray(), await echo.ReceiveExactlyAsync(4));
        }
        using (var discard = await appliance.ConnectAsync(9))
        {
            await discard.SendAllAsync(new byte[100]);
        }
        using (var http = await HttpTestClient.ConnectAsync(appliance, 80))
        {
            Assert.Equal(200, (await http.RequestAsync("/")).Status);
        }
        using (var udp = NetKit.Runtime.Sockets.NetKitSocket.Create(appliance.Client, NetKit.Runtime.Sockets.SocketType.Datagram))
        {
            udp.Connect(NetKit.Runtime.Sockets.SockAddr.IPv4(ApplianceOnMemoryLink.ServerAddress.Value, 7));
            udp.Send("pong"u8);
            var result = await udp.ReceiveFromAsync(new byte[16]).AsTask().WaitAsync(ApplianceOnMemoryLink.Limit);
            Assert.Equal(4, result.Received);
        }
        Assert.True(await ApplianceOnMemoryLink.EventuallyAsync(() =>
            appliance.Host.Service(new ServiceSpec(ServiceKind.Discard, 9))!.Counters.BytesIn == 100));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)] // more protocol threads than this machine may have CPUs: unpinned, still correct
    public async Task TheServicesRunOnAnyNumberOfProtocolThreads(int cpus)
    {
        using var appliance = new ApplianceOnMemoryLink(cpus, new ServiceSpec(ServiceKind.Http, 80), new ServiceSpec(ServiceKind.TcpEcho, 7));
        Assert.Equal(cpus, appliance.Host.Threads.Count);
        for (int i = 0; i < 8; i++) // several client ports: flows spread over the threads
        {
            using var http = await HttpTestClient.ConnectAsync(appliance, 80);
            var response = await http.RequestAsync($"/bytes/{1000 * i}");
            Assert.True(DeterministicContent.Verify(0, response.Body, out _));
            using var echo = await appliance.ConnectAsync(7);
            await echo.SendAllAsync(new byte[] { (byte)i });
            Assert.Equal(i, (await echo.ReceiveExactlyAsync(1))[0]);
        }
    }

    [Fact]
    public async Task HttpBodiesSurviveALossyLink()
    {
        var impairments = new ImpairmentOptions { LossProbability = 0.02, ReorderProbability = 0.02, DuplicationProbability = 0.01, Seed = 77 };
        using var appliance = new ApplianceOnMemoryLink(2, impairments, new ServiceSpec(ServiceKind.Http, 80));
        using var http = await HttpTestClient.ConnectAsync(appliance, 80);
        for (int i = 0; i < 3; i++)
        {
            var response = await http.RequestAsync("/bytes/1500000");
            Assert.Equal(1_500_000, response.Body.Length);
            Assert.True(DeterministicContent.Verify(0, response.Body, out int bad), $"differs at {bad}");
        }
    }

    [Fact]
    public async Task TheCounterReportHasABlockPerProtocolServiceAndDevice()
    {
        using var appliance = new ApplianceOnMemoryLink(new ServiceSpec(ServiceKind.TcpEcho, 7), new ServiceSpec(ServiceKind.Http, 80));
        using (var echo = await appliance.ConnectAsync(7))
        {
            await echo.SendAllAsync(new byte[1000]);
            await echo.ReceiveExactlyAsync(1000);
        }
        appliance.Host.StopServices();
        var report = new StringWriter();
        appliance.Host.WriteCounters(report);
        var text = report.ToString();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] blocks = ["ethernet:", "arp:", "ipv4:", "icmp:", "udp:", "tcp:", "service tcp-echo:7:", "service http:80:", "device s0:"];
        int previous = -1;
        foreach (var block in blocks)
        {
            int at = Array.FindIndex(lines, l => l.TrimEnd('\r') == block);
            Assert.True(at > previous, $"block '{block}' missing or out of order in:\n{text}");
            previous = at;
        }
        Assert.Matches(@"\n  PassiveOpens +1\r?\n", text);
        Assert.Matches(@"service tcp-echo:7:\r?\n  Connections +1\r?\n  BytesIn +1000\r?\n  BytesOut +1000\r?\n", text);
        Assert.Matches(@"\n  FramesReceived +[1-9]\d*\r?\n", text);
        Assert.True(appliance.Host.Stack.State<TcpState>().Counters[TcpCounter.PassiveOpens] == 1);
    }

    [Fact]
    public void AServiceThatCannotBindFailsTheStart_AndEverythingIsReleased()
    {
        var link = new MemoryLink();
        var device = new MemoryInterface(link, "s0", new byte[] { 0x02, 0, 0, 0, 0, 0x09 });
        var options = new ServeOptions
        {
            Address = ApplianceOnMemoryLink.ServerAddress,
            Cpus = 2,
            PinThreads = false,
            Services = [new(ServiceKind.TcpEcho, 80), new(ServiceKind.Http, 80)], // one TCP port, two services
        };
        var log = new StringWriter();
        var failure = Assert.Throws<ServiceStartException>(() => ApplianceHost.Start(options, device, log));
        Assert.Contains("http:80", failure.Message);
        Assert.Contains("EADDRINUSE", failure.Message);
        Assert.DoesNotContain("\n", failure.Message, StringComparison.Ordinal);
        Assert.Equal("", log.ToString()); // nothing announced: the failure is the only line
        Assert.False(device.IsUp); // the host disposed the device it was given
    }

    [Fact]
    public void ThePcapOptionRecordsTheLink()
    {
        var path = Path.Combine(Path.GetTempPath(), $"netkit-serve-{Guid.NewGuid():N}.pcap");
        try
        {
            var link = new MemoryLink();
            var device = new MemoryInterface(link, "s0", new byte[] { 0x02, 0, 0, 0, 0, 0x0A });
            var options = new ServeOptions
            {
                Address = ApplianceOnMemoryLink.ServerAddress,
                Cpus = 1,
                PinThreads = false,
                Services = [new(ServiceKind.UdpEcho, 7)],
                PcapPath = path,
            };
            using (ApplianceHost.Start(options, device, TextWriter.Null))
            {
                // The gratuitous ARP sent as the interface comes up is captured.
            }
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 24 + 16, $"{bytes.Length} bytes"); // header + at least one record
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void DisposeIsIdempotentAndStopsTheThreads()
    {
        var appliance = new ApplianceOnMemoryLink(new ServiceSpec(ServiceKind.Http, 80));
        appliance.Host.StopServices();
        appliance.Host.StopServices();
        appliance.Dispose();
        appliance.Host.Dispose();
        Assert.False(appliance.Host.Threads.IsRunning);
    }
}
