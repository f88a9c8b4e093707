using System;
using System.Globalization;
using System.IO;
using NetKit.Drivers.Impairments;
using NetKit.Runtime.Diagnostics;

namespace NetKit.Appliance.Serve;

/// <summary>
/// The counter blocks <c>serve</c> prints when it stops: a header line <c>name:</c>, then one indented
/// <c>Counter value</c> line per counter, every counter included (zeros too) so tools can parse a fixed shape.
/// </summary>
public static class CounterReport
{
    /// <summary>A protocol's per-CPU counters, summed over the CPUs.</summary>
    public static void Write<TCounter>(TextWriter output, string title, CounterSet<TCounter> counters) where TCounter : unmanaged, Enum
    {
        output.WriteLine($"{title}:");
        foreach (var counter in Enum.GetValues<TCounter>()) Line(output, counter.ToString(), counters[counter]);
    }

    /// <summary>One service's counters.</summary>
    public static void Write(TextWriter output, ServiceSpec spec, ServiceCounters counters)
    {
        output.WriteLine($"service {spec}:");
        Line(output, "Connections", counters.Connections);
        Line(output, "BytesIn", counters.BytesIn);
        Line(output, "BytesOut", counters.BytesOut);
        Line(output, "Requests", counters.Requests);
        Line(output, "Errors", counters.Errors);
    }

    /// <summary>An impairer's counters, prefixed with its direction.</summary>
    public static void Write(TextWriter output, string prefix, ImpairmentCounters counters)
    {
        Line(output, prefix + "Offered", counters.Offered);
        Line(output, prefix + "Delivered", counters.Delivered);
        Line(output, prefix + "Lost", counters.Lost);
        Line(output, prefix + "Duplicated", counters.Duplicated);
        Line(output, prefix + "Corrupted", counters.Corrupted);
        Line(output, prefix + "Delayed", counters.Delayed);
        Line(output, prefix + "Reordered", counters.Reordered);
        Line(output, prefix + "RateDrops", counters.RateDrops);
        Line(output, prefix + "QueueDrops", counters.QueueDrops);
    }

    public static void Line(TextWriter output, string name, long value) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-24} {value}"));
}
