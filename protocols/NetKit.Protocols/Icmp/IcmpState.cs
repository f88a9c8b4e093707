using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Icmp;

/// <summary>ICMP's per-stack state: counters and one error rate limiter per protocol thread.</summary>
public sealed class IcmpState : IProtocolState<IcmpState>
{
    private IcmpState(int threads)
    {
        Counters = new CounterSet<IcmpCounter>("icmp", threads);
        Limiters = new TokenBucket[threads];
        for (int i = 0; i < threads; i++) Limiters[i] = new TokenBucket(ErrorsPerSecond, ErrorBurst);
    }

    /// <summary>Errors a thread may send per second (Linux <c>icmp_ratelimit</c> is one per ms per destination; this is per thread).</summary>
    public const int ErrorsPerSecond = 1000;

    public const int ErrorBurst = 50;

    public CounterSet<IcmpCounter> Counters { get; }

    internal TokenBucket[] Limiters { get; }

    public static IcmpState Create(NetStack stack) => new(stack.Threads.Count);
}
