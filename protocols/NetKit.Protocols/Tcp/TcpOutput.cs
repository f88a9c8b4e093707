using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// <c>tcp_output</c>: sends what the state, the windows and the buffers allow — SYN, data straight from the send
/// ring (read at an offset, never removed until acknowledged, so a retransmission is just a second read), FIN, and
/// ACKs or window updates. Runs on the connection's thread.
/// </summary>
internal static class TcpOutput
{
    /// <summary>Most segments one call sends, so one connection cannot hold its thread for long (DragonFly's fair send).</summary>
    private const int MaxSegmentsPerCall = 64;

    internal static long NowMicros(NetStack stack) => ProtocolContext.Now(stack) / 1000;

    /// <summary>Our TSval clock (RFC 7323 §5.4): milliseconds.</summary>
    internal static uint TimestampNow(NetStack stack) => (uint)(NowMicros(stack) / 1000);

    public static void Output(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        if (pcb.State is TcpConnectionState.Closed or TcpConnectionState.Listen) return;
        long now = NowMicros(stack);

        // The SYN (or SYN-ACK) goes alone; nothing else may be sent until it is acknowledged.
        if (pcb.State is TcpConnectionState.SynSent or TcpConnectionState.SynReceived)
        {
            if (pcb.SendNext == pcb.InitialSendSequence) SendSyn(stack, state, pcb, thread, now);
            else if (pcb.AckNow && pcb.State == TcpConnectionState.SynReceived) SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendMax, 0, 0, now);
            return;
        }

        if (pcb.SendMax == pcb.SendUnacknowledged && now - pcb.LastActivityMicros > pcb.Rtt.Rto)
            pcb.Congestion.OnIdleRestart(now, pcb.Rtt.Rto); // RFC 5681 §4.1: restart from the initial window after idling

