using System;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Protocols.Tcp.Sack;
using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// SACK on both sides of a connection that negotiated it (RFC 2018): the receiver reports its out-of-order ranges,
/// and the sender keeps a scoreboard and recovers per RFC 6675 — loss found from the scoreboard (so it works when
/// the peer's ACKs ride on its own data, which RFC 5681 never counts as duplicates), as many holes resent per
/// round trip as the pipe allows, lost retransmissions resent without waiting for the RTO, and limited transmit
/// (RFC 3042). Runs on the connection's thread.
/// </summary>
internal static class TcpSackRecovery
{
    /// <summary>Option bytes a segment must leave for SACK blocks while we hold out-of-order data: NOP, NOP, kind,
    /// length and as many 8-byte blocks as fit beside the timestamps (3) or without them (4).</summary>
    internal static int OptionRoom(TcpPcb pcb) =>
        pcb.SackPermitted && pcb.OutOfOrder is { IsEmpty: false } ? (pcb.Timestamps ? 4 + 3 * 8 : 4 + 4 * 8) : 0;

    /// <summary>The receiver's side: our out-of-order ranges as SACK blocks, the latest first (RFC 2018 §4).</summary>
    internal static void AddBlocks(TcpPcb pcb, ref TcpOptions options)
    {
        if (!pcb.SackPermitted || pcb.OutOfOrder is not { IsEmpty: false } queue) return;
        Span<(uint Left, uint Right)> blocks = stackalloc (uint, uint)[TcpOptions.MaxSackBlocks];
        int count = queue.CopySackBlocks(blocks);
        for (int i = 0; i < count; i++) options.AddSackBlock(new TcpSackBlock(blocks[i].Left, blocks[i].Right));
    }

    /// <summary>
    /// The sender's side of one acceptable ACK (after SND.UNA moved, if it did): records its SACK blocks, counts
    /// duplicates, finds lost retransmissions, and enters recovery when SND.UNA's segment is lost (RFC 6675 §5).
    /// Returns true when output should run (recovery, limited transmit, or a lost retransmission to resend).
    /// </summary>
    internal static bool OnAck(TcpState state, TcpPcb pcb, int thread, ref TcpSegmentInfo info, bool advanced, bool duplicate)
    {
        var board = pcb.Scoreboard;
        int newlySacked = 0;
        int blocks = info.Options.SackBlockCount;
        if (blocks > 0)
        {
            board ??= pcb.Scoreboard = new TcpSackScoreboard();
            for (int i = 0; i < blocks; i++)
            {
                // A block must start above SND.UNA: one at or below it is a D-SACK (RFC 2883) or stale, and taking
                // it would mark SND.UNA's byte — which the cumulative ACK says is missing — as received (Linux
                // tcp_is_sackblock_valid ignores it too).
                var block = info.Options.GetSackBlock(i);
                if (!TcpSequence.Gt(block.Left, pcb.SendUnacknowledged)) continue;
                newlySacked += board.Add(block.Left, block.Right, pcb.SendUnacknowledged, pcb.SendMax);
            }
        }
        if (advanced) pcb.DuplicateAcks = 0;
        else if (duplicate || newlySacked > 0) pcb.DuplicateAcks++;
        if (pcb.ProbeSent && newlySacked > 0 && board is { IsEmpty: false })
        {
            // The probe's SACK: what it reports arrived, and what was sent a PTO before it has not. RACK calls that
            // lost without waiting for DupThresh.
            pcb.LostBelow = TcpSequence.Max(pcb.LostBelow, board[board.RangeCount - 1].Start);
        }
        if (advanced) pcb.ProbeSent = false;
        if (pcb.SendMax == pcb.SendUnacknowledged) return advanced;

        int mss = pcb.MaxSegmentSize;
        int threshold = pcb.Reordering;
        if (pcb.Congestion.InRecovery)
        {
            if (board is not null && pcb.RetransmitLog is { Count: > 0 } log)
            {
                // RACK's reordering allowance: an RTT and a quarter since the retransmission left (RFC 8985 §6.2).
                long rtt = Math.Max(pcb.Rtt.SmoothedRtt, 1_000);
                int lost = log.Update(pcb.SendUnacknowledged, board, mss, threshold, TcpOutput.NowMicros(pcb.Stack), rtt + rtt / 4);
                if (lost > 0) state.Counters.Add(thread, TcpCounter.LostRetransmits, lost);
            }
            return true; // pipe may have shrunk: more may go
        }

        bool lossAtUna = pcb.DuplicateAcks >= threshold || TcpSequence.Gt(pcb.LostBelow, pcb.SendUnacknowledged) ||
            (board is { IsEmpty: false } && (board.IsLost(board[0].Start, mss, threshold) || EarlyRetransmitDue(pcb, board)));
        if (lossAtUna && pcb.Congestion.OnSackLoss(pcb.SendUnacknowledged, pcb.SendMax, pcb.SendMax - pcb.SendUnacknowledged))
        {
            state.Counters.Increment(thread, TcpCounter.FastRetransmits);
            // Eifel needs SND.UNA's segment to be sent for the first time by this recovery: not after a probe.
            pcb.EifelPending = pcb.Timestamps && !pcb.ProbeSent;
            pcb.RecoveryTimestamp = TcpOutput.TimestampNow(pcb.Stack);
            pcb.RecoveryReorderEstimate = board is { IsEmpty: false } ? (int)Math.Min(int.MaxValue, (board.HighestSacked - pcb.SendUnacknowledged) / (uint)mss) : threshold;
            pcb.HighRetransmitted = pcb.SendUnacknowledged;
            pcb.RetransmitUnaPending = true;
            (pcb.RetransmitLog ??= new TcpRetransmitLog()).Clear();
            return true;
        }
        // Limited transmit (RFC 3042): the first two duplicates each let one new segment out.
        return advanced || pcb.DuplicateAcks is 1 or 2;
    }

