using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using NetKit.Appliance.Tests.Support;
using Xunit;

namespace NetKit.Appliance.Tests.EndToEnd;

/// <summary>
/// An appliance of its own, started with <c>--pcap</c>: ping, HTTP and discard traffic, then SIGTERM — it must exit 0 and
/// print counters that match the traffic — and Wireshark's dissector (tshark) must read the capture and find the ICMP and TCP frames.
/// </summary>
public sealed class PcapAndShutdownTests : IDisposable
{
    private const int DiscardLength = 1 << 20;
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [LinuxFact("ping", "curl", "socat", "tshark")]
    public async Task TheCaptureOpensInTsharkWithTheTrafficAndTheApplianceStopsCleanly()
    {
        string pcap = _scratch.File("appliance.pcap");
        ApplianceExit exit;
        await using (var appliance = await RunningAppliance.StartAsync("--pcap", pcap))
        {
            var ping = await PingSummary.RunAsync(appliance.Peer, appliance.ApplianceAddress, count: 5, size: 56);
            Assert.True(ping.Received == 5, ping.Result.ToString());
            var curl = await appliance.Peer.RunAsync(["curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}",
                $"http://{appliance.ApplianceAddress}/bytes/100000"], TimeSpan.FromSeconds(30));
            Assert.True(curl.Succeeded && curl.StandardOutput == "200", curl.ToString());
            var (input, _) = _scratch.RandomFile("discard.in", DiscardLength, seed: 3);
            var socat = await appliance.Peer.RunAsync(["socat", "-t", "30", $"OPEN:{input},rdonly!!OPEN:/dev/null", $"TCP:{appliance.ApplianceAddress}:9"],
                TimeSpan.FromSeconds(60));
            Assert.True(socat.Succeeded, socat.ToString());
            exit = await appliance.StopAsync();
        }
        Assert.True(exit.ExitCode == 0 && !exit.WasKilled, exit.ToString());
        var counters = new ApplianceCounters(exit.Counters);
        Assert.True(counters.HasProtocolCounters, $"no per-protocol counters after 'ready': {exit}");
        // The counters describe this run's traffic (pings before the test's own 5 came from the start-up check).
        Assert.True(counters["icmp", "EchoRequests"] >= 5, exit.Counters);
        Assert.Equal(1L, counters["service http:80", "Requests"]);
        Assert.Equal(1L, counters["service discard:9", "Connections"]);
        Assert.Equal((long)DiscardLength, counters["service discard:9", "BytesIn"]);
        Assert.Equal(0L, counters["service discard:9", "BytesOut"]);

        Assert.True(new FileInfo(pcap).Length > 24, "the capture holds no frames");
        var tshark = CommandRunner.Run([Tool.Require("tshark"), "-n", "-r", pcap, "-T", "fields", "-e", "frame.protocols"], TimeSpan.FromSeconds(60));
        Assert.True(tshark.Succeeded, tshark.ToString());
        var frames = tshark.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int icmp = frames.Count(p => p.Contains(":icmp", StringComparison.Ordinal));
        int tcp = frames.Count(p => p.Contains(":tcp", StringComparison.Ordinal));
        int http = frames.Count(p => p.Contains(":http", StringComparison.Ordinal));
        Assert.True(icmp >= 10, $"{icmp} ICMP frames (5 requests, 5 replies expected) in {frames.Length}");
        Assert.True(tcp > 0 && http > 0, $"{tcp} TCP frames, {http} HTTP frames in {frames.Length}");
        Assert.Contains(frames, p => p.StartsWith("eth:ethertype:arp", StringComparison.Ordinal));
    }
}
