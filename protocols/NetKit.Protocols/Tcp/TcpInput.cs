using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Protocols.Tcp.Reassembly;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// Segment arrival (RFC 9293 §3.10.7, DragonFly <c>tcp_input</c>) on the thread the segment's 4-tuple hashes to,
/// which owns the connection. Validation first (length, checksum, options); then the state machine: LISTEN makes a
/// passive connection on this thread, SYN-SENT completes an active open, and every other state runs the
/// acceptability test, RST and SYN checks (RFC 5961 challenge ACKs), ACK processing with RTT sampling, congestion
/// control and window update, in-order data into the receive ring (out-of-order data held by reference in the
/// reassembly queue), and FIN.
/// </summary>
internal static class TcpInput
{
    public static void Input(NetStack stack, PacketBuffer packet, int offset)
    {
        var state = stack.State<TcpState>();
        var counters = state.Counters;
        int thread = ProtocolContext.Thread(stack);
        counters.Increment(thread, TcpCounter.SegmentsReceived);
        var ip = IPv4Packet.CreateUnchecked(packet.Data.Slice(packet.NetworkOffset));
        var info = new TcpSegmentInfo { Source = ip.Source, Destination = ip.Destination };
        if (info.Destination.IsMulticast || stack.State<InterfaceTable>().IsBroadcast(info.Destination))
        {
            Drop(packet, counters, thread, TcpCounter.Malformed); // TCP is unicast only (RFC 1122 §4.2.3.10)
            return;
        }
        // The header is in the first buffer; a large segment's payload may continue in a chain (a scatter-gather
        // receive of a 64 KiB frame, or a reassembled datagram).
        var bytes = packet.Data.Slice(offset);
        int segmentLength = packet.Next is null ? bytes.Length : Chains.Length(packet) - offset;
        if (TcpSegment.TryCreate(bytes, out var segment) != WireError.None)
        {
            Drop(packet, counters, thread, TcpCounter.Malformed);
            return;
        }
        bool checksumOk = packet.ChecksumState == ChecksumState.Verified // the device vouched for it
            || (packet.Next is null
                ? segment.VerifyChecksum(info.Source, info.Destination)
                : ChainChecksumValid(packet, offset, segmentLength, info.Source, info.Destination));
        if (!checksumOk)
        {
            Drop(packet, counters, thread, TcpCounter.BadChecksum);
            return;
        }
        if (TcpOptions.TryParse(segment.Options, out info.Options) != WireError.None)
        {
            Drop(packet, counters, thread, TcpCounter.Malformed);
            return;
        }
        info.SourcePort = segment.SourcePort;
        info.DestinationPort = segment.DestinationPort;
        info.Sequence = segment.SequenceNumber;
        info.Acknowledgment = segment.AcknowledgmentNumber;
        info.Flags = segment.Flags;
        info.Window = segment.WindowSize;
        info.UrgentPointer = segment.UrgentPointer;
        info.PayloadOffset = offset + segment.HeaderLength;
        info.PayloadLength = segmentLength - segment.HeaderLength;

        var pcb = state.Tables[thread].Lookup(info.Destination.Value, info.DestinationPort, info.Source.Value, info.SourcePort, out bool isListener);
        if (pcb is null)
        {
            counters.Increment(thread, TcpCounter.NoConnection);
            TcpOutput.SendResetFor(stack, state, thread, info.Destination, info.Source, info.DestinationPort, info.SourcePort,
                info.Flags, info.Sequence, info.Acknowledgment, info.SequenceLength);
            packet.Free();
            return;
        }
        if (!isListener && pcb.State == TcpConnectionState.TimeWait && info.Has(TcpFlags.Syn) && !info.Has(TcpFlags.Ack) && !info.Has(TcpFlags.Rst)
            && CanReuseTimeWait(pcb, ref info)
            && ListenerFor(state, thread, ref info) is { } reuseListener)
        {
            // A new incarnation of the 4-tuple (RFC 6191 / BSD): end TIME-WAIT early and open from the listener.
            state.Counters.Increment(thread, TcpCounter.TimeWaitReused);
            TcpLifecycle.Close(state, pcb);
            pcb = reuseListener;
            isListener = true;
        }
        if (isListener)
        {
            if (!ListenInput(stack, state, thread, pcb, packet, ref info)) packet.Free();
            return;
        }
        if (!Process(stack, state, thread, pcb, packet, ref info)) packet.Free();
    }

    /// <summary>
    /// RFC 6191 §2: a SYN may reopen a 4-tuple in TIME-WAIT when it cannot be an old duplicate — its timestamp is
    /// newer than the last one seen, or (without timestamps) its sequence number is beyond the old connection's.
    /// </summary>
    private static bool CanReuseTimeWait(TcpPcb pcb, ref TcpSegmentInfo info) =>
        pcb.Timestamps && info.Options.HasTimestamps
            ? TcpSequence.Gt(info.Options.TimestampValue, pcb.TimestampRecent)
            : TcpSequence.Gt(info.Sequence, pcb.ReceiveNext);

    private static TcpPcb? ListenerFor(TcpState state, int thread, ref TcpSegmentInfo info) =>
        state.Tables[thread].FindListener(info.Destination.Value, info.DestinationPort);

    // ---------------- LISTEN (§3.10.7.2) with the SYN cache ----------------