    /// <summary>Most reordering we adapt to, in segments (Linux's tcp_max_reordering is 300).</summary>
    private const int MaxReordering = 300;

    /// <summary>
    /// RFC 3522 Eifel detection on the first ACK that moves SND.UNA in a recovery (called before the ACK is applied,
    /// while the recovery it may undo is still on): if it echoes a timestamp older than
    /// our first retransmission's, the original segment arrived and the "loss" was reordering. Then the window
    /// reduction is undone (RFC 4015) and DupThresh grows to the reordering seen, so the same pattern no longer
    /// costs a recovery (Linux tcp_try_undo_recovery and tcp_update_reordering).
    /// </summary>
    internal static void DetectSpuriousRecovery(TcpState state, TcpPcb pcb, int thread, ref TcpSegmentInfo info)
    {
        if (!pcb.EifelPending) return;
        pcb.EifelPending = false;
        if (!info.Options.HasTimestamps || info.Options.TimestampEcho == 0) return;
        if (!TcpSequence.Lt(info.Options.TimestampEcho, pcb.RecoveryTimestamp)) return;
        if (!pcb.Congestion.UndoReduction()) return;
        state.Counters.Increment(thread, TcpCounter.SpuriousRecoveries);
        pcb.RetransmitLog?.Clear();
        pcb.RetransmitUnaPending = false;
        // DupThresh grows only by one per proven reordering and never past a quarter of the congestion window, so
        // a small window still has the SACKs to find a real loss.
        int cap = Math.Max(TcpSackScoreboard.DuplicateThreshold, (int)(pcb.Congestion.CongestionWindow / (uint)pcb.MaxSegmentSize / 4));
        pcb.Reordering = Math.Clamp(Math.Min(pcb.Reordering + 1, pcb.RecoveryReorderEstimate + 1), TcpSackScoreboard.DuplicateThreshold, Math.Min(cap, MaxReordering));
    }

