using System;
using System.Threading;

namespace NetKit.Runtime.Diagnostics;

/// <summary>
/// Central place where the runtime reports API misuse (double reply, cross-thread waits, double free, ...).
/// Every report is counted; under <see cref="MisusePolicy.Throw"/> it also throws a clear
/// <see cref="InvalidOperationException"/>. Either way the offending operation is refused before it can
/// corrupt state.
/// </summary>
public static class Misuse
{
    private static readonly long[] s_counts = new long[Enum.GetValues<MisuseKind>().Length];

    /// <summary>The current policy. Debug builds of NetKit throw; Release builds count.</summary>
    public static MisusePolicy Policy { get; set; } =
#if DEBUG
        MisusePolicy.Throw;
#else
        MisusePolicy.Count;
#endif

    /// <summary>How many misuses of <paramref name="kind"/> were reported since start (or <see cref="Reset"/>).</summary>
    public static long Count(MisuseKind kind) => Volatile.Read(ref s_counts[(int)kind]);

    /// <summary>Total misuses of every kind.</summary>
    public static long Total
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < s_counts.Length; i++) sum += Volatile.Read(ref s_counts[i]);
            return sum;
        }
    }

    /// <summary>Zeroes every counter (tests use it).</summary>
    public static void Reset()
    {
        for (int i = 0; i < s_counts.Length; i++) Volatile.Write(ref s_counts[i], 0);
    }

    /// <summary>Counts the misuse and throws when the policy says so. Returns normally under <see cref="MisusePolicy.Count"/>.</summary>
    public static void Report(MisuseKind kind, string message)
    {
        Interlocked.Increment(ref s_counts[(int)kind]);
        if (Policy == MisusePolicy.Throw)
            throw new InvalidOperationException($"NetKit misuse ({kind}): {message}");
    }

    /// <summary>Counts without ever throwing (used where throwing would unwind a protocol thread's loop).</summary>
    internal static void CountOnly(MisuseKind kind) => Interlocked.Increment(ref s_counts[(int)kind]);
}
