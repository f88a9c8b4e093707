using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NetKit.Appliance.Tour;
using Xunit;

namespace NetKit.Appliance.Tests.Tour;

/// <summary>
/// The checks catch what they are there to catch: a client that loses a reply, corrupts the body or sends short gets
/// FAIL lines and a failing report; a missing tool gets SKIP, which does not fail it.
/// </summary>
public sealed class TourExchangeTests
{
    [Fact]
    public async Task ATamperedExchangeFailsTheChecksItTouches()
    {
        using var tour = MemoryTour.Start();
        var output = new StringWriter();
        var report = new TourReport(output);
        Assert.True(TourOptions.TryParse(["--quick"], out var options, out _));

        await TourExchange.RunAsync(tour.Host, new TamperingClient(tour.Client), options!, report);

        string Outcome(string name) => report.Checks.Single(c => c.Name == name).OutcomeText;
        Assert.Equal("FAIL", Outcome("ping 56 B"));
        Assert.Equal("OK", Outcome("ping 4000 B"));
        Assert.Equal("OK", Outcome("http /"));
        Assert.Equal("FAIL", Outcome("http 8 MiB"));
        Assert.Contains("differs from DeterministicContent's", report.Checks.Single(c => c.Name == "http 8 MiB").Detail);
        Assert.Equal("FAIL", Outcome("upload 8 MiB"));
        Assert.Equal("SKIP", Outcome("udp echo"));
        Assert.False(report.Passed);
        Assert.Contains("ping 56 B      FAIL 2/3 answered", output.ToString());
    }

    [Fact]
    public void SkippedChecksDoNotFailTheReportButAFailedOneDoes()
    {
        var report = new TourReport(TextWriter.Null);
        Assert.False(report.Passed); // nothing ran: not a pass
        report.Add(TourCheck.Ok("a", ""));
        report.Add(TourCheck.Skip("b", "tool missing"));
        Assert.True(report.Passed);
        report.Add(TourCheck.Fail("c", "broken"));
        Assert.False(report.Passed);
    }

    /// <summary>The real NetKit client with faults injected into what it reports or does.</summary>
    private sealed class TamperingClient(ITourClient inner) : ITourClient
    {
        public string? SkipReason(TourStep step) => step == TourStep.UdpEcho ? "socat is not on PATH (test)" : inner.SkipReason(step);

        public Task WarmUpAsync() => inner.WarmUpAsync();

        // A lost reply, but only among the small pings.
        public async Task<PingResult> PingAsync(int dataBytes, int count)
        {
            var result = await inner.PingAsync(dataBytes, count);
            return dataBytes == TourExchange.SmallPingBytes ? result with { Received = result.Received - 1 } : result;
        }

        // One flipped bit in the large body's digest.
        public async Task<HttpResult> GetAsync(string target)
        {
            var result = await inner.GetAsync(target);
            if (!target.StartsWith("/bytes/", StringComparison.Ordinal)) return result;
            var sha = (byte[])result.Sha256.Clone();
            sha[^1] ^= 1;
            return result with { Sha256 = sha };
        }

        // Stops one byte short: discard's counter shows it.
        public Task<UploadResult> UploadAsync(long bytes) => inner.UploadAsync(bytes - 1);

        public Task<UdpEchoResult> UdpEchoAsync(string message) => inner.UdpEchoAsync(message);
    }
}
