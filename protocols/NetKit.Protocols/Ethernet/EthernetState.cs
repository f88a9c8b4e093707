using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Ethernet;

/// <summary>Ethernet's per-stack state: its counters.</summary>
public sealed class EthernetState : IProtocolState<EthernetState>
{
    private EthernetState(int threads) => Counters = new CounterSet<EthernetCounter>("ethernet", threads);

    public CounterSet<EthernetCounter> Counters { get; }

    public static EthernetState Create(NetStack stack) => new(stack.Threads.Count);
}