    /// <summary>
    /// A segment for a listener. A SYN makes a SYN cache entry and a SYN-ACK, nothing more; the ACK that completes
    /// the handshake turns the entry into a connection on this thread (<c>syncache_expand</c> → <c>sonewconn</c>),
    /// which the normal path then establishes. Returns true when the packet was kept.
    /// </summary>
    private static bool ListenInput(NetStack stack, TcpState state, int thread, TcpPcb listener, PacketBuffer packet, ref TcpSegmentInfo info)
    {
        var key = new EndpointKey(info.Destination.Value, info.DestinationPort, info.Source.Value, info.SourcePort);
        var cache = state.SynCaches[thread];
        if (info.Has(TcpFlags.Rst))
        {
            // A reset for a half-open entry, if its sequence number is the one we expect (RFC 5961 spirit).
            if (cache.TryGet(key, out var reset) && info.Sequence == reset.InitialReceiveSequence + 1) cache.Remove(key);
            return false;
        }
        if (info.Has(TcpFlags.Ack))
        {
            if (!info.Has(TcpFlags.Syn) && cache.TryGet(key, out var entry) && info.Acknowledgment == entry.InitialSendSequence + 1)
                return Expand(stack, state, thread, entry, packet, ref info);
            TcpOutput.SendResetFor(stack, state, thread, info.Destination, info.Source, info.DestinationPort, info.SourcePort,
                info.Flags, info.Sequence, info.Acknowledgment, info.SequenceLength);
            return false;
        }
        if (!info.Has(TcpFlags.Syn)) return false;
        if (cache.TryGet(key, out var existing))
        {
            if (info.Sequence == existing.InitialReceiveSequence) SendSynAck(stack, state, thread, existing); // their SYN again: our SYN-ACK was lost
            return false;
        }
        if (listener.Socket?.Accepts is not { IsClosed: false }) return false;
        var added = cache.Add(key);
        added.Listener = listener;
        added.InitialReceiveSequence = info.Sequence;
        added.PeerWindow = info.Window;
        added.PeerOptions = info.Options;
        long now = TcpOutput.NowMicros(stack);
        added.InitialSendSequence = state.Isn.Next(key.LocalAddress, key.LocalPort, key.ForeignAddress, key.ForeignPort, now);
        added.NextRetransmitMicros = now + TcpSettings.InitialRtoMicros;
        state.Counters.Increment(thread, TcpCounter.PassiveOpens);
        SendSynAck(stack, state, thread, added);
        ArmSynSweep(stack, state, thread);
        return false;
    }

    /// <summary>The SYN-ACK of a cache entry: our ISS, their ISS + 1, and the options they offered answered (RFC 7323, RFC 2018).</summary>
    private static void SendSynAck(NetStack stack, TcpState state, int thread, TcpSynCache.Entry entry)
    {
        var listenerSocket = entry.Listener.Socket;
        int receiveBuffer = listenerSocket?.ReceiveBufferSize ?? NetSocket.DefaultBufferSize;
        var options = new TcpOptions { MaxSegmentSize = (ushort)Math.Min(65535, TcpOutput.LocalMss(stack, entry.Key.ForeignAddress, entry.Listener.RequestedMss)) };
        if (entry.PeerOptions.HasWindowScale)
        {
            options.HasWindowScale = true;
            options.WindowScale = TcpLifecycle.WindowScaleFor(receiveBuffer);
        }
        options.SackPermitted = entry.PeerOptions.SackPermitted;
        if (entry.PeerOptions.HasTimestamps)
        {
            options.HasTimestamps = true;
            options.TimestampValue = (uint)(TcpOutput.NowMicros(stack) / 1000);
            options.TimestampEcho = entry.PeerOptions.TimestampValue;
        }
        var repr = new TcpRepr(entry.Key.LocalPort, entry.Key.ForeignPort, entry.InitialSendSequence, entry.InitialReceiveSequence + 1,
            TcpFlags.Syn | TcpFlags.Ack, (ushort)Math.Min(receiveBuffer, 65535), 0, options, 0);
        TcpOutput.SendBare(stack, state, thread, new IPv4Address(entry.Key.LocalAddress), new IPv4Address(entry.Key.ForeignAddress), repr);
    }

    /// <summary>
    /// The handshake's ACK for a cache entry: a place in the listener's backlog (else the ACK is dropped and the
    /// entry kept, so the peer's retransmission may succeed), then the socket and pcb are born on this thread in
    /// SYN-RECEIVED and the normal path processes the ACK (and any data with it).
    /// </summary>
    private static bool Expand(NetStack stack, TcpState state, int thread, TcpSynCache.Entry entry, PacketBuffer packet, ref TcpSegmentInfo info)
    {
        var listener = entry.Listener;
        var listenerSocket = listener.Socket;
        if (listenerSocket?.Accepts is not { } queue || !queue.TryReserve())
        {
            state.Counters.Increment(thread, TcpCounter.ListenOverflows);
            return false;
        }
        state.SynCaches[thread].Remove(entry.Key);
        var socket = new NetSocket(stack, listenerSocket.ProtocolIndex, stack.Threads[thread].Port, SocketType.Stream)
        {
            SendBufferSize = listenerSocket.SendBufferSize,
            ReceiveBufferSize = listenerSocket.ReceiveBufferSize,
        };
        socket.SetOption(listenerSocket.Options, true);
        var pcb = new TcpPcb(stack, socket)
        {
            LocalAddress = entry.Key.LocalAddress,
            LocalPort = entry.Key.LocalPort,
            ForeignAddress = entry.Key.ForeignAddress,
            ForeignPort = entry.Key.ForeignPort,
            NoDelay = listener.NoDelay,
            KeepAlive = listener.KeepAlive,
            RequestedMss = listener.RequestedMss,
            ListenerQueue = queue,
        };
        socket.ProtocolControlBlock = pcb;
        TcpLifecycle.CreateRings(pcb, socket);
        TcpLifecycle.Bind(pcb, thread);
        if (!state.Tables[thread].InsertConnection(pcb))
        {
            queue.Unreserve();
            return false;
        }
        pcb.InitialReceiveSequence = entry.InitialReceiveSequence;
        pcb.ReceiveNext = entry.InitialReceiveSequence + 1;
        pcb.ReceiveAdvertised = pcb.ReceiveNext + (uint)Math.Min(socket.ReceiveBufferSize, 65535);
        pcb.InitialSendSequence = entry.InitialSendSequence;
        pcb.SendUnacknowledged = pcb.LostBelow = entry.InitialSendSequence;
        pcb.SendNext = pcb.SendMax = entry.InitialSendSequence + 1; // the SYN-ACK is out
        pcb.SendBufferBase = entry.InitialSendSequence + 1;
        Negotiate(stack, pcb, in entry.PeerOptions);
        pcb.SendWindow = entry.PeerWindow; // never scaled in a SYN (RFC 7323 §2.2)
        pcb.MaxSendWindow = pcb.SendWindow;
        pcb.SendWindowUpdateSequence = entry.InitialReceiveSequence;
        pcb.State = TcpConnectionState.SynReceived;
        socket.ChangeState(SocketStates.Connecting);
        return Process(stack, state, thread, pcb, packet, ref info);
    }

