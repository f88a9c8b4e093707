using System;
using System.Threading.Tasks;
using NetKit.Drivers.Impairments;
using NetKit.Protocols.Tcp;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// Bulk TCP both ways under the deterministic impairment layer on both hosts' transmit sides: whatever is lost,
/// duplicated, reordered, delayed or corrupted, both byte streams arrive whole (SHA-256 equal) and the
/// connection finishes. The 64 MiB matrix is <see cref="TcpImpairmentMatrix"/>; these are quick single cells.
/// </summary>
public sealed class TcpImpairedTransferTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    public static TheoryData<string, double, double, double, double, int> Cells => new()
    {
        { "clean", 0, 0, 0, 0, 0 },
        { "loss 1%", 0.01, 0, 0, 0, 0 },
        { "loss 5%", 0.05, 0, 0, 0, 0 },
        { "loss 10%", 0.10, 0, 0, 0, 0 },
        { "reorder 25%", 0, 0.25, 0, 0, 0 },
        { "duplicate 1%", 0, 0, 0.01, 0, 0 },
        { "corrupt 0.1%", 0, 0, 0, 0.001, 0 },
        { "loss 5% + reorder 25% + delay 10 ms", 0.05, 0.25, 0.01, 0.001, 10 },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task BothStreamsArriveWhole(string name, double loss, double reorder, double duplicate, double corrupt, int delayMs)
    {
        _ = name;
        ImpairmentOptions Impair(ulong seed) => TcpImpairmentMatrix.Impairments(loss, reorder, duplicate, corrupt, delayMs, seed);
        using var hosts = new TwoHosts(impairA: Impair(11), impairB: Impair(29));
        using var pair = await TcpPair.ConnectAsync(hosts, 5001).WaitAsync(Limit);
        var result = await TcpPair.Within(pair.TransferBothWaysAsync(2 << 20), hosts, Limit);
        foreach (var c in Enum.GetValues<TcpCounter>())
            output.WriteLine($"{c}: A={hosts.A.State<TcpStateOf>().Counters[c]} B={hosts.B.State<TcpStateOf>().Counters[c]}");
        output.WriteLine(result.ToString());
        Assert.True(result.Intact, result.ToString());
        Assert.Equal(2L << 20, result.ReceivedByServer.Bytes);
        // The impairments really happened (so "intact" means recovered, not untouched).
        var impaired = hosts.DeviceA.ImpairmentCounters + hosts.DeviceB.ImpairmentCounters;
        if (loss > 0) Assert.True(impaired.Lost > 0);
        if (reorder > 0) Assert.True(impaired.Reordered > 0);
        if (duplicate > 0) Assert.True(impaired.Duplicated > 0);
        if (corrupt > 0) Assert.True(impaired.Corrupted > 0);
        if (loss > 0) Assert.True(hosts.A.State<TcpStateOf>().Counters[TcpCounter.Retransmits] + hosts.B.State<TcpStateOf>().Counters[TcpCounter.Retransmits] > 0);
    }
}
