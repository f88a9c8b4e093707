using System;
using System.Collections.Generic;
using NetKit.Protocols.Common;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// TCP's per-stack state, one slice per protocol thread (DragonFly <c>tcbinfo[cpu]</c>, <c>tcpcbackq[cpu]</c>,
/// per-CPU stats): pcb tables, port shards for explicit binds, the queue of connections owing an ACK that the
/// end-of-batch rollup flushes, and counters. The ISN secret is shared and read-only.
/// </summary>
public sealed class TcpState : IProtocolState<TcpState>
{
    private readonly List<TcpPcb>[] _ackQueues;
    private readonly bool[] _rollupRegistered;
    private readonly Random[] _random;

    private TcpState(NetStack stack)
    {
        int threads = stack.Threads.Count;
        Stack = stack;
        Tables = new TcpPcbTable[threads];
        SynCaches = new TcpSynCache[threads];
        _synSweeps = new Runtime.Timers.Callout[threads];
        Shards = new PortShard[threads];
        _ackQueues = new List<TcpPcb>[threads];
        _rollupRegistered = new bool[threads];
        _random = new Random[threads];
        for (int i = 0; i < threads; i++)
        {
            Tables[i] = new TcpPcbTable();
            SynCaches[i] = new TcpSynCache();
            _synSweeps[i] = new Runtime.Timers.Callout();
            Shards[i] = new PortShard(i, threads);
            _ackQueues[i] = new List<TcpPcb>(64);
            _random[i] = new Random(unchecked(Environment.TickCount * 31 + i));
        }
        Counters = new CounterSet<TcpCounter>("tcp", threads);
        Isn = new TcpIsnGenerator();
        Chains = new NetMsgPool<TcpListenChange>(16, static () => new TcpListenChange());
    }

    public NetStack Stack { get; }

    public TcpPcbTable[] Tables { get; }

    /// <summary>Each thread's half-open passive connections.</summary>
    public TcpSynCache[] SynCaches { get; }

    private readonly Runtime.Timers.Callout[] _synSweeps;

    /// <summary>Thread <paramref name="thread"/>'s SYN cache sweep (armed while its cache holds entries).</summary>
    internal Runtime.Timers.Callout SynSweep(int thread) => _synSweeps[thread];

    public PortShard[] Shards { get; }

    public CounterSet<TcpCounter> Counters { get; }

    internal TcpIsnGenerator Isn { get; }

    internal NetMsgPool<TcpListenChange> Chains { get; }

    /// <summary>TIME_WAIT length (2 MSL), settable for tests and appliances that recycle ports fast.</summary>
    public long TimeWaitMicros { get; set; } = 2 * TcpSettings.MslMicros;

    /// <summary>Delayed-ACK timeout.</summary>
    public long DelayedAckMicros { get; set; } = TcpSettings.DelayedAckMicros;

    /// <summary>
    /// The RTO's floor for new connections (Linux's <c>net.ipv4.tcp_rto_min_us</c> and per-route <c>rto_min</c>):
    /// 200 ms by default; an appliance on a datacenter path with microsecond RTTs may lower it, never below 1 ms.
    /// </summary>
    public long MinRtoMicros
    {
        get => _minRtoMicros;
        set => _minRtoMicros = value is >= 1_000 and <= TcpSettings.MaxRtoMicros
            ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be between 1 ms and the maximum RTO.");
    }

    private long _minRtoMicros = TcpSettings.MinRtoMicros;

    /// <summary>Least time between two ACKs a connection sends for out-of-window segments or as challenges (RFC 5961 §7;
    /// Linux <c>tcp_invalid_ratelimit</c>).</summary>
    public long InvalidAckIntervalMicros { get; set; } = TcpSettings.InvalidAckIntervalMicros;

    internal Random RandomFor(int thread) => _random[thread];

    /// <summary>
    /// Queues <paramref name="pcb"/> for an ACK at the end of the current message batch (DragonFly
    /// <c>tcp_aggregate_acks</c>): several segments of one batch cost one ACK.
    /// </summary>
    internal void QueueAck(TcpPcb pcb, int thread)
    {
        if (pcb.OnAckQueue) return;
        if (ProtocolThread.Current is null)
        {
            TcpOutput.Output(Stack, this, pcb, thread); // driven directly (tests): no batch to wait for
            return;
        }
        pcb.OnAckQueue = true;
        if (!_rollupRegistered[thread]) RegisterRollup(thread);
        _ackQueues[thread].Add(pcb);
    }

    private void RegisterRollup(int thread)
    {
        _rollupRegistered[thread] = true;
        ProtocolThread.Current?.AddRollup(new RollupHook(RollupHook.PriorityTcp, "tcp-acks", t => FlushAcks(t.Index)));
    }

    /// <summary>The rollup (<c>tcp_willblock</c>): sends what every queued connection owes.</summary>
    internal void FlushAcks(int thread)
    {
        var queue = _ackQueues[thread];
        if (queue.Count == 0) return;
        for (int i = 0; i < queue.Count; i++)
        {
            var pcb = queue[i];
            pcb.OnAckQueue = false;
            if (pcb.State == TcpConnectionState.Closed) continue;
            if (pcb.AckNow) Counters.Increment(thread, TcpCounter.AcksAggregated);
            TcpOutput.Output(Stack, this, pcb, thread);
        }
        queue.Clear();
    }

    public static TcpState Create(NetStack stack) => new(stack);
}