    private static unsafe void ArmSynSweep(NetStack stack, TcpState state, int thread)
    {
        var sweep = state.SynSweep(thread);
        if (sweep.IsPending || state.SynCaches[thread].Count == 0 || Runtime.Threading.ProtocolThread.Current is null) return;
        sweep.Reset(TimeSpan.FromMilliseconds(SynSweepMilliseconds), &SweepSynCache, sweep.Argument ?? new SynSweepContext(stack, thread));
    }

    private const int SynSweepMilliseconds = 200;

    private sealed record SynSweepContext(NetStack Stack, int Thread);

    /// <summary>Resends due SYN-ACKs with backoff (1, 2, 4 s) and forgets entries that stayed silent.</summary>
    private static void SweepSynCache(Runtime.Timers.Callout callout)
    {
        var context = (SynSweepContext)callout.Argument!;
        var state = context.Stack.State<TcpState>();
        var cache = state.SynCaches[context.Thread];
        long now = TcpOutput.NowMicros(context.Stack);
        if (cache.Due(now) is { } due)
        {
            foreach (var entry in due)
            {
                if (entry.Retransmits >= TcpSynCache.MaxRetransmits || entry.Listener.State != TcpConnectionState.Listen)
                {
                    cache.Remove(entry.Key);
                    continue;
                }
                entry.Retransmits++;
                entry.NextRetransmitMicros = now + (TcpSettings.InitialRtoMicros << entry.Retransmits);
                state.Counters.Increment(context.Thread, TcpCounter.Retransmits);
                SendSynAck(context.Stack, state, context.Thread, entry);
            }
        }
        ArmSynSweep(context.Stack, state, context.Thread);
    }

    /// <summary>Option negotiation on the peer's SYN (RFC 9293 §3.7.1, RFC 7323 §2.2/§3.2, RFC 2018 §2).</summary>
    private static void Negotiate(NetStack stack, TcpPcb pcb, in TcpOptions options)
    {
        pcb.PeerMss = options.MaxSegmentSize != 0 ? options.MaxSegmentSize : TcpSettings.DefaultMss;
        if (options.HasWindowScale)
        {
            pcb.WindowScaling = true;
            pcb.SendScale = Math.Min(options.WindowScale, (byte)TcpSettings.MaxWindowScale);
        }
        else
        {
            pcb.WindowScaling = false;
            pcb.SendScale = 0;
            pcb.ReceiveScale = 0; // both sides scale or neither does
        }
        pcb.Timestamps = options.HasTimestamps;
        if (options.HasTimestamps)
        {
            pcb.TimestampRecent = options.TimestampValue;
            pcb.TimestampRecentAge = TcpOutput.NowMicros(stack);
        }
        pcb.SackPermitted = options.SackPermitted;
        int mss = Math.Min(pcb.PeerMss, TcpOutput.LocalMss(stack, pcb)) - (pcb.Timestamps ? 12 : 0);
        pcb.MaxSegmentSize = Math.Max(64, mss);
        pcb.Congestion.Initialize(pcb.MaxSegmentSize);
    }

    // ---------------- SYN-SENT (§3.10.7.3) ----------------

    private static void SynSentInput(NetStack stack, TcpState state, int thread, TcpPcb pcb, ref TcpSegmentInfo info)
    {
        bool hasAck = info.Has(TcpFlags.Ack);
        if (hasAck && (TcpSequence.Leq(info.Acknowledgment, pcb.InitialSendSequence) || TcpSequence.Gt(info.Acknowledgment, pcb.SendMax)))
        {
            TcpOutput.SendResetFor(stack, state, thread, info.Destination, info.Source, info.DestinationPort, info.SourcePort,
                info.Flags, info.Sequence, info.Acknowledgment, info.SequenceLength);
            return;
        }
        if (info.Has(TcpFlags.Rst))
        {
            if (!hasAck) return;
            state.Counters.Increment(thread, TcpCounter.ResetsReceived);
            pcb.Socket?.SetError(Errno.ECONNREFUSED);
            TcpLifecycle.Close(state, pcb);
            return;
        }
        if (!info.Has(TcpFlags.Syn)) return;
        pcb.InitialReceiveSequence = info.Sequence;
        pcb.ReceiveNext = info.Sequence + 1;
        pcb.ReceiveAdvertised = pcb.ReceiveNext;
        Negotiate(stack, pcb, in info.Options);
        if (hasAck)
        {
            pcb.SendUnacknowledged = info.Acknowledgment;
            if (TcpSequence.Lt(pcb.SendNext, pcb.SendUnacknowledged)) pcb.SendNext = pcb.SendUnacknowledged;
            pcb.SendWindow = info.Window;
            pcb.MaxSendWindow = pcb.SendWindow;
            pcb.SendWindowUpdateSequence = info.Sequence;
            pcb.SendWindowUpdateAcknowledged = info.Acknowledgment;
            if (pcb.Timestamps && info.Options.HasTimestamps && info.Options.TimestampEcho != 0)
                pcb.Rtt.AddSample(Math.Max(1, TcpOutput.NowMicros(stack) / 1000 - info.Options.TimestampEcho) * 1000);
            pcb.Timers!.Stop(TcpTimers.Retransmit);
            TcpLifecycle.Establish(state, pcb);
            pcb.AckNow = true;
            TcpOutput.Output(stack, state, pcb, thread);
        }
        else
        {
            // Simultaneous open (§3.5, figure 8): answer with SYN-ACK from SYN-RECEIVED.
            pcb.SendWindow = info.Window;
            pcb.SendWindowUpdateSequence = info.Sequence;
            pcb.State = TcpConnectionState.SynReceived;
            pcb.SendNext = pcb.InitialSendSequence;
            TcpOutput.Output(stack, state, pcb, thread);
        }
    }

