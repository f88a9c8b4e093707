using System;

namespace NetKit.Protocols.Tcp.Algorithms;

/// <summary>
/// Reno congestion control (RFC 5681) with the NewReno fast-recovery modification (RFC 6582), in bytes: slow start
/// with appropriate byte counting (RFC 3465), additive increase in congestion avoidance, fast retransmit on the third
/// duplicate ACK, and partial-ACK retransmission until everything outstanding at the loss is acknowledged.
/// <para>
/// <c>recover</c> is stored exclusive, as SND.MAX when it was recorded (RFC 6582 names the last byte sent,
/// SND.MAX − 1), so "the ACK covers more than recover" (ack − 1 &gt; recover, step 1) reads ack &gt; recover here
/// and a full ACK (step 5) reads ack ≥ recover. Once an ACK passes it, recover is forgotten rather than left to go
/// stale: after 2^31 more bytes a modular comparison against it would flip and forbid fast retransmit (the
/// wraparound hazard RFC 6582 §3.2 warns about). Until the first loss nothing is recorded, which is what RFC 6582
/// §3.2's initial value for recover, the ISS, amounts to for every ACK of data.
/// </para>
/// </summary>
public sealed class NewReno : ICongestionControl
{
    /// <summary>The third duplicate ACK signals loss (RFC 5681 §3.2).</summary>
    public const int DuplicateAckThreshold = 3;

    /// <summary>cwnd never grows past the largest window a peer can advertise (2^30 with scaling, RFC 7323 §2.3).</summary>
    public const uint MaxCongestionWindow = 1u << 30;

    /// <summary>The "arbitrarily high" initial ssthresh of RFC 5681 §3.1.</summary>
    public const uint InitialSlowStartThreshold = uint.MaxValue / 2;

    /// <summary>RFC 9293 §3.7.1's default send MSS, used by the parameterless constructor.</summary>
    public const int DefaultMss = 536;

    private uint _mss;
    private uint _cwnd;
    private uint _ssthresh;
    private uint _recover;
    private bool _recoverPending;
    private bool _inRecovery;
    private bool _sackRecovery;
    private bool _undoValid;
    private uint _priorCwnd;
    private uint _priorSsthresh;
    private bool _timedOutSinceAck;
    private bool _slowStartAfterTimeout;
    private int _duplicateAcks;

    public NewReno() : this(DefaultMss) { }

    public NewReno(int mss) => Initialize(mss);

    public uint CongestionWindow => _cwnd;

    public uint SlowStartThreshold => _ssthresh;

    public bool InRecovery => _inRecovery;

    /// <summary>The sender MSS (SMSS) the window is counted in.</summary>
    public int Mss => (int)_mss;

    /// <summary>Consecutive duplicate ACKs since SND.UNA last advanced (the caller may use 1–2 for limited transmit, RFC 3042).</summary>
    public int DuplicateAcks => _duplicateAcks;

    /// <summary>IW = min(10·MSS, max(2·MSS, 14600)) (RFC 6928 §2).</summary>
    public static uint InitialWindow(int mss)
    {
        ValidateMss(mss);
        uint m = (uint)mss;
        return Math.Min(10 * m, Math.Max(2 * m, 14600u));
    }

    public void Initialize(int mss)
    {
        ValidateMss(mss);
        _mss = (uint)mss;
        _cwnd = InitialWindow(mss);
        _ssthresh = InitialSlowStartThreshold;
        _recover = 0;
        _recoverPending = false;
        _inRecovery = false;
        _sackRecovery = false;
        _undoValid = false;
        _timedOutSinceAck = false;
        _slowStartAfterTimeout = false;
        _duplicateAcks = 0;
    }

    /// <summary>
    /// cwnd stays in bytes (the path's capacity did not change with the segment size) but is kept at one segment or
    /// more, and ssthresh at two or more, the floors RFC 5681 assumes.
    /// </summary>
    public void OnMssChanged(int mss)
    {
        ValidateMss(mss);
        _mss = (uint)mss;
        _cwnd = Math.Clamp(_cwnd, _mss, MaxCongestionWindow);
        _ssthresh = Math.Max(_ssthresh, 2 * _mss);
    }

    public bool OnAck(uint ack, int bytesAcked, uint flightSizeBeforeAck, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesAcked);
        uint acked = (uint)bytesAcked;
        _duplicateAcks = 0;
        _timedOutSinceAck = false; // the segment a timeout resent is acknowledged: a later timeout is a new loss

        if (_inRecovery)
        {
            if (TcpSequence.Geq(ack, _recover))
            {
                // Full ACK (RFC 6582 §3.2 step 5, option 1): FlightSize is what remains outstanding after this ACK.
                uint outstanding = flightSizeBeforeAck > acked ? flightSizeBeforeAck - acked : 0;
                _cwnd = Math.Min(_ssthresh, Math.Max(outstanding, _mss) + _mss);
                _inRecovery = false;
                _sackRecovery = false;
                _recoverPending = ack == _recover; // covering exactly recover is not "more than" it (step 1)
                return false;
            }
            if (_sackRecovery) return false; // RFC 6675: the scoreboard, not the partial ACK, says what to resend
            // Partial ACK (step 5): deflate by what left, add back one segment for the retransmission we now send.
            _cwnd = _cwnd > acked ? _cwnd - acked : 0;
            if (acked >= _mss) _cwnd += _mss;
            if (_cwnd < _mss) _cwnd = _mss;
            return true;
        }

