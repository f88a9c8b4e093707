using System;
using System.Globalization;

namespace NetKit.Appliance.Tour;

/// <summary>How the report prints sizes, times and rates (invariant culture: the report is parsed by tests and CI).</summary>
public static class TourFigures
{
    /// <summary>"64 MiB" for whole mebibytes, else "312 bytes".</summary>
    public static string Size(long bytes) =>
        bytes >= 1 << 20 && bytes % (1 << 20) == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MiB")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    /// <summary>Milliseconds with three decimals ("0.062 ms").</summary>
    public static string Milliseconds(double milliseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{milliseconds:F3} ms");

    /// <summary>Seconds with three decimals ("0.142 s").</summary>
    public static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} s");

    /// <summary>"450.2 MiB/s (3.78 Gbit/s)": <paramref name="bytes"/> moved in <paramref name="seconds"/>.</summary>
    public static string Rate(long bytes, double seconds)
    {
        if (seconds <= 0) return "too fast to time";
        double mebibytesPerSecond = bytes / (double)(1 << 20) / seconds;
        double gigabitsPerSecond = bytes * 8.0 / 1e9 / seconds;
        return string.Create(CultureInfo.InvariantCulture, $"{mebibytesPerSecond:F1} MiB/s ({gigabitsPerSecond:F2} Gbit/s)");
    }

    /// <summary>"0% loss" from what was sent and answered.</summary>
    public static string Loss(int sent, int received) =>
        sent <= 0 ? "nothing sent" : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(100.0 * (sent - received) / sent)}% loss");

    /// <summary>The first 16 hex digits of a digest, enough to tell two apart in a message.</summary>
    public static string ShortHex(ReadOnlySpan<byte> digest) => Convert.ToHexStringLower(digest[..Math.Min(8, digest.Length)]);
}