    // ---------------- every other state (§3.10.7.4) ----------------

    /// <summary>Returns true when the packet was kept (queued out of order); otherwise the caller frees it.</summary>
    private static bool Process(NetStack stack, TcpState state, int thread, TcpPcb pcb, PacketBuffer packet, ref TcpSegmentInfo info)
    {
        var counters = state.Counters;
        long now = TcpOutput.NowMicros(stack);
        pcb.LastReceivedMicros = now;
        pcb.KeepaliveProbesSent = 0;
        if (pcb.State == TcpConnectionState.SynSent)
        {
            SynSentInput(stack, state, thread, pcb, ref info);
            return false;
        }

        // PAWS (RFC 7323 §5.3): a timestamp older than the last one seen is an old duplicate.
        if (pcb.Timestamps && info.Options.HasTimestamps && !info.Has(TcpFlags.Rst) &&
            TcpSequence.Lt(info.Options.TimestampValue, pcb.TimestampRecent) &&
            now - pcb.TimestampRecentAge < 24L * 24 * 3600 * 1_000_000)
        {
            counters.Increment(thread, TcpCounter.PawsDrops);
            AckNow(state, pcb, thread);
            return false;
        }

        // A retransmitted SYN in SYN-RECEIVED: our SYN-ACK was lost; send it again.
        if (pcb.State == TcpConnectionState.SynReceived && info.Has(TcpFlags.Syn) && !info.Has(TcpFlags.Ack) && info.Sequence == pcb.InitialReceiveSequence)
        {
            pcb.SendNext = pcb.InitialSendSequence;
            TcpOutput.Output(stack, state, pcb, thread);
            return false;
        }

        // First: is the segment acceptable? (§3.10.7.4, the four cases.)
        long window = Math.Max(TcpOutput.ReceiveWindow(pcb), (int)(pcb.ReceiveAdvertised - pcb.ReceiveNext));
        int length = info.SequenceLength;
        uint originalSequence = info.Sequence;
        if (!Acceptable(pcb.ReceiveNext, window, info.Sequence, length))
        {
            if (info.Has(TcpFlags.Rst)) return false;
            if (length > 0 && TcpSequence.Leq(info.Sequence + (uint)length, pcb.ReceiveNext))
            {
                // An old duplicate (all of it already received): drop its data and flags but keep its ACK and window,
                // as the BSDs do; a peer retransmitting after a timeout still tells us what it has received.
                counters.Increment(thread, TcpCounter.DuplicateSegments);
                pcb.AckNow = true;
                info.PayloadLength = 0;
                info.Flags &= ~(TcpFlags.Syn | TcpFlags.Fin);
                info.Sequence = pcb.ReceiveNext;
                length = 0;
            }
            else
            {
                counters.Increment(thread, TcpCounter.OutOfWindowSegments);
                if (OutOfWindowAckAllowed(state, pcb, thread, now)) AckNow(state, pcb, thread);
                return false;
            }
        }

        // Second: RST (RFC 5961 §3.2: only an exact match resets; others in the window get a challenge ACK).
        if (info.Has(TcpFlags.Rst))
        {
            if (info.Sequence != pcb.ReceiveNext)
            {
                ChallengeAck(stack, state, pcb, thread);
                return false;
            }
            counters.Increment(thread, TcpCounter.ResetsReceived);
            var error = pcb.State switch
            {
                TcpConnectionState.SynReceived => Errno.ECONNREFUSED,
                TcpConnectionState.Closing or TcpConnectionState.LastAck or TcpConnectionState.TimeWait => Errno.None,
                _ => Errno.ECONNRESET,
            };
            if (error != Errno.None) pcb.Socket?.SetError(error);
            TcpLifecycle.Close(state, pcb);
            return false;
        }

        // Fourth: a SYN in a synchronized state (RFC 5961 §4): challenge ACK, never a reset of the connection.
        if (info.Has(TcpFlags.Syn))
        {
            ChallengeAck(stack, state, pcb, thread);
            return false;
        }

        // Fifth: ACK. A segment without one is dropped (an old duplicate still gets the ACK it is owed).
        if (!info.Has(TcpFlags.Ack))
        {
            if (pcb.AckNow) state.QueueAck(pcb, thread);
            return false;
        }
        bool sendNow = false;
        if (pcb.State == TcpConnectionState.SynReceived)
        {
            if (!TcpSequence.Gt(info.Acknowledgment, pcb.SendUnacknowledged) || TcpSequence.Gt(info.Acknowledgment, pcb.SendMax))
            {
                TcpOutput.SendResetFor(stack, state, thread, info.Destination, info.Source, info.DestinationPort, info.SourcePort,
                    info.Flags, info.Sequence, info.Acknowledgment, info.SequenceLength);
                return false;
            }
            pcb.Timers!.Stop(TcpTimers.Retransmit);
            pcb.SendWindow = (uint)info.Window << pcb.SendScale;
            pcb.MaxSendWindow = Math.Max(pcb.MaxSendWindow, pcb.SendWindow);
            pcb.SendWindowUpdateSequence = info.Sequence;
            pcb.SendWindowUpdateAcknowledged = info.Acknowledgment;
            TcpLifecycle.Establish(state, pcb);
            if (pcb.State == TcpConnectionState.Closed) return false;
            if (pcb.FinRequested) pcb.State = TcpConnectionState.FinWait1; // closed before the handshake finished
        }

        if (TcpSequence.Gt(info.Acknowledgment, pcb.SendMax))
        {
            AckNow(state, pcb, thread); // acknowledges something not yet sent
            return false;
        }
        if (pcb.SackPermitted)
        {
            // RFC 6675: loss found from the scoreboard, which any ACK may update, data-bearing or not.
            bool advanced = TcpSequence.Gt(info.Acknowledgment, pcb.SendUnacknowledged);
            bool duplicate = !advanced && IsDuplicateAck(pcb, ref info);
            if (duplicate) counters.Increment(thread, TcpCounter.DuplicateAcks);
            if (advanced)
            {
                TcpSackRecovery.DetectSpuriousRecovery(state, pcb, thread, ref info);
                AcknowledgeData(stack, state, pcb, thread, ref info, now);
                if (pcb.State == TcpConnectionState.Closed) return false;
            }
            if (TcpSackRecovery.OnAck(state, pcb, thread, ref info, advanced, duplicate)) sendNow = true;
        }
        else if (TcpSequence.Leq(info.Acknowledgment, pcb.SendUnacknowledged))
        {
            if (IsDuplicateAck(pcb, ref info))
            {
                counters.Increment(thread, TcpCounter.DuplicateAcks);
                uint flight = pcb.SendMax - pcb.SendUnacknowledged;
                if (pcb.Congestion.OnDuplicateAck(pcb.SendUnacknowledged, pcb.SendMax, flight))
                {
                    counters.Increment(thread, TcpCounter.FastRetransmits);
                    RetransmitFirst(stack, state, pcb, thread);
                }
                else if (pcb.Congestion.InRecovery)
                {
                    sendNow = true; // the inflated window may let new data out (RFC 6582 §3.2 step 3)
                }
            }
        }
        else
        {
            AcknowledgeData(stack, state, pcb, thread, ref info, now);
            sendNow = true;
            if (pcb.State == TcpConnectionState.Closed) return false;
        }

        // Window update (§3.10.7.4, SND.WL1/SND.WL2 rule).
        if (TcpSequence.Lt(pcb.SendWindowUpdateSequence, originalSequence) ||
            (pcb.SendWindowUpdateSequence == originalSequence && TcpSequence.Leq(pcb.SendWindowUpdateAcknowledged, info.Acknowledgment)))
        {
            uint newWindow = (uint)info.Window << pcb.SendScale;
            if (newWindow > pcb.SendWindow) sendNow = true;
            pcb.SendWindow = newWindow;
            pcb.MaxSendWindow = Math.Max(pcb.MaxSendWindow, newWindow);
            pcb.SendWindowUpdateSequence = originalSequence;
            pcb.SendWindowUpdateAcknowledged = info.Acknowledgment;
            if (newWindow > 0 && pcb.Timers!.IsActive(TcpTimers.Persist))
            {
                pcb.Timers.Stop(TcpTimers.Persist);
                pcb.PersistShift = 0;
            }
        }

        // Our FIN acknowledged?
        bool finAcked = pcb.FinSent && TcpSequence.Gt(pcb.SendUnacknowledged, pcb.FinSequence);
        if (finAcked && pcb.Socket is { } socket && (socket.State & SocketStates.SendAcknowledged) == 0) socket.ChangeState(SocketStates.SendAcknowledged);
        switch (pcb.State)
        {
            case TcpConnectionState.FinWait1 when finAcked:
                pcb.State = TcpConnectionState.FinWait2;
                if (pcb.Detached) pcb.Timers!.Reset(TcpTimers.TimeWait, TcpTimers.Micros(state.TimeWaitMicros)); // orphan: don't wait forever
                break;
            case TcpConnectionState.Closing when finAcked:
                TcpLifecycle.EnterTimeWait(state, pcb);
                break;
            case TcpConnectionState.LastAck when finAcked:
                TcpLifecycle.Close(state, pcb);
                return false;
        }

        // Timestamps to echo (RFC 7323 §4.3): from the segment covering the last ACK we sent.
        if (pcb.Timestamps && info.Options.HasTimestamps && TcpSequence.Leq(info.Sequence, pcb.LastAckSent) &&
            TcpSequence.Lt(pcb.LastAckSent, info.Sequence + (uint)Math.Max(1, length)))
        {
            pcb.TimestampRecent = info.Options.TimestampValue;
            pcb.TimestampRecentAge = now;
        }

        // Sixth: URG (RFC 9293 §3.10.7.4; DragonFly tcp_input "Process segments with URG"), before any FIN.
        if (info.Has(TcpFlags.Urg) && info.UrgentPointer != 0 && pcb.State is TcpConnectionState.Established or TcpConnectionState.FinWait1 or TcpConnectionState.FinWait2)
            NoteUrgent(pcb, originalSequence + info.UrgentPointer);

        // Seventh: text.
        bool kept = false;
        if (info.PayloadLength > 0 && pcb.State is TcpConnectionState.Established or TcpConnectionState.FinWait1 or TcpConnectionState.FinWait2)
            kept = ReceiveData(state, pcb, thread, packet, ref info, window);
        else if (info.PayloadLength > 0 && pcb.State is TcpConnectionState.CloseWait or TcpConnectionState.Closing or TcpConnectionState.LastAck or TcpConnectionState.TimeWait)
            pcb.AckNow = true; // data after their FIN: ignore it, re-acknowledge

        // Eighth: FIN, once everything before it has arrived.
        if (info.Has(TcpFlags.Fin) && info.Sequence + (uint)info.PayloadLength == pcb.ReceiveNext)
            ReceiveFin(state, pcb);
        else if (info.Has(TcpFlags.Fin) && pcb.State == TcpConnectionState.TimeWait)
            pcb.AckNow = true;

        if (pcb.State == TcpConnectionState.Closed) return kept;
        if (sendNow) TcpOutput.Output(stack, state, pcb, thread);
        else if (pcb.AckNow) state.QueueAck(pcb, thread);
        return kept;
    }

