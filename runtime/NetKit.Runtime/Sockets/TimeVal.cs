using System;
using System.Runtime.InteropServices;

namespace NetKit.Runtime.Sockets;

/// <summary><c>struct timeval</c> on 64-bit Linux (two longs), as SO_RCVTIMEO/SO_SNDTIMEO carry it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TimeVal
{
    public long Seconds;
    public long Microseconds;

    /// <summary>The interval, or null when it is not a valid timeval (negative, or microseconds out of [0, 10^6)).</summary>
    public readonly TimeSpan? ToTimeSpan()
    {
        if (Seconds < 0 || Microseconds < 0 || Microseconds >= 1_000_000) return null;
        if (Seconds > TimeSpan.MaxValue.TotalSeconds / 2) return null;
        return TimeSpan.FromSeconds(Seconds) + TimeSpan.FromTicks(Microseconds * 10);
    }

    public static TimeVal From(TimeSpan value) => new()
    {
        Seconds = (long)value.TotalSeconds,
        Microseconds = value.Ticks % TimeSpan.TicksPerSecond / 10,
    };
}