    /// <summary>
    /// SND.UNA moved to <paramref name="ack"/>: the scoreboard forgets what that covers. An ACK that lands on or inside
    /// a range the peer SACKed means the peer dropped data it had reported (reneging, RFC 2018 §8: its reassembly
    /// queue is bounded): the scoreboard no longer describes it and is cleared (Linux tcp_check_sack_reneging).
    /// </summary>
    internal static void OnCumulativeAck(TcpPcb pcb, uint ack)
    {
        if (pcb.Scoreboard is not { } board) return;
        bool reneged = false;
        for (int i = 0; i < board.RangeCount; i++)
        {
            var (start, end) = board[i];
            if (TcpSequence.Leq(end, ack)) continue; // acknowledged now
            reneged = TcpSequence.Leq(start, ack);   // the new SND.UNA is a byte the peer said it had
            break;
        }
        if (reneged) board.Clear();
        else board.Advance(ack);
    }

    /// <summary>
    /// RFC 6675 SetPipe: bytes believed in the network — every unSACKed byte not deemed lost, plus every
    /// retransmitted byte not yet acknowledged, SACKed or found lost again.
    /// </summary>
    internal static long Pipe(TcpPcb pcb)
    {
        long flight = (int)(pcb.SendMax - pcb.SendUnacknowledged);
        if (pcb.Scoreboard is not { IsEmpty: false } board) return flight + (pcb.RetransmitLog?.BytesInFlight(pcb.SendUnacknowledged, EmptyBoard) ?? 0);
        int mss = pcb.MaxSegmentSize;
        long pipe = flight - board.SackedBytes;
        uint cursor = pcb.SendUnacknowledged;
        while (board.TryGetHole(cursor, pcb.SendUnacknowledged, out uint start, out uint end))
        {
            if (IsLost(pcb, board, end)) pipe -= TcpSequence.Distance(start, end);
            cursor = end;
        }
        if (pcb.RetransmitLog is { } log) pipe += log.BytesInFlight(pcb.SendUnacknowledged, board);
        return Math.Max(0, pipe);
    }

    private static readonly TcpSackScoreboard EmptyBoard = new();

    /// <summary>
    /// RFC 6675 NextSeg rules 1 (with lost retransmissions first): the next stretch to resend in this recovery, at
    /// most <paramref name="room"/> bytes and never into a SACKed range, or false when only new data may go.
    /// </summary>
    internal static bool NextRetransmission(TcpPcb pcb, int room, out uint sequence, out int length)
    {
        var board = pcb.Scoreboard;
        uint una = pcb.SendUnacknowledged;
        if (pcb.RetransmitLog is { } log && board is not null)
        {
            while (log.TryTakeLostAgain(out uint start, out uint end))
            {
                start = TcpSequence.Max(start, una);
                if (board.IsSacked(start, out _)) continue;
                uint stop = board.NextSackedAfter(start, end);
                if (!TcpSequence.Lt(start, stop)) continue;
                sequence = start;
                length = Math.Min(room, TcpSequence.Distance(start, stop));
                if (TcpSequence.Lt(start + (uint)length, end)) log.AddLost(start + (uint)length, end);
                return true;
            }
        }
        if (pcb.RetransmitUnaPending && !(board is not null && board.IsSacked(una, out _)))
        {
            // RFC 6675 §5 step 4.3: entering recovery resends SND.UNA's segment whatever the scoreboard says.
            sequence = una;
            length = Math.Min(room, TcpSequence.Distance(una, board?.NextSackedAfter(una, pcb.SendMax) ?? pcb.SendMax));
            return length > 0;
        }
        if (board is not null && board.TryGetHole(pcb.HighRetransmitted, una, out uint holeStart, out uint holeEnd) &&
            IsLost(pcb, board, holeEnd))
        {
            sequence = holeStart;
            length = Math.Min(room, TcpSequence.Distance(holeStart, holeEnd));
            return true;
        }
        sequence = 0;
        length = 0;
        return false;
    }