    private static bool Acceptable(uint receiveNext, long window, uint sequence, int length)
    {
        if (length == 0)
            return window == 0 ? sequence == receiveNext : TcpSequence.InRange(sequence, receiveNext, receiveNext + (uint)window);
        if (window == 0) return false;
        uint end = receiveNext + (uint)window;
        return TcpSequence.InRange(sequence, receiveNext, end) || TcpSequence.InRange(sequence + (uint)length - 1, receiveNext, end);
    }

    /// <summary>
    /// RFC 5681 §2's duplicate ACK: no data, no SYN/FIN, the same ACK and the same window, with data outstanding. A
    /// window update is not a duplicate (Linux's FLAG_WIN_UPDATE), or the reader's progress would fake losses.
    /// </summary>
    private static bool IsDuplicateAck(TcpPcb pcb, ref TcpSegmentInfo info) =>
        info.PayloadLength == 0 && !info.Has(TcpFlags.Syn) && !info.Has(TcpFlags.Fin) &&
        info.Acknowledgment == pcb.SendUnacknowledged && pcb.SendMax != pcb.SendUnacknowledged &&
        ((uint)info.Window << pcb.SendScale) == pcb.SendWindow;

    /// <summary>New data acknowledged: RTT sample, ring release, congestion window, timers (§3.10.7.4 ESTABLISHED; RFC 6298 §5).</summary>
    private static void AcknowledgeData(NetStack stack, TcpState state, TcpPcb pcb, int thread, ref TcpSegmentInfo info, long now)
    {
        uint ack = info.Acknowledgment;
        int acked = (int)(ack - pcb.SendUnacknowledged);
        uint flightBefore = pcb.SendMax - pcb.SendUnacknowledged;

        if (pcb.Timestamps && info.Options.HasTimestamps && info.Options.TimestampEcho != 0)
            pcb.Rtt.AddSample(Math.Max(1, (long)(uint)((uint)(now / 1000) - info.Options.TimestampEcho)) * 1000); // RFC 7323 §4.1
        else if (pcb.RttTiming && TcpSequence.Gt(ack, pcb.RttSequence))
            pcb.Rtt.AddSample(Math.Max(1, now - pcb.RttStartMicros));
        if (pcb.RttTiming && TcpSequence.Gt(ack, pcb.RttSequence)) pcb.RttTiming = false;

        // Only data bytes leave the ring: the SYN and FIN occupy sequence space but no buffer.
        int dataAcked = acked;
        if (pcb.SendUnacknowledged == pcb.InitialSendSequence) dataAcked--;
        if (pcb.FinSent && TcpSequence.Gt(ack, pcb.FinSequence)) dataAcked--;
        if (dataAcked > 0 && pcb.SendRing is { } ring)
        {
            int releasable = (int)Math.Min(dataAcked, ring.ReadableCount);
            ring.Release(releasable);
            pcb.SendBufferBase += (uint)releasable;
        }
        pcb.SendUnacknowledged = ack;
        if (TcpSequence.Lt(pcb.SendNext, ack)) pcb.SendNext = ack;
        TcpSackRecovery.OnCumulativeAck(pcb, ack);
        if (TcpSequence.Lt(pcb.LostBelow, ack)) pcb.LostBelow = ack;
        pcb.RetransmitShift = 0;
        pcb.Rtt.ResetBackoff();
        if (pcb.Congestion.OnAck(ack, acked, flightBefore, now))
            RetransmitFirst(stack, state, pcb, thread); // NewReno partial ACK
        if (pcb.SendUnacknowledged == pcb.SendMax) pcb.Timers!.Stop(TcpTimers.Retransmit);
        else TcpTimers.ArmRetransmit(pcb);
    }

