using System;
using System.IO;
using System.Linq;
using NetKit.Appliance.Tests.Support;
using NetKit.Appliance.Tour;
using Xunit;

namespace NetKit.Appliance.Tests.Tour;

/// <summary>The <c>tour</c> verb run in this process: over the in-memory link always, over a TAP where root can.</summary>
public sealed class TourCommandTests
{
    [Fact]
    public void TheMemoryLinkTourPassesEveryCheck()
    {
        var tour = TourOutput.Run(TourLinkChoice.Memory, "--quick");
        tour.AssertPassedEveryCheck();
        Assert.StartsWith("link           in-memory link: appliance 10.213.0.1/24", tour.Line("link") ?? "", StringComparison.Ordinal);
        Assert.Equal("", tour.StandardError);
    }

    [LinuxFact("ping", "curl", "socat")]
    public void TheTapTourPassesEveryCheckAndLeavesNothingBehind()
    {
        var tour = TourOutput.Run(TourLinkChoice.Tap, "--quick");
        tour.AssertPassedEveryCheck();
        Assert.StartsWith($"link           TAP nktour{Environment.ProcessId:x}", tour.Line("link") ?? "", StringComparison.Ordinal);
        Assert.Matches(@"^offloads\s+\S", tour.Line("offloads") ?? "");
        // Fragmenting pings really fragmented: the check line carries the appliance's reassembly counter.
        Assert.Contains("appliance reassembled 2, fragmented 2", tour.Line("ping 4000 B") ?? "");

        string pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(Directory.GetDirectories("/sys/class/net", $"nktour{Environment.ProcessId:x}*"));
        Assert.DoesNotContain(Directory.Exists("/run/netns") ? Directory.GetFiles("/run/netns") : [],
            path => Path.GetFileName(path).StartsWith($"nktour-{pid}-", StringComparison.Ordinal));
        Assert.Empty(Directory.GetDirectories(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"nktour-{pid}-*"));
    }

    [Theory]
    [InlineData("--slow")]
    [InlineData("quick")]
    [InlineData("--quick", "--quick")]
    public void BadArgumentsExitWithTwoAndOneErrorLine(params string[] args)
    {
        var tour = TourOutput.Run(TourLinkChoice.Memory, args);
        Assert.Equal(2, tour.ExitCode);
        Assert.Equal("", tour.StandardOutput);
        var lines = tour.StandardError.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal), tour.ToString());
    }

    [Fact]
    public void HelpPrintsTheUsageAndRunsNothing()
    {
        var tour = TourOutput.Run(TourLinkChoice.Memory, "--help");
        Assert.Equal(0, tour.ExitCode);
        Assert.StartsWith("usage: netkit-appliance tour [--quick]", tour.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(TourOptions.ForceMemoryVariable, tour.StandardOutput);
        Assert.Null(tour.Line("result"));
    }

    [Fact]
    public void QuickShrinksTheTransfers()
    {
        Assert.True(TourOptions.TryParse(["--quick"], out var quick, out _));
        Assert.True(TourOptions.TryParse([], out var full, out _));
        Assert.Equal(8L << 20, quick!.DownloadBytes);
        Assert.Equal(8L << 20, quick.UploadBytes);
        Assert.Equal(64L << 20, full!.DownloadBytes);
        Assert.Equal(256L << 20, full.UploadBytes);
    }
}
