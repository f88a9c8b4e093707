namespace NetKit.Protocols.Tcp;

/// <summary>TCP events, counted per CPU (<c>tcpstat</c>, <c>netstat -s</c>).</summary>
public enum TcpCounter
{
    SegmentsReceived,
    SegmentsSent,
    BytesReceived,
    BytesSent,
    BadChecksum,
    Malformed,
    NoConnection,
    ResetsSent,
    ResetsReceived,
    ActiveOpens,
    PassiveOpens,
    ListenOverflows,
    ConnectionsEstablished,
    ConnectionsClosed,
    ConnectionsDropped,
    Retransmits,
    RetransmitTimeouts,
    FastRetransmits,
    /// <summary>Retransmissions found lost again from the SACK scoreboard and resent before the RTO.</summary>
    LostRetransmits,
    /// <summary>Tail loss probes sent (RFC 8985 §7).</summary>
    TailLossProbes,
    /// <summary>Recoveries found spurious by their timestamps (RFC 3522) and undone.</summary>
    SpuriousRecoveries,
    DuplicateAcks,
    OutOfOrderSegments,
    OutOfOrderDrops,
    DuplicateSegments,
    OutOfWindowSegments,
    PawsDrops,
    WindowProbes,
    DelayedAcks,
    AcksAggregated,
    ChallengeAcks,
    /// <summary>ACKs for out-of-window segments or challenges not sent: the connection sent one too recently (RFC 5961 §7).</summary>
    InvalidAcksThrottled,
    KeepaliveProbes,
    KeepaliveDrops,
    TimeWaitReused,
    SendErrors,
    ControlInputs,
    MtuShrinks,
}