    /// <summary>Resends the first unacknowledged segment without moving SND.NXT (fast retransmit, partial ACK).</summary>
    private static void RetransmitFirst(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        long now = TcpOutput.NowMicros(stack);
        long available = pcb.SendRing?.ReadableCount ?? 0;
        int offset = (int)(pcb.SendUnacknowledged - pcb.SendBufferBase);
        int length = (int)Math.Min(pcb.MaxSegmentSize, Math.Max(0, available - offset));
        var flags = TcpFlags.Ack;
        if (pcb.FinSent && pcb.SendUnacknowledged + (uint)length == pcb.FinSequence) flags |= TcpFlags.Fin;
        if (length == 0 && (flags & TcpFlags.Fin) == 0) return;
        pcb.RttTiming = false;
        if (TcpOutput.SendSegment(stack, state, pcb, thread, flags, pcb.SendUnacknowledged, offset, length, now) == Errno.None)
        {
            state.Counters.Increment(thread, TcpCounter.Retransmits);
            TcpTimers.ArmRetransmit(pcb);
        }
    }

    /// <summary>In-order data into the receive ring, then whatever the reassembly queue can now deliver; out-of-order data is held.</summary>
    private static bool ReceiveData(TcpState state, TcpPcb pcb, int thread, PacketBuffer packet, ref TcpSegmentInfo info, long window)
    {
        var ring = pcb.ReceiveRing;
        if (ring is null || ring.IsReaderCompleted)
        {
            pcb.AckNow = true;
            return false;
        }
        uint sequence = info.Sequence;
        int offset = info.PayloadOffset;
        int length = info.PayloadLength;
        if (TcpSequence.Lt(sequence, pcb.ReceiveNext))
        {
            int duplicate = (int)(pcb.ReceiveNext - sequence); // already have the front: trim it
            offset += duplicate;
            length -= duplicate;
            sequence = pcb.ReceiveNext;
        }
        if (length <= 0)
        {
            pcb.AckNow = true;
            return false;
        }
        if (sequence == pcb.ReceiveNext)
        {
            int written = pcb.UrgentBytePending && TcpSequence.InRange(pcb.ReceiveUrgentPointer - 1, sequence, sequence + (uint)length)
                ? WriteAroundUrgentByte(pcb, ring, packet, offset, length, (int)(pcb.ReceiveUrgentPointer - 1 - sequence))
                : WriteToRing(ring, packet, offset, length);
            pcb.ReceiveNext += (uint)written;
            state.Counters.Add(thread, TcpCounter.BytesReceived, written);
            bool filledGap = false;
            if (pcb.OutOfOrder is { IsEmpty: false } queue)
            {
                uint next = pcb.ReceiveNext;
                int delivered = DeliverHeld(pcb, queue, ring, ref next);
                pcb.ReceiveNext = next;
                state.Counters.Add(thread, TcpCounter.BytesReceived, delivered);
                filledGap = true;
            }
            // Delayed ACK (RFC 9293 §3.8.6.3, RFC 5681 §4.2): every second full segment at once, otherwise within 40 ms.
            // A coalesced (GRO/GSO) frame of several segments counts as them all, as Linux counts bytes past rcv_mss.
            pcb.SegmentsSinceAck += length > pcb.MaxSegmentSize ? 2 : 1;
            if (pcb.SegmentsSinceAck >= 2 || filledGap || written < length) pcb.AckNow = true;
            else if (!pcb.Timers!.IsActive(TcpTimers.DelayedAck)) pcb.Timers.Reset(TcpTimers.DelayedAck, TcpTimers.Micros(state.DelayedAckMicros));
            return false;
        }

        // Out of order: hold it by reference and say what we still miss with an immediate duplicate ACK, one per
        // segment and not aggregated: the sender's fast retransmit counts them (RFC 5681 §4.2).
        state.Counters.Increment(thread, TcpCounter.OutOfOrderSegments);
        pcb.OutOfOrder ??= new TcpReassemblyQueue();
        var result = pcb.OutOfOrder.Insert(pcb.ReceiveNext, pcb.ReceiveNext + (uint)window, sequence, packet, offset, length);
        if (result is not InsertResult.Queued) state.Counters.Increment(thread, TcpCounter.OutOfOrderDrops);
        TcpOutput.SendSegment(pcb.Stack, state, pcb, thread, TcpFlags.Ack, pcb.SendMax, 0, 0, TcpOutput.NowMicros(pcb.Stack));
        return true; // the queue owns the packet in every case
    }

