using System;
using System.Diagnostics;

namespace NetKit.Runtime.Timers;

/// <summary>
/// The time source protocol threads drive their callout wheels from. <see cref="Monotonic"/> follows the
/// machine's monotonic clock; <see cref="ManualClock"/> is virtual time for tests.
/// </summary>
public abstract class NetClock
{
    /// <summary>The process-wide monotonic clock.</summary>
    public static NetClock Monotonic { get; } = new MonotonicClock();

    /// <summary>Nanoseconds since an arbitrary fixed origin; never goes backwards.</summary>
    public abstract long NowNanoseconds { get; }

    /// <summary>True when time moves only when a test advances it (threads then sleep until told).</summary>
    public virtual bool IsVirtual => false;

    /// <summary>Called by protocol threads so a virtual clock can wake them when it advances.</summary>
    internal virtual void Subscribe(Action onAdvance) { }

    internal virtual void Unsubscribe(Action onAdvance) { }

    private sealed class MonotonicClock : NetClock
    {
        private static readonly double s_nanosPerTick = 1_000_000_000.0 / Stopwatch.Frequency;

        public override long NowNanoseconds =>
            Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * s_nanosPerTick);
    }
}
