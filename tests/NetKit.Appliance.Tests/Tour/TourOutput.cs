using System;
using System.Collections.Generic;
using System.IO;
using NetKit.Appliance.Tour;
using Xunit;

namespace NetKit.Appliance.Tests.Tour;

/// <summary>A tour run in this process: its exit code, what it printed, and its check lines read back.</summary>
internal sealed record TourOutput(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The checks of a --quick run, in the order the tour makes them.</summary>
    public static readonly string[] QuickChecks = ["ping 56 B", "ping 4000 B", "http /", "http 8 MiB", "upload 8 MiB", "udp echo"];

    public static TourOutput Run(TourLinkChoice link, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = TourCommand.Run(args, output, error, link);
        return new TourOutput(exit, output.ToString(), error.ToString());
    }

    /// <summary>The outcome (OK, FAIL, SKIP) printed for check <paramref name="name"/>, or null when there is no such line.</summary>
    public string? Outcome(string name)
    {
        string prefix = name.PadRight(TourReport.NameWidth) + " ";
        foreach (var line in Lines)
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = line[prefix.Length..];
            int space = rest.IndexOf(' ');
            return space < 0 ? rest : rest[..space];
        }
        return null;
    }

    /// <summary>The line starting with <paramref name="name"/> in the name column, or null.</summary>
    public string? Line(string name)
    {
        string prefix = name.PadRight(TourReport.NameWidth) + " ";
        foreach (var line in Lines) if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
        return null;
    }

    public IReadOnlyList<string> Lines => StandardOutput.Replace("\r\n", "\n").Split('\n');

    /// <summary>Asserts exit 0, every quick check printed as OK, the counters and a PASS line.</summary>
    public void AssertPassedEveryCheck()
    {
        Assert.True(ExitCode == 0, $"exit code {ExitCode}\n{this}");
        foreach (var check in QuickChecks) Assert.True(Outcome(check) == "OK", $"check '{check}' is not OK\n{this}");
        Assert.Contains("\nappliance counters\n", StandardOutput.Replace("\r\n", "\n"));
        Assert.StartsWith("result         PASS (6 OK, 0 failed, 0 skipped)", Line("result") ?? "", StringComparison.Ordinal);
    }

    public override string ToString() => $"stdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