    /// <summary>The peer's FIN: the stream ends for the reader once the ring is drained (§3.10.7.4 eighth).</summary>
    private static void ReceiveFin(TcpState state, TcpPcb pcb)
    {
        pcb.ReceiveNext++;
        pcb.AckNow = true;
        pcb.ReceiveRing?.CompleteWriting();
        pcb.Socket?.ChangeState(SocketStates.CantReceiveMore);
        bool finAcked = pcb.FinSent && TcpSequence.Gt(pcb.SendUnacknowledged, pcb.FinSequence);
        switch (pcb.State)
        {
            case TcpConnectionState.SynReceived or TcpConnectionState.Established:
                pcb.State = TcpConnectionState.CloseWait;
                break;
            case TcpConnectionState.FinWait1:
                if (finAcked) TcpLifecycle.EnterTimeWait(state, pcb);
                else pcb.State = TcpConnectionState.Closing;
                break;
            case TcpConnectionState.FinWait2:
                TcpLifecycle.EnterTimeWait(state, pcb);
                break;
            case TcpConnectionState.TimeWait:
                pcb.Timers!.Reset(TcpTimers.TimeWait, TcpTimers.Micros(state.TimeWaitMicros));
                break;
        }
    }

    /// <summary>
    /// A new urgent pointer (RCV.UP, one past the urgent byte): the socket's mark becomes the stream position the
    /// urgent byte takes, i.e. the count of bytes before it (<c>so_oobmark</c>). Unless SO_OOBINLINE, the byte itself
    /// will be pulled out of the stream when it arrives in order.
    /// </summary>
    private static void NoteUrgent(TcpPcb pcb, uint urgentPointer)
    {
        if (pcb.HasReceiveUrgent && !TcpSequence.Gt(urgentPointer, pcb.ReceiveUrgentPointer)) return;
        if (!TcpSequence.Gt(urgentPointer, pcb.ReceiveNext) || pcb.ReceiveRing is not { } ring || pcb.Socket is not { } socket) return;
        long ahead = (int)(urgentPointer - 1 - pcb.ReceiveNext);
        if (ahead > ring.Capacity) return; // beyond what the buffer could ever hold: ignored, as BSD does past sb_max
        pcb.ReceiveUrgentPointer = urgentPointer;
        pcb.HasReceiveUrgent = true;
        pcb.UrgentBytePending = (socket.Options & SocketOptionFlags.OutOfBandInline) == 0;
        socket.SetOutOfBandMark(ring.TotalWritten + ahead);
    }

