using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading;

namespace NetKit.Runtime.Diagnostics;

/// <summary>
/// Per-CPU protocol counters (<c>netstat -s</c>, DragonFly's per-CPU <c>udpstat</c>/<c>ipstat</c>): one row per
/// protocol thread, each row on its own cache lines and written only by its thread with a plain increment, so
/// counting costs no atomic and no sharing. Readers sum the rows (64-bit reads are atomic on 64-bit platforms).
/// Published through <see cref="System.Diagnostics.Metrics"/> as observable counters tagged by CPU.
/// </summary>
public sealed class CounterSet<TCounter> where TCounter : unmanaged, Enum
{
    private static readonly string[] s_names = Enum.GetNames<TCounter>();
    private static readonly int s_count = s_names.Length;
    // Row stride in longs: the counters rounded up to a cache line, plus a line of padding between rows.
    private static readonly int s_stride = (s_count + 7) / 8 * 8 + 8;

    private readonly long[] _values;

    public CounterSet(string protocol, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Protocol = protocol;
        Threads = threads;
        _values = new long[s_stride * threads + 8];
    }

    public string Protocol { get; }

    public int Threads { get; }

    /// <summary>Counts one <paramref name="counter"/> event on protocol thread <paramref name="thread"/> (its owner only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment(int thread, TCounter counter) => _values[8 + thread * s_stride + Unsafe.As<TCounter, int>(ref counter)]++;

    /// <summary>Adds <paramref name="amount"/> on protocol thread <paramref name="thread"/> (its owner only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int thread, TCounter counter, long amount) => _values[8 + thread * s_stride + Unsafe.As<TCounter, int>(ref counter)] += amount;

    public long Get(int thread, TCounter counter) => Volatile.Read(ref _values[8 + thread * s_stride + Unsafe.As<TCounter, int>(ref counter)]);

    /// <summary>The sum over all threads.</summary>
    public long this[TCounter counter]
    {
        get
        {
            long total = 0;
            for (int t = 0; t < Threads; t++) total += Get(t, counter);
            return total;
        }
    }

    /// <summary>
    /// Publishes every counter on <paramref name="meter"/> as <c>netkit.{protocol}.{counter}</c>, one measurement per
    /// CPU (tag <c>cpu</c>) and the stack's name (tag <c>stack</c>).
    /// </summary>
    public void Publish(Meter meter, string stack)
    {
        for (int i = 0; i < s_count; i++)
        {
            int index = i;
            meter.CreateObservableCounter(
                $"netkit.{Protocol}.{ToSnakeCase(s_names[i])}",
                () => Measure(index, stack),
                unit: "{event}",
                description: $"{Protocol} {s_names[i]}");
        }
    }

    private IEnumerable<Measurement<long>> Measure(int index, string stack)
    {
        for (int t = 0; t < Threads; t++)
            yield return new Measurement<long>(Volatile.Read(ref _values[8 + t * s_stride + index]),
                new KeyValuePair<string, object?>("cpu", t), new KeyValuePair<string, object?>("stack", stack));
    }

    private static string ToSnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }

    public override string ToString()
    {
        var text = new System.Text.StringBuilder(Protocol).Append(':');
        foreach (TCounter counter in Enum.GetValues<TCounter>())
        {
            long value = this[counter];
            if (value != 0) text.Append(' ').Append(counter).Append('=').Append(value);
        }
        return text.ToString();
    }
}
