using System;
using NetKit.Runtime;
using NetKit.Runtime.Timers;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// A connection's five timers on its owner thread, DragonFly's <c>tcp_timer.c</c> pattern: each callout only sets
/// its task bit and posts the pcb's one embedded priority message; the message runs the tasks in the order delayed
/// ACK, retransmit, persist, keepalive, 2MSL, and stops if an earlier one closed the connection.
/// </summary>
internal static unsafe class TcpTimers
{
    public const int Retransmit = 0;
    public const int Persist = 1;
    public const int Keepalive = 2;
    public const int TimeWait = 3;
    public const int DelayedAck = 4;
    private const int Count = 5;

    public static CalloutTaskSet Create(TcpPcb pcb) => new(Count, &Run, pcb);

    public static TimeSpan Micros(long micros) => TimeSpan.FromTicks(micros * 10);

    /// <summary>Arms the retransmit timer: as the tail loss probe when one is due first (RFC 8985 §7.2), else the RTO.</summary>
    public static void ArmRetransmit(TcpPcb pcb)
    {
        long probe = TcpSackRecovery.ProbeTimeout(pcb);
        pcb.ProbeArmed = probe > 0;
        pcb.Timers!.Reset(Retransmit, Micros(probe > 0 ? probe : pcb.Rtt.Rto));
    }

    public static void ArmPersist(TcpPcb pcb)
    {
        long delay = Math.Clamp(pcb.Rtt.Rto << Math.Min(pcb.PersistShift, 12), TcpSettings.PersistMinMicros, TcpSettings.PersistMaxMicros);
        pcb.Timers!.Reset(Persist, Micros(delay));
    }

    private static void Run(CalloutTaskSet set, int tasks)
    {
        var pcb = (TcpPcb)set.Owner!;
        var stack = pcb.Stack;
        var state = stack.State<TcpState>();
        int thread = pcb.Thread;
        if ((tasks & (1 << DelayedAck)) != 0 && pcb.State != TcpConnectionState.Closed)
        {
            state.Counters.Increment(thread, TcpCounter.DelayedAcks);
            pcb.AckNow = true;
            TcpOutput.Output(stack, state, pcb, thread);
        }
        if ((tasks & (1 << Retransmit)) != 0 && pcb.State != TcpConnectionState.Closed)
        {
            if (pcb.ProbeArmed) OnProbe(stack, state, pcb, thread);
            else OnRetransmit(stack, state, pcb, thread);
        }
        if ((tasks & (1 << Persist)) != 0 && pcb.State != TcpConnectionState.Closed)
        {
            if (pcb.Detached && pcb.PersistShift >= TcpSettings.MaxOrphanRetries)
            {
                // An orphan whose peer keeps its window shut would probe forever (Linux tcp_orphan_retries).
                TcpLifecycle.Drop(state, pcb, Errno.ETIMEDOUT);
                return;
            }
            TcpOutput.SendWindowProbe(stack, state, pcb, thread);
            pcb.PersistShift++;
            if (pcb.SendWindow == 0) ArmPersist(pcb);
        }
        if ((tasks & (1 << Keepalive)) != 0 && pcb.State != TcpConnectionState.Closed) OnKeepalive(stack, state, pcb, thread);
        if ((tasks & (1 << TimeWait)) != 0 && pcb.State != TcpConnectionState.Closed) TcpLifecycle.Close(state, pcb);
    }

    /// <summary>
    /// The tail loss probe (RFC 8985 §7.3): one segment — new data if the peer's window allows, else the last one
    /// sent — so that a loss at the tail of a flight is reported by SACK within a few round trips instead of an RTO.
    /// No backoff, no window reduction; the RTO is armed behind it.
    /// </summary>
    private static void OnProbe(Runtime.Protocols.NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        pcb.ProbeArmed = false;
        pcb.ProbeSent = true;
        if (pcb.SendMax == pcb.SendUnacknowledged) return;
        state.Counters.Increment(thread, TcpCounter.TailLossProbes);
        TcpOutput.SendTailLossProbe(stack, state, pcb, thread);
        ArmRetransmit(pcb);
    }

    /// <summary><c>tcp_timer_rexmt</c>: back off (RFC 6298 §5.5), shrink the congestion window, go back to SND.UNA.</summary>
    private static void OnRetransmit(Runtime.Protocols.NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        bool handshake = pcb.State is TcpConnectionState.SynSent or TcpConnectionState.SynReceived;
        if (++pcb.RetransmitShift > (handshake ? TcpSettings.MaxSynRetransmits : TcpSettings.MaxRetransmits))
        {
            TcpLifecycle.Drop(state, pcb, pcb.SoftError != Errno.None ? pcb.SoftError : Errno.ETIMEDOUT);
            return;
        }
        state.Counters.Increment(thread, TcpCounter.RetransmitTimeouts);
        pcb.ProbeSent = false;
        pcb.Rtt.Backoff();
        uint flight = pcb.SendMax - pcb.SendUnacknowledged;
        if (!handshake)
        {
            pcb.Congestion.OnRetransmitTimeout(flight, pcb.SendMax);
            TcpSackRecovery.OnTimeout(pcb);
        }
        pcb.RttTiming = false; // Karn: no sample from a retransmitted segment
        pcb.SendNext = handshake ? pcb.InitialSendSequence : pcb.SendUnacknowledged;
        TcpOutput.Output(stack, state, pcb, thread);
        // Re-armed while anything is outstanding, even if output sent nothing now (a full window): otherwise the
        // connection would wait for an event that cannot come.
        if (!pcb.Timers!.IsActive(Retransmit) && (pcb.SendMax != pcb.SendUnacknowledged || pcb.SendNext != pcb.SendUnacknowledged)) ArmRetransmit(pcb);
    }

    /// <summary>Keepalive (RFC 1122 §4.2.3.6, SO_KEEPALIVE): probe an idle connection, drop it after the configured count of silent probes.</summary>
    private static void OnKeepalive(Runtime.Protocols.NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        if (pcb.State is not (TcpConnectionState.Established or TcpConnectionState.CloseWait or TcpConnectionState.FinWait1 or TcpConnectionState.FinWait2)) return;
        long idle = TcpOutput.NowMicros(stack) - pcb.LastReceivedMicros;
        if (idle < pcb.KeepIdleSeconds * 1_000_000L)
        {
            pcb.Timers!.Reset(Keepalive, Micros(pcb.KeepIdleSeconds * 1_000_000L - idle));
            return;
        }
        if (pcb.KeepaliveProbesSent >= pcb.KeepCount)
        {
            state.Counters.Increment(thread, TcpCounter.KeepaliveDrops);
            TcpLifecycle.Drop(state, pcb, Errno.ETIMEDOUT);
            return;
        }
        pcb.KeepaliveProbesSent++;
        state.Counters.Increment(thread, TcpCounter.KeepaliveProbes);
        TcpOutput.SendKeepalive(stack, state, pcb, thread);
        pcb.Timers!.Reset(Keepalive, Micros(pcb.KeepIntervalSeconds * 1_000_000L));
    }
}