    /// <summary>In-order data that contains the urgent byte: the bytes around it go to the ring, the byte to the socket (<c>tcp_pulloutofband</c>).</summary>
    private static int WriteAroundUrgentByte(TcpPcb pcb, Runtime.SocketBuffers.ByteRing ring, PacketBuffer packet, int offset, int length, int at)
    {
        int before = WriteToRing(ring, packet, offset, at);
        if (before < at) return before; // the ring filled first: the rest (urgent byte included) comes again
        pcb.Socket?.HoldOutOfBandByte(ByteAt(packet, offset + at));
        pcb.UrgentBytePending = false;
        return at + 1 + WriteToRing(ring, packet, offset + at + 1, length - at - 1);
    }

    /// <summary>
    /// Delivers what the reassembly queue holds in order, pulling the urgent byte out of the stream when it was held
    /// out of order (not SO_OOBINLINE), as <see cref="WriteAroundUrgentByte"/> does for in-order data.
    /// </summary>
    private static int DeliverHeld(TcpPcb pcb, TcpReassemblyQueue queue, Runtime.SocketBuffers.ByteRing ring, ref uint next)
    {
        if (!pcb.UrgentBytePending) return queue.DeliverTo(ref next, ring);
        uint urgent = pcb.ReceiveUrgentPointer - 1;
        int before = TcpSequence.Distance(next, urgent);
        if (before < 0) return queue.DeliverTo(ref next, ring);
        int delivered = queue.DeliverTo(ref next, ring, before);
        if (next != urgent || !queue.TryTakeByte(ref next, out byte value)) return delivered; // a hole or a full ring first
        pcb.Socket?.HoldOutOfBandByte(value);
        pcb.UrgentBytePending = false;
        return delivered + 1 + queue.DeliverTo(ref next, ring);
    }

    private static byte ByteAt(PacketBuffer packet, int offset)
    {
        for (var b = packet; b is not null; b = b.Next)
        {
            if (offset < b.Length) return b.Data[offset];
            offset -= b.Length;
        }
        return 0;
    }

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="offset"/> of a packet (chained or not) into the ring; returns what fit.</summary>
    private static int WriteToRing(Runtime.SocketBuffers.ByteRing ring, PacketBuffer packet, int offset, int length)
    {
        if (packet.Next is null) return ring.Write(packet.Data.Slice(offset, length));
        int written = 0;
        for (var b = packet; b is not null && written < length; b = b.Next)
        {
            var data = b.Data;
            if (offset >= data.Length)
            {
                offset -= data.Length;
                continue;
            }
            var piece = data.Slice(offset, Math.Min(data.Length - offset, length - written));
            offset = 0;
            int n = ring.Write(piece);
            written += n;
            if (n < piece.Length) break; // the ring is full
        }
        return written;
    }

    private static bool ChainChecksumValid(PacketBuffer packet, int offset, int length, IPv4Address source, IPv4Address destination)
    {
        var sum = new ChecksumAccumulator();
        sum.AddPartialSum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, (ushort)length));
        sum.Add(packet.Data.Slice(offset));
        for (var b = packet.Next; b is not null; b = b.Next) sum.Add(b.Data);
        return sum.Checksum == 0;
    }

    private static void AckNow(TcpState state, TcpPcb pcb, int thread)
    {
        pcb.AckNow = true;
        state.QueueAck(pcb, thread);
    }

    /// <summary>
    /// RFC 5961 §7 ACK throttling: a connection answers out-of-window segments and sends challenge ACKs at most once
    /// per <see cref="TcpState.InvalidAckIntervalMicros"/> (Linux's per-socket <c>tcp_invalid_ratelimit</c>, 500 ms), so
    /// a blind flood of spoofed segments cannot turn it into an ACK reflector. The limit is per connection, not
    /// global, so it leaks nothing about other connections (CVE-2016-5696).
    /// </summary>
    private static bool OutOfWindowAckAllowed(TcpState state, TcpPcb pcb, int thread, long now)
    {
        if (pcb.LastInvalidAckMicros != 0 && now - pcb.LastInvalidAckMicros < state.InvalidAckIntervalMicros)
        {
            state.Counters.Increment(thread, TcpCounter.InvalidAcksThrottled);
            return false;
        }
        pcb.LastInvalidAckMicros = Math.Max(1, now);
        return true;
    }

    /// <summary>RFC 5961 §3.2/§4: an ACK that tells a possibly spoofed sender where we really are.</summary>
    private static void ChallengeAck(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        if (!OutOfWindowAckAllowed(state, pcb, thread, TcpOutput.NowMicros(stack))) return;
        state.Counters.Increment(thread, TcpCounter.ChallengeAcks);
        pcb.AckNow = true;
        TcpOutput.Output(stack, state, pcb, thread);
        if (pcb.AckNow) TcpOutput.SendSegment(stack, state, pcb, thread, TcpFlags.Ack, pcb.SendMax, 0, 0, TcpOutput.NowMicros(stack));
    }

    private static void Drop(PacketBuffer packet, Runtime.Diagnostics.CounterSet<TcpCounter> counters, int thread, TcpCounter reason)
    {
        counters.Increment(thread, reason);
        packet.Free();
    }
}