        if (_recoverPending && TcpSequence.Gt(ack, _recover)) _recoverPending = false;

        if (_cwnd < _ssthresh)
        {
            // Slow start with byte counting (RFC 3465 §2.2–2.3): L = 2·SMSS, but 1·SMSS after a timeout, when one
            // ACK may cover segments the receiver already held. Growth stops at ssthresh (RFC 5681 §3.1).
            uint limit = _slowStartAfterTimeout ? _mss : 2 * _mss;
            _cwnd = Math.Min(Math.Min(_cwnd + Math.Min(acked, limit), _ssthresh), MaxCongestionWindow);
            if (_cwnd >= _ssthresh) _slowStartAfterTimeout = false;
        }
        else
        {
            // Congestion avoidance (RFC 5681 §3.1 eq. 3): about one SMSS per RTT, at least one byte per ACK.
            uint increase = (uint)Math.Max(1UL, (ulong)_mss * _mss / _cwnd);
            _cwnd = Math.Min(_cwnd + increase, MaxCongestionWindow);
        }
        return false;
    }

    public bool OnDuplicateAck(uint sndUna, uint sndMax, uint flightSize)
    {
        if (_inRecovery && _sackRecovery) return false; // pipe, not inflation, paces a SACK recovery
        if (_inRecovery)
        {
            // Step 3: each further duplicate means another segment left the network.
            _cwnd = Math.Min(_cwnd + _mss, MaxCongestionWindow);
            return false;
        }
        if (_recoverPending && TcpSequence.Gt(sndUna, _recover)) _recoverPending = false;
        if (_duplicateAcks < int.MaxValue) _duplicateAcks++;
        // Step 1: only the third duplicate, and only if the ACK covers more than recover: duplicates for data sent
        // before the last loss event (e.g. after a timeout's go-back-N) must not halve the window again.
        if (_duplicateAcks != DuplicateAckThreshold || _recoverPending) return false;

        // Step 2 (RFC 5681 §3.2 steps 2–3): ssthresh = max(FlightSize/2, 2·SMSS), cwnd = ssthresh + 3·SMSS.
        SaveForUndo();
        _ssthresh = LossThreshold(flightSize);
        _cwnd = Math.Min(_ssthresh + 3 * _mss, MaxCongestionWindow);
        _recover = sndMax;
        _recoverPending = true;
        _inRecovery = true;
        _slowStartAfterTimeout = false;
        return true;
    }

    public bool OnSackLoss(uint sndUna, uint sndMax, uint flightSize)
    {
        if (_inRecovery) return false;
        // A loss in a window already reduced (after a timeout, before the ACK passed recover) is repaired without a
        // second reduction (RFC 6582 §3.2 step 1's intent; RFC 6675 §5.1 after an RTO).
        if (!(_recoverPending && TcpSequence.Lt(sndUna, _recover)))
        {
            SaveForUndo();
            _ssthresh = LossThreshold(flightSize);
            _cwnd = _ssthresh;
        }
        else
        {
            _undoValid = false;
        }
        _recover = sndMax;
        _recoverPending = true;
        _inRecovery = true;
        _sackRecovery = true;
        _slowStartAfterTimeout = false;
        _duplicateAcks = 0;
        return true;
    }

    public void OnRetransmitTimeout(uint flightSize, uint sndMax)
    {
        // RFC 5681 §3.1: ssthresh is held constant when this segment was already resent by a timeout, i.e. when no
        // ACK has advanced SND.UNA since the previous timeout.
        if (!_timedOutSinceAck) _ssthresh = LossThreshold(flightSize);
        _undoValid = false; // a timeout is not undone (that would need F-RTO, RFC 5682)
        _timedOutSinceAck = true;
        _cwnd = _mss; // the loss window, LW = 1 SMSS whatever IW was (RFC 6928 §2)
        _inRecovery = false;
        _sackRecovery = false;
        _duplicateAcks = 0;
        _recover = sndMax; // RFC 6582 §3.2 step 6, §4
        _recoverPending = true;
        _slowStartAfterTimeout = true;
    }

    public bool UndoReduction()
    {
        if (!_undoValid || !_inRecovery) return false;
        _undoValid = false;
        _cwnd = Math.Max(_cwnd, _priorCwnd);
        _ssthresh = Math.Max(_ssthresh, _priorSsthresh);
        _inRecovery = false;
        _sackRecovery = false;
        _recoverPending = false;
        _timedOutSinceAck = false;
        _slowStartAfterTimeout = false;
        return true;
    }

    private void SaveForUndo()
    {
        _priorCwnd = _cwnd;
        _priorSsthresh = _ssthresh;
        _undoValid = true;
    }

    public void OnIdleRestart(long now, long rtoMicros) => _cwnd = Math.Min(_cwnd, InitialWindow((int)_mss));

    private uint LossThreshold(uint flightSize) => Math.Min(Math.Max(flightSize / 2, 2 * _mss), MaxCongestionWindow);

    private static void ValidateMss(int mss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mss);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mss, ushort.MaxValue);
    }
}
