using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The tour's report, written as it goes (a 256 MiB upload takes a while): facts (link, offloads) as
/// <c>name  value</c> and checks as <c>name  OK|FAIL|SKIP  figure</c>, in aligned columns, then one result line.
/// </summary>
public sealed class TourReport
{
    /// <summary>Width of the name column; the longest name ("http 64 MiB") fits with room.</summary>
    public const int NameWidth = 14;

    private readonly TextWriter _output;
    private readonly List<TourCheck> _checks = new();

    public TourReport(TextWriter output) => _output = output ?? throw new ArgumentNullException(nameof(output));

    public IReadOnlyList<TourCheck> Checks => _checks;

    /// <summary>Which link the exchange ran over ("tap" or "memory"); null until one started.</summary>
    public string? Link { get; set; }

    /// <summary>True when at least one check ran and none failed (skipped checks do not fail the tour).</summary>
    public bool Passed => _checks.Count > 0 && _checks.All(c => c.Outcome != CheckOutcome.Fail);

    /// <summary>A line that is not a check: what the tour runs on.</summary>
    public void Fact(string name, string value)
    {
        _output.WriteLine($"{name.PadRight(NameWidth)} {value}");
        _output.Flush();
    }

    public void Add(TourCheck check)
    {
        _checks.Add(check);
        _output.WriteLine($"{check.Name.PadRight(NameWidth)} {check.OutcomeText,-5}{check.Detail}");
        _output.Flush();
    }

    /// <summary>The closing line: PASS or FAIL with the counts.</summary>
    public void WriteResult()
    {
        int ok = _checks.Count(c => c.Outcome == CheckOutcome.Ok);
        int failed = _checks.Count(c => c.Outcome == CheckOutcome.Fail);
        int skipped = _checks.Count(c => c.Outcome == CheckOutcome.Skip);
        Fact("result", $"{(Passed ? "PASS" : "FAIL")} ({ok} OK, {failed} failed, {skipped} skipped)");
    }
}
