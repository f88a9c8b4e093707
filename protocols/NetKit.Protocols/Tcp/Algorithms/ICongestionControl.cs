namespace NetKit.Protocols.Tcp.Algorithms;

/// <summary>
/// A sender's congestion controller (RFC 5681), in bytes. It owns cwnd, ssthresh and the loss-recovery state the
/// algorithm needs (e.g. NewReno's <c>recover</c>, RFC 6582 §3.2); the caller owns SND.UNA/SND.NXT/SND.MAX, decides
/// what counts as a duplicate ACK, and performs every (re)transmission the controller asks for. One instance per
/// connection, used on its owner thread only; no method allocates. Times are microseconds.
/// </summary>
public interface ICongestionControl
{
    /// <summary>cwnd in bytes. In fast recovery it includes the RFC 5681 §3.2 inflation for segments that left the network.</summary>
    uint CongestionWindow { get; }

    /// <summary>ssthresh in bytes.</summary>
    uint SlowStartThreshold { get; }

    /// <summary>Between entering fast retransmit and the full ACK (or a retransmission timeout) that ends recovery.</summary>
    bool InRecovery { get; }

    /// <summary>
    /// Starts a connection with sender MSS <paramref name="mss"/>: cwnd = IW = min(10·MSS, max(2·MSS, 14600))
    /// (RFC 6928 §2) and ssthresh "arbitrarily high" (RFC 5681 §3.1).
    /// </summary>
    void Initialize(int mss);

    /// <summary>The sender MSS changed (e.g. path MTU discovery); the window stays in bytes but never below one segment.</summary>
    void OnMssChanged(int mss);

    /// <summary>
    /// An ACK advanced SND.UNA to <paramref name="ack"/>, acknowledging <paramref name="bytesAcked"/> (&gt; 0) new
    /// bytes; <paramref name="flightSizeBeforeAck"/> is SND.MAX − SND.UNA before this ACK. Returns true when the caller
    /// must retransmit the first unacknowledged segment now (a NewReno partial ACK, RFC 6582 §3.2 step 5), restarting
    /// the retransmission timer at least for the first partial ACK of a recovery (same step).
    /// </summary>
    bool OnAck(uint ack, int bytesAcked, uint flightSizeBeforeAck, long now);

    /// <summary>
    /// A duplicate ACK as RFC 5681 §2 defines it (the caller decides: no data, no window change, SND.UNA unchanged,
    /// data outstanding). <paramref name="sndMax"/> is the highest sequence number sent plus one, and
    /// <paramref name="flightSize"/> the data outstanding. Returns true when the caller must fast-retransmit the first
    /// unacknowledged segment now: on the third duplicate, if not already recovering this window (RFC 6582 §3.2
    /// steps 1–2). Later duplicates inflate cwnd (step 3); the caller sends new data if the window allows (step 4).
    /// </summary>
    bool OnDuplicateAck(uint sndUna, uint sndMax, uint flightSize);

    /// <summary>
    /// SACK-based loss detection (RFC 6675 §5 step 4): the caller found SND.UNA's segment lost from the scoreboard or
    /// counted DupThresh duplicates. Unless already recovering, enters recovery with recover =
    /// <paramref name="sndMax"/> and returns true; ssthresh = cwnd = max(FlightSize/2, 2·SMSS) (RFC 6675 §5 step 4.2;
    /// no inflation: the caller sends while cwnd − pipe ≥ 1 SMSS), except for a loss in a window already reduced
    /// (SND.UNA below recover, e.g. after a timeout), which keeps the windows. Partial ACKs in such a recovery leave
    /// cwnd alone and ask for nothing.
    /// </summary>
    bool OnSackLoss(uint sndUna, uint sndMax, uint flightSize);

    /// <summary>
    /// The last window reduction was spurious — the caller saw the original segment arrive (RFC 3522 Eifel detection
    /// with timestamps). Restores cwnd and ssthresh to their values before that reduction and leaves recovery
    /// (RFC 4015's response, as Linux's <c>tcp_undo_cwnd_reduction</c>) and returns true. Only a fast-recovery
    /// reduction can be undone, and only once: after a timeout, or a recovery that reduced nothing, returns false.
    /// </summary>
    bool UndoReduction();

    /// <summary>
    /// The retransmission timer expired (call before retransmitting). <paramref name="flightSize"/> is the data
    /// outstanding and <paramref name="sndMax"/> the highest sequence number sent plus one. ssthresh =
    /// max(FlightSize/2, 2·SMSS) unless this segment was already retransmitted by a timeout, cwnd = 1 SMSS (RFC 5681
    /// §3.1 eq. 4 and the loss window); recovery ends and recover = SND.MAX (RFC 6582 §3.2 step 6, §4).
    /// </summary>
    void OnRetransmitTimeout(uint flightSize, uint sndMax);

    /// <summary>
    /// The caller is about to send new data after an idle period longer than the RTO (<paramref name="rtoMicros"/>,
    /// which it checks itself): cwnd = min(IW, cwnd) (RFC 5681 §4.1), since the ACK clock has been lost.
    /// </summary>
    void OnIdleRestart(long now, long rtoMicros);
}
