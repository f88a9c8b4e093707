using System;
using System.Linq;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>
/// Transfers through tcp-echo (data both ways) while nftables in the Linux namespaces impairs the link: random loss,
/// duplication, corruption. The data must come back intact, and the rule counters prove the impairment happened.
/// </summary>
[Collection(ApplianceCollection.Name)]
public sealed class ImpairmentTests(ApplianceFixture fixture)
{
    private const int Length = 8 << 20;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private string Appliance => fixture.Host.ApplianceAddress;

    [LinuxFact("nft")]
    public async Task FivePercentLossEachWay()
    {
        using var table = fixture.Peer.AddNftTable("ip",
        [
            NftImpairment.Loss("output", $"ip daddr {Appliance}", 5),
            NftImpairment.Loss("input", $"ip saddr {Appliance}", 5),
        ]);
        await AssertEchoIntactAsync(fixture.Peer, Appliance, seed: 21);
        var dropped = table.CounterPackets();
        Assert.True(dropped.Count == 2 && dropped.All(n => n > 0), $"drops per direction: {string.Join(", ", dropped)}\n{table.List()}");
    }

    [LinuxFact("nft")]
    public async Task DuplicatedPacketsTowardsTheAppliance()
    {
        using var table = fixture.Peer.AddNftTable("ip",
            [NftImpairment.Duplicate("output", $"ip daddr {Appliance}", 10, Appliance, fixture.Host.TapName)]);
        await AssertEchoIntactAsync(fixture.Peer, Appliance, seed: 22);
        var duplicated = table.CounterPackets();
        Assert.True(duplicated.Single() > 0, table.List());
        // Duplicated pings are each answered once per copy: the appliance saw the duplicates.
        var ping = await PingSummary.RunAsync(fixture.Peer, Appliance, count: 50, size: 56, interval: 0.02);
        Assert.True(ping.Received == 50, ping.Result.ToString());
        Assert.True(ping.Duplicates > 0, $"no duplicate replies although {table.CounterPackets().Single()} packets were duplicated: {ping.Result}");
    }

    [LinuxFact("nft", "ethtool", "nstat")]
    public async Task CorruptedPacketsEachWayAreDetectedAndResent()
    {
        // An appliance of its own, so that its checksum counters at exit belong to this test.
        ApplianceExit exit;
        long corruptedTowardsAppliance, corruptedTowardsClient, linuxChecksumErrors;
        await using (var appliance = await RunningAppliance.StartAsync())
        {
            // Linux sends TCP with a partial checksum through every netfilter hook of the sending namespace, so
            // corruption is applied one hop later, where the checksum is final: on the router for client → appliance,
            // in the client for appliance → client.
            using var client = new RoutedClient(appliance);
            string address = appliance.ApplianceAddress;
            using var towardsAppliance = client.Router.AddNftTable("ip",
                [NftImpairment.Corrupt("forward", $"ip daddr {address} tcp dport 7", 5)]);
            using var towardsClient = client.Namespace.AddNftTable("ip",
                [NftImpairment.Corrupt("prerouting", $"ip saddr {address} tcp sport 7", 5)]);
            long before = client.Namespace.KernelCounter("TcpInCsumErrors");
            await AssertEchoIntactAsync(client.Namespace, address, seed: 23);
            corruptedTowardsAppliance = towardsAppliance.CounterPackets().Single();
            corruptedTowardsClient = towardsClient.CounterPackets().Single();
            linuxChecksumErrors = client.Namespace.KernelCounter("TcpInCsumErrors") - before;
            exit = await appliance.StopAsync();
        }
        Assert.True(corruptedTowardsAppliance > 0 && corruptedTowardsClient > 0,
            $"corrupted: {corruptedTowardsAppliance} towards the appliance, {corruptedTowardsClient} towards Linux");
        // Each side really discarded what was corrupted on the way to it: its checksum check failed.
        Assert.True(linuxChecksumErrors > 0, $"{corruptedTowardsClient} segments corrupted towards Linux, {linuxChecksumErrors} checksum errors counted");
        var counters = new ApplianceCounters(exit.Counters);
        Assert.True(exit.ExitCode == 0, exit.ToString());
        Assert.True(counters["tcp", "BadChecksum"] > 0,
            $"{corruptedTowardsAppliance} segments corrupted towards the appliance, tcp BadChecksum {counters["tcp", "BadChecksum"]}");
    }

    /// <summary>Echoes <see cref="Length"/> random bytes from a test socket in <paramref name="ns"/>; both digests must match.</summary>
    private static async Task AssertEchoIntactAsync(PeerNamespace ns, string appliance, int seed)
    {
        var data = PeerSockets.RandomBytes(Length, seed);
        using var socket = await PeerSockets.ConnectAsync(ns, appliance, 7, TimeSpan.FromSeconds(20));
        var (received, sha) = await PeerSockets.ExchangeAsync(socket, data, Limit);
        Assert.Equal(Length, received);
        Assert.Equal(Sha256Of.Bytes(data), sha);
    }
}
