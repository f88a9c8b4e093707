using System;
using System.IO;
using System.Threading.Tasks;

namespace NetKit.Appliance.Tour;

/// <summary>Which link <c>tour</c> runs on.</summary>
public enum TourLinkChoice
{
    /// <summary>The TAP when this process may create one, else the in-memory link (the command line's behaviour).</summary>
    Auto,

    /// <summary>The in-memory link, whatever the privileges.</summary>
    Memory,

    /// <summary>The TAP only: not being able to set it up fails the tour instead of falling back.</summary>
    Tap,
}

/// <summary>
/// The <c>tour</c> verb: starts the appliance in this process, runs <see cref="TourExchange"/> against it over a TAP
/// with Linux as the client (<see cref="TapTour"/>) or over the in-memory link with a NetKit client
/// (<see cref="MemoryTour"/>), prints one line per check and the appliance's counters, and removes everything it set
/// up. Exit status: 0 when every check passed (skipped ones do not count), 1 otherwise, 2 for bad arguments (one
/// <c>error: …</c> line on stderr, as <c>serve</c> does).
/// </summary>
public static class TourCommand
{
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2;

    private const string Fallback = "running the same exchange over the in-memory link with a NetKit client";

    public static int Run(ReadOnlySpan<string> args) => Run(args, Console.Out, Console.Error);

    public static int Run(ReadOnlySpan<string> args, TextWriter output, TextWriter error, TourLinkChoice link = TourLinkChoice.Auto)
    {
        if (!TourOptions.TryParse(args, out var options, out string? problem))
        {
            error.WriteLine($"error: {problem}");
            error.Flush();
            return ExitUsage;
        }
        if (options!.ShowHelp)
        {
            output.WriteLine(TourOptions.Usage);
            output.Flush();
            return ExitOk;
        }
        var report = new TourReport(output);
        // On a pool thread: the exchange is asynchronous, and a caller with a synchronization context (a test
        // runner) must not have its continuations queued behind this blocking wait.
        return Task.Run(() => RunAsync(options, link, report, output, error)).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(TourOptions options, TourLinkChoice choice, TourReport report, TextWriter output, TextWriter error)
    {
        output.WriteLine($"NetKit appliance tour{(options.Quick ? " (--quick)" : "")}: " +
            $"ping, GET / and /bytes/{options.DownloadBytes}, {TourFigures.Size(options.UploadBytes)} into discard, UDP echo");
        ITourLink? tour = null;
        if (choice == TourLinkChoice.Auto && TourOptions.MemoryForcedByEnvironment)
        {
            output.WriteLine($"TAP not used ({TourOptions.ForceMemoryVariable} is set): {Fallback}");
            choice = TourLinkChoice.Memory;
        }
        if (choice != TourLinkChoice.Memory)
        {
            if (!TapTour.IsAvailable(out string reason))
            {
                if (choice == TourLinkChoice.Tap) return Fail(error, $"TAP not available ({reason})");
                output.WriteLine($"TAP not available ({reason}): {Fallback}");
            }
            else
            {
                try
                {
                    tour = TapTour.Start();
                }
                catch (Exception e)
                {
                    // A container may hand out /dev/net/tun but refuse namespaces: the exchange still runs, in memory.
                    string message = e.Message.ReplaceLineEndings(" ");
                    if (choice == TourLinkChoice.Tap) return Fail(error, $"TAP set-up failed: {message}");
                    output.WriteLine($"TAP set-up failed ({message}): {Fallback}");
                }
            }
        }
        try
        {
            tour ??= MemoryTour.Start();
        }
        catch (Exception e)
        {
            return Fail(error, $"cannot start the appliance on the in-memory link: {e.Message.ReplaceLineEndings(" ")}");
        }

        try
        {
            report.Link = tour.Kind;
            tour.Describe(report);
            await TourExchange.RunAsync(tour.Host, tour.Client, options, report).ConfigureAwait(false);
            tour.Host.StopServices();
            TourCounters.Write(output, tour.Host);
        }
        catch (Exception e)
        {
            // The checks catch their own failures; this is anything else, still one line and status 1.
            return Fail(error, $"the tour stopped: {e.Message.ReplaceLineEndings(" ")}");
        }
        finally
        {
            tour.Dispose();
        }
        report.WriteResult();
        return report.Passed ? ExitOk : ExitFailure;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        error.Flush();
        return ExitFailure;
    }
}
