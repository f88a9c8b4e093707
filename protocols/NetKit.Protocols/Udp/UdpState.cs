using NetKit.Protocols.Common;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Udp;

/// <summary>
/// UDP's per-stack state, one slice per protocol thread (DragonFly <c>udbinfo[cpu]</c> and the sharded
/// <c>portinfo</c>): pcb tables, port shards, counters, and the scratch buffer that linearises a reassembled
/// datagram spanning several buffers.
/// </summary>
public sealed class UdpState : IProtocolState<UdpState>
{
    private readonly byte[]?[] _scratch;

    private UdpState(int threads)
    {
        Tables = new UdpPcbTable[threads];
        Shards = new PortShard[threads];
        for (int i = 0; i < threads; i++)
        {
            Tables[i] = new UdpPcbTable();
            Shards[i] = new PortShard(i, threads);
        }
        Counters = new CounterSet<UdpCounter>("udp", threads);
        Chains = new NetMsgPool<UdpTableChange>(64, static () => new UdpTableChange());
        _scratch = new byte[threads][];
    }

    public UdpPcbTable[] Tables { get; }

    public PortShard[] Shards { get; }

    public CounterSet<UdpCounter> Counters { get; }

    internal NetMsgPool<UdpTableChange> Chains { get; }

    /// <summary>Thread <paramref name="thread"/>'s 64 KiB scratch buffer (created on first use).</summary>
    internal byte[] Scratch(int thread) => _scratch[thread] ??= new byte[65536];

    public static UdpState Create(NetStack stack) => new(stack.Threads.Count);
}
