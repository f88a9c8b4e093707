using System;

namespace NetKit.Appliance.Tour;

/// <summary>What <c>tour</c> runs, parsed from its command line (<see cref="TryParse"/>).</summary>
public sealed class TourOptions
{
    /// <summary>Set to 1 to skip the TAP path even where it is available (tests, CI, trying the fallback as root).</summary>
    public const string ForceMemoryVariable = "NETKIT_TOUR_FORCE_MEMORY";

    private const long MiB = 1 << 20;

    public const string Usage =
        """
        usage: netkit-appliance tour [--quick]

        Starts the appliance in this process (tcp-echo:7, udp-echo:7, discard:9, http:80) and exchanges traffic with
        it: ping (small and fragmenting), HTTP GET of / and of /bytes/N with a SHA-256 check, an upload into discard,
        a UDP echo. Prints one line per check and the appliance's counters.

        As root with /dev/net/tun and iproute2, the appliance runs on a TAP whose kernel side is moved into a private
        network namespace, and Linux's own ping, curl and socat are the clients there (a missing tool skips its check).
        Otherwise, or with NETKIT_TOUR_FORCE_MEMORY=1, the same exchange runs over the in-memory link with a NetKit
        client stack.

          --quick   transfer 8 MiB each way instead of 64 MiB down and 256 MiB up (for CI)
          --help    print this help

        Exit status: 0 when every check passed (skipped ones included), 1 when one failed, 2 for bad arguments.
        """;

    /// <summary>True when <c>--help</c> was given.</summary>
    public bool ShowHelp { get; init; }

    /// <summary><c>--quick</c>: small transfers.</summary>
    public bool Quick { get; init; }

    /// <summary>The <c>/bytes/N</c> body fetched over HTTP.</summary>
    public long DownloadBytes => Quick ? 8 * MiB : 64 * MiB;

    /// <summary>The bytes sent into discard.</summary>
    public long UploadBytes => Quick ? 8 * MiB : 256 * MiB;

    /// <summary>True when <see cref="ForceMemoryVariable"/> is set to something other than empty or 0.</summary>
    public static bool MemoryForcedByEnvironment =>
        Environment.GetEnvironmentVariable(ForceMemoryVariable) is { Length: > 0 } value && value != "0";

    /// <summary>Parses the arguments after <c>tour</c>; on failure <paramref name="error"/> is one line (exit 2).</summary>
    public static bool TryParse(ReadOnlySpan<string> args, out TourOptions? options, out string? error)
    {
        options = null;
        bool quick = false;
        foreach (string? arg in args)
        {
            switch (arg)
            {
                case "--help" or "-h":
                    options = new TourOptions { ShowHelp = true };
                    error = null;
                    return true;
                case "--quick":
                    if (quick)
                    {
                        error = "--quick given more than once";
                        return false;
                    }
                    quick = true;
                    break;
                default:
                    error = arg is not null && arg.StartsWith("--", StringComparison.Ordinal)
                        ? $"unknown option '{arg}'"
                        : $"unexpected argument '{arg}'";
                    return false;
            }
        }
        options = new TourOptions { Quick = quick };
        error = null;
        return true;
    }
}
