using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>The appliance process's failure contract, seen from outside: bad arguments → one <c>error: …</c> line, exit 2.</summary>
public sealed class CommandLineContractTests
{
    [Theory]
    [InlineData("serve", "--tap", "nkbad0", "--address", "300.1.1.1/24")]
    [InlineData("serve", "--tap", "nkbad0", "--address", "10.77.1.1/24", "--service", "gopher:70")]
    [InlineData("serve", "--tap", "nkbad0", "--address", "10.77.1.1/24", "--cpus", "0")]
    [InlineData("serve", "--tap", "nkbad0", "--address", "10.77.1.1/24", "--no-such-option")]
    [InlineData("serve", "--tap", "an-interface-name-too-long", "--address", "10.77.1.1/24")]
    public void BadArgumentsExitWithTwoAndOneErrorLine(params string[] arguments)
    {
        var result = CommandRunner.Run([RunningAppliance.DotnetHost(), RunningAppliance.ApplianceDll(), .. arguments], TimeSpan.FromSeconds(60));
        Assert.False(result.TimedOut, result.ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        var lines = result.StandardError.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), result.ToString());
        // It never got as far as creating the interface.
        Assert.False(Directory.Exists("/sys/class/net/nkbad0"));
    }

    [LinuxFact]
    public async Task AStartThatFailsReportsTheApplianceErrorAndLeavesNoProcess()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => RunningAppliance.StartAsync("--service", "gopher:70"));
        Assert.Contains("error: ", failure.Message);
        Assert.Contains("exited 2", failure.Message);
    }
}