    /// <summary>A hole ending at <paramref name="holeEnd"/> is lost: by RFC 6675's count (with the path's DupThresh) or RACK's mark.</summary>
    private static bool IsLost(TcpPcb pcb, TcpSackScoreboard board, uint holeEnd) =>
        TcpSequence.Leq(holeEnd, pcb.LostBelow) || board.IsLost(holeEnd, pcb.MaxSegmentSize, pcb.Reordering);

    /// <summary>A recovery retransmission left: move HighRxt and log it against SND.MAX for lost-retransmission detection.</summary>
    internal static void OnRetransmitted(TcpPcb pcb, uint sequence, int length, long now)
    {
        uint end = sequence + (uint)length;
        pcb.RetransmitUnaPending = false;
        if (TcpSequence.Gt(end, pcb.HighRetransmitted)) pcb.HighRetransmitted = end;
        (pcb.RetransmitLog ??= new TcpRetransmitLog()).Add(sequence, end, pcb.SendMax, now);
    }

    /// <summary>Linux's floor on the probe timeout: the timer granularity of most hosts.</summary>
    private const long MinProbeTimeoutMicros = 10_000;

    /// <summary>
    /// RFC 8985 §7.2 PTO: 2·SRTT, plus the peer's delayed-ACK allowance when one segment is outstanding, at least
    /// 10 ms; 0 when no probe is due (no SACK, a probe already out, a timeout backing off, no RTT sample, or the RTO
    /// comes first). Also armed during a recovery whose window is full: its SACK is what reveals a lost retransmission.
    /// </summary>
    internal static long ProbeTimeout(TcpPcb pcb)
    {
        if (!pcb.SackPermitted || pcb.ProbeSent || pcb.RetransmitShift > 0 || !pcb.Rtt.HasSample) return 0;
        if (pcb.State is not (TcpConnectionState.Established or TcpConnectionState.CloseWait or TcpConnectionState.FinWait1 or TcpConnectionState.Closing or TcpConnectionState.LastAck)) return 0;
        long flight = (int)(pcb.SendMax - pcb.SendUnacknowledged);
        if (flight <= 0) return 0;
        long timeout = 2 * pcb.Rtt.SmoothedRtt;
        if (flight <= pcb.MaxSegmentSize) timeout += TcpSettings.DelayedAckMicros;
        timeout = Math.Max(timeout, MinProbeTimeoutMicros);
        return timeout < pcb.Rtt.Rto ? timeout : 0;
    }

    /// <summary>
    /// RFC 5827 early retransmit with SACK (as Linux applied it, counting a full congestion window as "cannot
    /// send"): with fewer than 4 segments outstanding and nothing new able to go, oseg − 1 SACKed segments are
    /// enough to call SND.UNA's segment lost.
    /// </summary>
    private static bool EarlyRetransmitDue(TcpPcb pcb, TcpSackScoreboard board)
    {
        int mss = pcb.MaxSegmentSize;
        long flight = (int)(pcb.SendMax - pcb.SendUnacknowledged);
        long outstanding = (flight + mss - 1) / mss;
        if (outstanding >= 4 || outstanding < 2) return false;
        long sacked = (board.SackedBytes + mss - 1) / mss;
        if (sacked < outstanding - 1) return false;
        long unsent = (pcb.SendRing?.ReadableCount ?? 0) - (int)(pcb.SendMax - pcb.SendBufferBase);
        bool canSend = unsent > 0 && pcb.SendWindow - flight >= Math.Min(mss, unsent) &&
            pcb.Congestion.CongestionWindow + Math.Min(pcb.DuplicateAcks, 2) * (long)mss - flight >= Math.Min(mss, unsent);
        return !canSend;
    }

    /// <summary>A retransmission timeout ends the recovery: forget its retransmissions, and after a second timeout in a
    /// row the scoreboard too, in case the receiver reneged (RFC 2018 §8).</summary>
    internal static void OnTimeout(TcpPcb pcb)
    {
        pcb.RetransmitLog?.Clear();
        pcb.RetransmitUnaPending = false;
        pcb.DuplicateAcks = 0;
        if (pcb.RetransmitShift >= 2) pcb.Scoreboard?.Clear();
    }
}
