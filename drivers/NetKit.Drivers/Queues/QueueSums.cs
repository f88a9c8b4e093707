using System;
using NetKit.Drivers.Impairments;

namespace NetKit.Drivers.Queues;

/// <summary>A device's counters are per queue (each written by one thread); its totals are sums over a snapshot of them.</summary>
internal static class QueueSums
{
    public static long Sum<TQueue>(TQueue[] queues, Func<TQueue, long> counter)
    {
        long sum = 0;
        foreach (var queue in queues) sum += counter(queue);
        return sum;
    }

    public static ImpairmentCounters Sum<TQueue>(TQueue[] queues, Func<TQueue, ImpairmentCounters> counters)
    {
        var sum = default(ImpairmentCounters);
        foreach (var queue in queues) sum += counters(queue);
        return sum;
    }
}
