using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Arp;

/// <summary>ARP's per-stack state: one cache per protocol thread, counters, and the pool of update messages.</summary>
public sealed class ArpState : IProtocolState<ArpState>
{
    private ArpState(NetStack stack, ArpOptions options)
    {
        Options = options;
        Counters = new CounterSet<ArpCounter>("arp", stack.Threads.Count);
        Caches = new ArpCache[stack.Threads.Count];
        for (int i = 0; i < Caches.Length; i++) Caches[i] = new ArpCache(stack, i, options, Counters);
        Updates = new NetMsgPool<ArpUpdateMessage>(64, static () => new ArpUpdateMessage());
    }

    public ArpOptions Options { get; }

    public CounterSet<ArpCounter> Counters { get; }

    internal ArpCache[] Caches { get; }

    internal NetMsgPool<ArpUpdateMessage> Updates { get; }

    /// <summary>Entries in protocol thread <paramref name="thread"/>'s cache.</summary>
    public int CacheCount(int thread) => Caches[thread].Count;

    public static ArpState Create(NetStack stack) => new(stack, new ArpOptions());
}