        var ring = pcb.SendRing;
        // Data per segment: the MSS less room for SACK blocks while we hold out-of-order data (Linux tcp_current_mss).
        int room = pcb.MaxSegmentSize - TcpSackRecovery.OptionRoom(pcb);
        bool sackRecovery = pcb.SackPermitted && pcb.Congestion.InRecovery;
        for (int sent = 0; sent < MaxSegmentsPerCall; sent++)
        {
            int limit = room; // this segment's most data: the MSS room, or less to stop at a SACKed block
            long available = ring?.ReadableCount ?? 0;
            long congestionRoom;
            if (sackRecovery)
            {
                // RFC 6675 §5 step (C): send while cwnd − pipe ≥ 1 SMSS, holes first, then new data.
                congestionRoom = pcb.Congestion.CongestionWindow - TcpSackRecovery.Pipe(pcb);
                if (congestionRoom < pcb.MaxSegmentSize) congestionRoom = 0; // full: only an ACK may go
                else if (TcpSackRecovery.NextRetransmission(pcb, room, out uint holeSequence, out int holeLength))
                {
                    if (SendRetransmission(stack, state, pcb, thread, holeSequence, holeLength, available, now) != Errno.None)
                    {
                        RetryLater(pcb);
                        return;
                    }
                    continue;
                }
            }
            else
            {
                // Limited transmit (RFC 3042): a SACK connection's first two duplicates each let one new segment out.
                long limited = pcb.DuplicateAcks > 0 && pcb.SendNext == pcb.SendMax ? Math.Min(pcb.DuplicateAcks, 2) * (long)pcb.MaxSegmentSize : 0;
                congestionRoom = pcb.Congestion.CongestionWindow + limited - (int)(pcb.SendNext - pcb.SendUnacknowledged);
                // Going back after a timeout: skip what the peer SACKed (RFC 6675 §5.1).
                if (pcb.Scoreboard is { IsEmpty: false } board && TcpSequence.Lt(pcb.SendNext, pcb.SendMax))
                {
                    while (board.IsSacked(pcb.SendNext, out uint sackedEnd)) pcb.SendNext = TcpSequence.Min(sackedEnd, pcb.SendMax);
                    if (TcpSequence.Lt(pcb.SendNext, pcb.SendMax))
                        limit = Math.Min(limit, TcpSequence.Distance(pcb.SendNext, board.NextSackedAfter(pcb.SendNext, pcb.SendMax)));
                }
            }
            long offset = (int)(pcb.SendNext - pcb.SendBufferBase);
            if (offset > available) offset = available; // SendNext is past the FIN
            long inFlight = (int)(pcb.SendNext - pcb.SendUnacknowledged);
            long usable = Math.Min(pcb.SendWindow - inFlight, congestionRoom);
            // New data outside recovery may go as one TSO segment of whole MSS-sized pieces for the device to cut; not
            // while urgent data is pending (every piece would carry the first piece's urgent pointer).
            int burst = pcb.SegmentOffloadLimit > room && !sackRecovery && pcb.SendNext == pcb.SendMax && !pcb.UrgentPending
                ? pcb.SegmentOffloadLimit / room * room : limit;
            long length = Math.Min(Math.Min(available - offset, usable), burst);
            if (length < 0) length = 0;

            bool finPending = pcb.FinRequested && (!pcb.FinSent || pcb.SendNext == pcb.FinSequence);
            bool sendFin = finPending && offset + length == available && usable > length - 1;
            if (length > 0 && length < limit && !sendFin)
            {
                bool moreWaiting = offset + length < available;
                // Nagle (RFC 9293 §3.7.4): hold a small segment while data is unacknowledged; urgent data goes at
                // once (BSD forces output for MSG_OOB).
                if (!pcb.NoDelay && inFlight > 0 && !pcb.UrgentPending) length = 0;
                // Sender silly-window avoidance (§3.8.6.2.1): a window-limited sliver waits for a bigger window.
                else if (moreWaiting && length < pcb.MaxSendWindow / 2) length = 0;
            }

            if (length > 0 || sendFin)
            {
                var flags = TcpFlags.Ack;
                if (sendFin) flags |= TcpFlags.Fin;
                if (length > 0 && offset + length == available) flags |= TcpFlags.Psh;
                uint sequence = pcb.SendNext;
                bool isRetransmission = TcpSequence.Lt(sequence, pcb.SendMax);
                if (SendSegment(stack, state, pcb, thread, flags, sequence, (int)offset, (int)length, now, length > room ? room : 0) != Errno.None)
                {
                    RetryLater(pcb);
                    return;
                }
                if (isRetransmission) state.Counters.Increment(thread, TcpCounter.Retransmits);
                else if (!pcb.RttTiming && length > 0)
                {
                    pcb.RttTiming = true; // Karn: only segments sent once are timed
                    pcb.RttSequence = sequence;
                    pcb.RttStartMicros = now;
                }
                pcb.SendNext = sequence + (uint)length + (sendFin ? 1u : 0u);
                if (sendFin)
                {
                    pcb.FinSent = true;
                    pcb.FinSequence = sequence + (uint)length;
                }
                if (TcpSequence.Gt(pcb.SendNext, pcb.SendMax)) pcb.SendMax = pcb.SendNext;
                // The probe timer restarts with every transmission (RFC 8985 §7.2); the RTO does not.
                if (!pcb.Timers!.IsActive(TcpTimers.Retransmit) || pcb.ProbeArmed) TcpTimers.ArmRetransmit(pcb);
                pcb.Timers.Stop(TcpTimers.Persist);
                continue;
            }

            // Nothing more to send. Data held back by a closed window needs the persist timer (RFC 9293 §3.8.6.1).
            if (available > offset && pcb.SendWindow == 0 && !pcb.Timers!.IsActive(TcpTimers.Retransmit) && !pcb.Timers.IsActive(TcpTimers.Persist))
                TcpTimers.ArmPersist(pcb);
            // A bare ACK carries SND.MAX, not a retransmission's SND.NXT, so the peer finds it in its window (BSD tcp_output).
            if ((pcb.AckNow || WindowUpdateDue(pcb)) && SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendMax, 0, 0, now) != Errno.None)
                RetryLater(pcb);
            return;
        }
    }

    /// <summary>
    /// The tail loss probe's segment (RFC 8985 §7.3): one new MSS of data when there is some and the peer's window
    /// takes it (congestion window aside), otherwise the last segment sent again.
    /// </summary>
    internal static void SendTailLossProbe(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        long now = NowMicros(stack);
        long available = pcb.SendRing?.ReadableCount ?? 0;
        int room = pcb.MaxSegmentSize - TcpSackRecovery.OptionRoom(pcb);
        long unsentOffset = (int)(pcb.SendMax - pcb.SendBufferBase);
        long flight = (int)(pcb.SendMax - pcb.SendUnacknowledged);
        long length = Math.Min(Math.Min(available - unsentOffset, room), pcb.SendWindow - flight);
        if (pcb.SendNext == pcb.SendMax && !pcb.FinSent && length > 0)
        {
            uint sequence = pcb.SendMax;
            if (SendSegment(stack, state, pcb, thread, TcpFlags.Ack, sequence, (int)unsentOffset, (int)length, now) != Errno.None) return;
            pcb.SendNext = pcb.SendMax = sequence + (uint)length;
            return;
        }
        uint start = TcpSequence.Max(pcb.SendUnacknowledged, pcb.SendMax - (uint)room);
        SendRetransmission(stack, state, pcb, thread, start, TcpSequence.Distance(start, pcb.SendMax), available, now);
    }

    /// <summary>
    /// One SACK-recovery retransmission of [<paramref name="sequence"/>, +<paramref name="length"/>): the data still
    /// in the ring, with the FIN if the stretch reaches it. SND.NXT does not move (RFC 6675 keeps it at HighData).
    /// </summary>
    private static Errno SendRetransmission(NetStack stack, TcpState state, TcpPcb pcb, int thread, uint sequence, int length, long available, long now)
    {
        int offset = (int)(sequence - pcb.SendBufferBase);
        var flags = TcpFlags.Ack;
        int data = (int)Math.Max(0, Math.Min(length, available - offset));
        if (pcb.FinSent && TcpSequence.InRange(pcb.FinSequence, sequence, sequence + (uint)length))
        {
            data = TcpSequence.Distance(sequence, pcb.FinSequence);
            flags |= TcpFlags.Fin;
        }
        var error = SendSegment(stack, state, pcb, thread, flags, sequence, offset, data, now);
        if (error != Errno.None) return error;
        state.Counters.Increment(thread, TcpCounter.Retransmits);
        if (pcb.RttTiming && TcpSequence.InRange(pcb.RttSequence, sequence, sequence + (uint)Math.Max(1, data))) pcb.RttTiming = false; // Karn
        TcpSackRecovery.OnRetransmitted(pcb, sequence, data + ((flags & TcpFlags.Fin) != 0 ? 1 : 0), now);
        if (!pcb.Timers!.IsActive(TcpTimers.Retransmit)) TcpTimers.ArmRetransmit(pcb);
        return Errno.None;
    }

    /// <summary>
    /// A send failed for want of buffers (ENOBUFS: the pool is lent out to frames still queued downstream). With
    /// nothing else due, no ACK or timer would ever call output again, so retry soon on the delayed-ACK timer,
    /// which runs output without counting a retransmission (BSD arms its retransmit timer on ENOBUFS).
    /// </summary>
    private static void RetryLater(TcpPcb pcb)
    {
        pcb.AckNow = true;
        var timers = pcb.Timers!;
        if (!timers.IsActive(TcpTimers.DelayedAck)) timers.Reset(TcpTimers.DelayedAck, TcpTimers.Micros(OutputRetryMicros));
    }

    private const long OutputRetryMicros = 5_000;

    /// <summary>Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): announce a bigger window only once it grew by 2 MSS or half the buffer.</summary>
    private static bool WindowUpdateDue(TcpPcb pcb)
    {
        if (pcb.ReceiveRing is not { } ring || pcb.State is not (TcpConnectionState.Established or TcpConnectionState.FinWait1 or TcpConnectionState.FinWait2)) return false;
        long window = ReceiveWindow(pcb);
        long growth = (int)(pcb.ReceiveNext + (uint)window - pcb.ReceiveAdvertised); // modular: how far the edge would move
        return growth >= 2L * pcb.MaxSegmentSize || growth >= ring.Capacity / 2;
    }

    /// <summary>
    /// The window we offer: the free room in the receive ring, but the right edge moves only when it can move by
    /// half the buffer or an MSS (receiver SWS avoidance, RFC 9293 §3.8.6.2.2), and never back. Between such moves
    /// every segment carries the same window, so the sender can tell duplicate ACKs from window updates.
    /// </summary>
    internal static long ReceiveWindow(TcpPcb pcb)
    {
        if (pcb.ReceiveRing is not { } ring || ring.IsReaderCompleted) return 0;
        long room = Math.Min(ring.WritableCount, 65535L << pcb.ReceiveScale);
        long offered = Math.Max(0, (int)(pcb.ReceiveAdvertised - pcb.ReceiveNext));
        // While a hole is open the edge stays put: the duplicate ACKs that report it must look alike (RFC 5681 §2).
        bool holeOpen = pcb.OutOfOrder is { IsEmpty: false };
        if (!holeOpen && room - offered >= Math.Min(ring.Capacity / 2, pcb.MaxSegmentSize)) return room;
        return Math.Min(offered, 65535L << pcb.ReceiveScale);
    }

    private static void SendSyn(NetStack stack, TcpState state, TcpPcb pcb, int thread, long now)
    {
        var flags = pcb.State == TcpConnectionState.SynReceived ? TcpFlags.Syn | TcpFlags.Ack : TcpFlags.Syn;
        if (SendSegment(stack, state, pcb, thread, flags, pcb.InitialSendSequence, 0, 0, now) != Errno.None)
        {
            if (!pcb.Timers!.IsActive(TcpTimers.Retransmit)) TcpTimers.ArmRetransmit(pcb); // the SYN is retried as if lost
            return;
        }
        pcb.SendNext = pcb.InitialSendSequence + 1;
        if (TcpSequence.Gt(pcb.SendNext, pcb.SendMax)) pcb.SendMax = pcb.SendNext;
        if (!pcb.Timers!.IsActive(TcpTimers.Retransmit)) TcpTimers.ArmRetransmit(pcb);
    }

    /// <summary>Sends one window probe: a byte beyond a zero window (RFC 9293 §3.8.6.1), or a bare ACK when there is no data.</summary>
    internal static void SendWindowProbe(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        long now = NowMicros(stack);
        long available = pcb.SendRing?.ReadableCount ?? 0;
        long offset = (int)(pcb.SendNext - pcb.SendBufferBase);
        if (offset < available)
        {
            if (SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendNext, (int)offset, 1, now) != Errno.None) return;
            state.Counters.Increment(thread, TcpCounter.WindowProbes);
            // The probe byte is sent data: SND.MAX covers it (SND.NXT stays, as BSD's persist case), so the ACK that
            // takes it is acceptable. Without this that ACK "acknowledges something not yet sent" and is dropped,
            // window update and the peer's data with it, and both sides wait forever.
            if (TcpSequence.Gt(pcb.SendNext + 1, pcb.SendMax)) pcb.SendMax = pcb.SendNext + 1;
        }
        else
        {
            SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendMax, 0, 0, now);
        }
    }

    /// <summary>A keepalive probe: SEG.SEQ = SND.UNA − 1 with no data, which makes the peer answer with an ACK (RFC 1122 §4.2.3.6).</summary>
    internal static void SendKeepalive(NetStack stack, TcpState state, TcpPcb pcb, int thread) =>
        SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendUnacknowledged - 1, 0, 0, NowMicros(stack));

    /// <summary>
    /// Builds and sends one segment of <paramref name="pcb"/>: <paramref name="length"/> bytes from the send ring at
    /// <paramref name="dataOffset"/>, the options its state calls for, our window and ACK.
    /// </summary>
    /// <summary>
    /// Builds and sends one segment of <paramref name="length"/> bytes read from the send ring at
    /// <paramref name="dataOffset"/>. With <paramref name="segmentSize"/> set, it is a TSO segment the device cuts into
    /// pieces of that many payload bytes (each with these headers, sequence numbers advanced and checksums filled).
    /// </summary>
    internal static Errno SendSegment(NetStack stack, TcpState state, TcpPcb pcb, int thread, TcpFlags flags, uint sequence,
        int dataOffset, int length, long now, int segmentSize = 0)
    {
        var options = new TcpOptions();
        bool syn = (flags & TcpFlags.Syn) != 0;
        if (syn)
        {
            options.MaxSegmentSize = (ushort)Math.Min(65535, LocalMss(stack, pcb));
            if (pcb.State == TcpConnectionState.SynSent || pcb.WindowScaling)
            {
                options.HasWindowScale = true;
                options.WindowScale = pcb.ReceiveScale;
            }
            if (pcb.State == TcpConnectionState.SynSent || pcb.SackPermitted) options.SackPermitted = true;
        }
        if ((syn && pcb.State == TcpConnectionState.SynSent) || pcb.Timestamps)
        {
            options.HasTimestamps = true;
            options.TimestampValue = (uint)(now / 1000); // as TimestampNow
            options.TimestampEcho = pcb.TimestampRecent;
        }
        if (!syn) TcpSackRecovery.AddBlocks(pcb, ref options);

        long window = ReceiveWindow(pcb);
        ushort windowField = syn ? (ushort)Math.Min(window, 65535) : (ushort)Math.Min(window >> pcb.ReceiveScale, 65535);
        bool ack = (flags & TcpFlags.Ack) != 0;
        ushort urgent = 0;
        if (pcb.UrgentPending)
        {
            if (!TcpSequence.Gt(pcb.SendUrgentPointer, pcb.SendUnacknowledged)) pcb.UrgentPending = false; // acknowledged
            else if (TcpSequence.Gt(pcb.SendUrgentPointer, sequence) && (flags & TcpFlags.Rst) == 0)
            {
                flags |= TcpFlags.Urg; // RFC 9293 §3.8.5: the pointer is an offset from this segment's sequence number
                urgent = (ushort)Math.Min(pcb.SendUrgentPointer - sequence, 65535);
            }
        }
        var repr = new TcpRepr(pcb.LocalPort, pcb.ForeignPort, sequence, ack ? pcb.ReceiveNext : 0, flags, windowField, urgent, options, length);

        var pool = ProtocolThread.Current!.Buffers;
        var packet = length > 0 ? pool.TryRentChain(length, pool.Options.DefaultHeadroom) : pool.TryRent();
        if (packet is null)
        {
            state.Counters.Increment(thread, TcpCounter.SendErrors);
            return Errno.ENOBUFS;
        }
        if (length > 0)
        {
            long at = dataOffset;
            for (var b = packet; b is not null; b = b.Next)
            {
                int copied = pcb.SendRing!.Peek(at, b.Data);
                at += copied;
            }
        }
        int headerLength = repr.HeaderLength;
        if (packet.Headroom < headerLength)
        {
            packet.Free();
            state.Counters.Increment(thread, TcpCounter.SendErrors);
            return Errno.ENOBUFS;
        }
        var header = packet.Prepend(headerLength);
        repr.EmitHeader(header);
        var source = new IPv4Address(pcb.LocalAddress);
        var destination = new IPv4Address(pcb.ForeignAddress);
        if (pcb.ChecksumOffload)
        {
            // Left to the device (CHECKSUM_PARTIAL / NEEDS_CSUM): the field holds the pseudo-header sum.
            ushort pseudo = InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, (ushort)(headerLength + length));
            header[16] = (byte)(pseudo >> 8);
            header[17] = (byte)pseudo;
            packet.ChecksumState = ChecksumState.Partial;
            packet.ChecksumStart = 0;
            packet.ChecksumOffset = 16;
            packet.SegmentationSize = segmentSize;
        }
        else
        {
            ushort checksum = Checksums.PseudoHeaderChain(packet, source, destination, IpProtocol.Tcp, headerLength + length);
            header[16] = (byte)(checksum >> 8);
            header[17] = (byte)checksum;
        }

        var error = IPv4.IPv4.Output(stack, packet, source, destination, IpProtocol.Tcp, pcb.TimeToLive, pcb.TypeOfService, dontFragment: true);
        if (error != Errno.None)
        {
            state.Counters.Increment(thread, TcpCounter.SendErrors);
            return error;
        }
        state.Counters.Increment(thread, TcpCounter.SegmentsSent);
        if (length > 0) state.Counters.Add(thread, TcpCounter.BytesSent, length);
        if ((flags & TcpFlags.Rst) == 0 && ack)
        {
            pcb.LastAckSent = pcb.ReceiveNext;
            pcb.AckNow = false;
            pcb.SegmentsSinceAck = 0;
            pcb.Timers?.Stop(TcpTimers.DelayedAck);
            uint edge = pcb.ReceiveNext + (uint)(syn ? windowField : (long)windowField << pcb.ReceiveScale);
            if (TcpSequence.Gt(edge, pcb.ReceiveAdvertised)) pcb.ReceiveAdvertised = edge;
        }
        pcb.LastActivityMicros = now;
        return Errno.None;
    }

    /// <summary>The MSS we offer: the route's MTU less the IPv4 and TCP headers (RFC 9293 §3.7.1), or TCP_MAXSEG when set lower.</summary>
    internal static int LocalMss(NetStack stack, TcpPcb pcb) => LocalMss(stack, pcb.ForeignAddress, pcb.RequestedMss);

    internal static int LocalMss(NetStack stack, uint foreignAddress, int requestedMss)
    {
        int mtu = 1500;
        if (stack.State<InterfaceTable>().TryRoute(new IPv4Address(foreignAddress), out var route)) mtu = route.Interface.Mtu;
        int mss = Math.Max(TcpSettings.DefaultMss, mtu - IPv4Packet.MinHeaderLength - TcpSegment.MinHeaderLength);
        return requestedMss > 0 ? Math.Min(mss, requestedMss) : mss;
    }

    /// <summary>
    /// A reset for a segment that has no connection (RFC 9293 §3.10.7.1): SEQ = SEG.ACK if it carried an ACK,
    /// otherwise SEQ 0 with ACK = SEG.SEQ + SEG.LEN. Never in answer to a reset.
    /// </summary>
    internal static void SendResetFor(NetStack stack, TcpState state, int thread, IPv4Address local, IPv4Address remote,
        ushort localPort, ushort remotePort, TcpFlags incoming, uint incomingSequence, uint incomingAcknowledgment, int segmentLength)
    {
        if ((incoming & TcpFlags.Rst) != 0) return;
        TcpRepr repr = (incoming & TcpFlags.Ack) != 0
            ? new TcpRepr(localPort, remotePort, incomingAcknowledgment, 0, TcpFlags.Rst, 0, 0, default, 0)
            : new TcpRepr(localPort, remotePort, 0, incomingSequence + (uint)segmentLength, TcpFlags.Rst | TcpFlags.Ack, 0, 0, default, 0);
        state.Counters.Increment(thread, TcpCounter.ResetsSent); // counted first: the peer may act on it at once
        SendBare(stack, state, thread, local, remote, repr);
    }

    /// <summary>A segment that belongs to no pcb state (a reset, a challenge ACK): header only.</summary>
    internal static void SendBare(NetStack stack, TcpState state, int thread, IPv4Address local, IPv4Address remote, in TcpRepr repr)
    {
        var packet = ProtocolThread.Current!.Buffers.TryRent();
        if (packet is null)
        {
            state.Counters.Increment(thread, TcpCounter.SendErrors);
            return;
        }
        var segment = packet.Append(repr.HeaderLength);
        repr.Emit(segment, local, remote);
        if (IPv4.IPv4.Output(stack, packet, local, remote, IpProtocol.Tcp, dontFragment: true) == Errno.None)
            state.Counters.Increment(thread, TcpCounter.SegmentsSent);
        else
            state.Counters.Increment(thread, TcpCounter.SendErrors);
    }
}
