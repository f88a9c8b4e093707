using System.Threading.Tasks;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>Linux ping (iputils) from the peer namespace to the appliance: ICMP echo, ARP, and IPv4 fragmentation both ways.</summary>
[Collection(ApplianceCollection.Name)]
public sealed class PingTests(ApplianceFixture fixture)
{
    [LinuxFact("ping")]
    public async Task SmallPingsAreAllAnswered()
    {
        var ping = await PingSummary.RunAsync(fixture.Peer, fixture.Host.ApplianceAddress, count: 20, size: 56);
        Assert.True(ping.Transmitted == 20, ping.Result.ToString());
        Assert.True(ping.Received == 20, ping.Result.ToString());
        Assert.Equal(0, ping.Duplicates);
        Assert.True(ping.Result.Succeeded, ping.Result.ToString());
    }

    [LinuxTheory("ping")]
    [InlineData(4000)]
    [InlineData(8000)]
    public async Task PingsThatFragmentAreReassembledAndAnswered(int size)
    {
        // size + 28 bytes of headers exceed the 1500-byte MTU: requests and replies travel as IPv4 fragments.
        var ping = await PingSummary.RunAsync(fixture.Peer, fixture.Host.ApplianceAddress, count: 10, size: size, interval: 0.1);
        Assert.True(ping.Transmitted == 10, ping.Result.ToString());
        Assert.True(ping.Received == 10, ping.Result.ToString());
        Assert.True(ping.Result.Succeeded, ping.Result.ToString());
        // ping checks each reply's payload against its pattern and reports any byte that differs.
        Assert.DoesNotContain("wrong data", ping.Result.StandardOutput);
    }
}
