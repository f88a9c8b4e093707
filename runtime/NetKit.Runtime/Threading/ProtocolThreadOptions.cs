using System;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Timers;

namespace NetKit.Runtime.Threading;

/// <summary>How a <see cref="ProtocolThreadGroup"/> is built (DragonFly's <c>net.netisr.*</c> tunables).</summary>
public sealed class ProtocolThreadOptions
{
    /// <summary>Upper bound on protocol threads (DragonFly <c>NETISR_CPUMAX</c>); the hash uses its low 7 bits.</summary>
    public const int MaxThreads = 128;

    /// <summary>Number of protocol threads; default one per CPU this process may use (<c>netisr_ncpus</c>).</summary>
    public int ThreadCount { get; set; } = Math.Min(Interop.LinuxScheduling.AllowedCpus().Length, MaxThreads);

    /// <summary>Messages handled before the rollup hooks run (<c>netisr_rollup_limit</c>, 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Empty-port polls (with CPU pause) before the thread parks.</summary>
    public int SpinIterations { get; set; } = 256;

    /// <summary>
    /// CPUs for the threads, thread i on <c>Cpus[i % Count]</c>; null means the CPUs this process may use, ascending.
    /// </summary>
    public int[]? Cpus { get; set; }

    /// <summary>Pin each thread to its CPU with <c>sched_setaffinity</c>.</summary>
    public bool PinThreads { get; set; } = true;

    /// <summary>Time source for callouts; <see cref="ManualClock"/> gives virtual time.</summary>
    public NetClock Clock { get; set; } = NetClock.Monotonic;

    /// <summary>Callout resolution.</summary>
    public TimeSpan CalloutTick { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Callout wheel size (power of two).</summary>
    public int CalloutSlots { get; set; } = 512;

    /// <summary>Per-thread packet buffer pool settings.</summary>
    public PacketBufferPoolOptions Buffers { get; set; } = new();

    /// <summary>Thread name prefix; threads are named "{prefix} {index}".</summary>
    public string NamePrefix { get; set; } = "netisr";

    internal void Validate()
    {
        if (ThreadCount < 1 || ThreadCount > MaxThreads)
            throw new ArgumentOutOfRangeException(nameof(ThreadCount), ThreadCount, $"must be 1..{MaxThreads}.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be at least 1.");
        if (Cpus is { Length: 0 })
            throw new ArgumentOutOfRangeException(nameof(Cpus), "must list at least one CPU (or be null).");
        if (SpinIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(SpinIterations), SpinIterations, "must not be negative.");
    }
}
