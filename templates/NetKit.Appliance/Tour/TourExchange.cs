using System;
using System.Diagnostics;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Protocols.IPv4;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The exchange itself, the same whichever client plays the other end: ping small and fragmenting, GET / and
/// /bytes/N, an upload into discard, a UDP echo. The client reports what it saw; the checks compare that with what
/// must be true, including the appliance's own counters (fragments reassembled, bytes discard took in).
/// </summary>
public static class TourExchange
{
    public const int SmallPingBytes = 56, SmallPings = 3;

    /// <summary>Larger than the 1500-byte MTU: the request and the reply both travel as IPv4 fragments.</summary>
    public const int LargePingBytes = 4000, LargePings = 2;

    public static async Task RunAsync(ApplianceHost host, ITourClient client, TourOptions options, TourReport report)
    {
        try
        {
            await client.WarmUpAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Not a check: whatever keeps the warm-up from working shows in the checks that follow.
        }
        report.Add(await CheckAsync(client, TourStep.Ping, $"ping {SmallPingBytes} B", () => PingAsync(host, client, SmallPingBytes, SmallPings)).ConfigureAwait(false));
        report.Add(await CheckAsync(client, TourStep.Ping, $"ping {LargePingBytes} B", () => PingAsync(host, client, LargePingBytes, LargePings)).ConfigureAwait(false));
        report.Add(await CheckAsync(client, TourStep.Http, "http /", () => PageAsync(client)).ConfigureAwait(false));
        report.Add(await CheckAsync(client, TourStep.Http, $"http {TourFigures.Size(options.DownloadBytes)}",
            () => DownloadAsync(client, options.DownloadBytes)).ConfigureAwait(false));
        report.Add(await CheckAsync(client, TourStep.Upload, $"upload {TourFigures.Size(options.UploadBytes)}",
            () => UploadAsync(host, client, options.UploadBytes)).ConfigureAwait(false));
        report.Add(await CheckAsync(client, TourStep.UdpEcho, "udp echo", () => UdpEchoAsync(client)).ConfigureAwait(false));
    }

    // Skips when the client lacks the step's tool; turns an exception into a FAIL line so later checks still run.
    private static async Task<TourCheck> CheckAsync(ITourClient client, TourStep step, string name, Func<Task<(bool Ok, string Detail)>> run)
    {
        if (client.SkipReason(step) is { } reason) return TourCheck.Skip(name, reason);
        try
        {
            var (ok, detail) = await run().ConfigureAwait(false);
            return new TourCheck(name, ok ? CheckOutcome.Ok : CheckOutcome.Fail, detail);
        }
        catch (Exception e)
        {
            return TourCheck.Fail(name, e.Message.ReplaceLineEndings(" "));
        }
    }

    private static async Task<(bool, string)> PingAsync(ApplianceHost host, ITourClient client, int size, int count)
    {
        var ipv4 = host.Stack.State<IPv4State>().Counters;
        long reassembled = ipv4[IPv4Counter.Reassembled], fragmented = ipv4[IPv4Counter.Fragmented];
        var result = await client.PingAsync(size, count).ConfigureAwait(false);
        string detail = $"{result.Received}/{result.Sent} answered, {TourFigures.Loss(result.Sent, result.Received)}" +
            (result.AverageMilliseconds is { } average ? $", avg {TourFigures.Milliseconds(average)}" : "");
        bool ok = result.Sent == count && result.Received == count;
        if (size + 28 > ServeOptions.Mtu) // 20 bytes of IPv4 header and 8 of ICMP header on top of the data
        {
            // The appliance's counters show the fragments really happened: requests reassembled, replies cut.
            reassembled = ipv4[IPv4Counter.Reassembled] - reassembled;
            fragmented = ipv4[IPv4Counter.Fragmented] - fragmented;
            detail += $"; appliance reassembled {reassembled}, fragmented {fragmented}";
            ok &= reassembled >= result.Received && fragmented >= result.Received;
        }
        return (ok, detail);
    }

    private static async Task<(bool, string)> PageAsync(ITourClient client)
    {
        var result = await client.GetAsync("/").ConfigureAwait(false);
        int expected = HttpResponses.Page.Length;
        bool ok = result.Status == 200 && result.Bytes == expected;
        return (ok, $"status {result.Status}, {result.Bytes} bytes{(result.Bytes == expected ? "" : $" (expected {expected})")}");
    }

    private static async Task<(bool, string)> DownloadAsync(ITourClient client, long length)
    {
        var expected = Task.Run(() => ExpectedBody.Sha256(length)); // computed while the body travels
        var result = await client.GetAsync($"/bytes/{length}").ConfigureAwait(false);
        var sha = await expected.ConfigureAwait(false);
        if (result.Status != 200) return (false, $"status {result.Status}, {result.Bytes} bytes");
        if (result.Bytes != length) return (false, $"{result.Bytes} bytes instead of {length}");
        if (!result.Sha256.AsSpan().SequenceEqual(sha))
            return (false, $"SHA-256 {TourFigures.ShortHex(result.Sha256)}… differs from DeterministicContent's {TourFigures.ShortHex(sha)}…");
        return (true, $"SHA-256 matches, {TourFigures.Seconds(result.Seconds)}: {TourFigures.Rate(result.Bytes, result.Seconds)}");
    }

    private static async Task<(bool, string)> UploadAsync(ApplianceHost host, ITourClient client, long length)
    {
        var discard = host.Service(new ServiceSpec(ServiceKind.Discard, TourNetwork.Port(ServiceKind.Discard)))
            ?? throw new TourStepException("the appliance runs no discard service");
        long before = discard.Counters.BytesIn;
        var result = await client.UploadAsync(length).ConfigureAwait(false);
        // The client stops the clock at discard's FIN, which follows its last read; the counter may trail a little.
        long taken = 0;
        var wait = Stopwatch.StartNew();
        while ((taken = discard.Counters.BytesIn - before) < length && wait.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(10).ConfigureAwait(false);
        string detail = $"discard took {TourFigures.Size(taken)}, {TourFigures.Seconds(result.Seconds)}: {TourFigures.Rate(result.Bytes, result.Seconds)}";
        return (result.Bytes == length && taken == length, detail);
    }

    private static async Task<(bool, string)> UdpEchoAsync(ITourClient client)
    {
        string message = $"netkit tour udp echo {Guid.NewGuid():N}";
        var result = await client.UdpEchoAsync(message).ConfigureAwait(false);
        if (!result.Matched) return (false, result.Problem ?? "no echo");
        return (true, $"{result.Bytes}-byte datagram came back unchanged");
    }
}
