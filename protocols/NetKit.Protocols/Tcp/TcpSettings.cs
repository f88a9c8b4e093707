namespace NetKit.Protocols.Tcp;

/// <summary>TCP's defaults and limits (microseconds), the values of the RFCs or of the mainstream stacks where the RFC leaves a range.</summary>
public static class TcpSettings
{
    /// <summary>RFC 9293 §3.7.1: the MSS assumed when the peer sends none (536 for IPv4).</summary>
    public const int DefaultMss = 536;

    /// <summary>
    /// Payload of one TSO segment at most: a 65535-byte IPv4 packet less the IPv4 header and a TCP header with full
    /// options (Linux caps at GSO_MAX_SIZE the same way). Rounded down to whole MSS-sized segments when used.
    /// </summary>
    public const int SegmentOffloadMaxPayload = 65535 - 20 - 60;

    /// <summary>RFC 6298 §2.4 asks for 1 s; Linux and the BSDs use 200 ms, and so do we.</summary>
    public const long MinRtoMicros = 200_000;
    public const long MaxRtoMicros = 60_000_000;
    /// <summary>RFC 6298 §2.1.</summary>
    public const long InitialRtoMicros = 1_000_000;

    /// <summary>Retransmissions of one segment before the connection is dropped with ETIMEDOUT (Linux tcp_retries2 is 15).</summary>
    public const int MaxRetransmits = 12;
    /// <summary>SYN retransmissions before connect fails (Linux tcp_syn_retries).</summary>
    public const int MaxSynRetransmits = 6;

    /// <summary>Delayed ACK cap (RFC 9293 §3.8.6.3 allows up to 500 ms; 40 ms as Linux's minimum).</summary>
    public const long DelayedAckMicros = 40_000;

    /// <summary>Maximum segment lifetime; TIME_WAIT lasts 2 MSL. RFC 9293 says 2 minutes; 30 s as the BSDs and Linux (60 s TIME_WAIT).</summary>
    public const long MslMicros = 30_000_000;

    /// <summary>Keepalive defaults (RFC 1122 §4.2.3.6: idle at least 2 hours).</summary>
    public const int KeepIdleSeconds = 7200;
    public const int KeepIntervalSeconds = 75;
    public const int KeepCount = 8;

    /// <summary>Persist timer bounds: RTO-based from the minimum RTO as Linux does (the BSDs wait at least 5 s).</summary>
    public const long PersistMinMicros = MinRtoMicros;
    public const long PersistMaxMicros = 60_000_000;

    /// <summary>RFC 5961 §7 ACK throttling interval per connection (Linux tcp_invalid_ratelimit: 500 ms).</summary>
    public const long InvalidAckIntervalMicros = 500_000;

    /// <summary>Window probes a closed (orphaned) connection sends before giving up (Linux tcp_orphan_retries, 0 meaning 8).</summary>
    public const int MaxOrphanRetries = 8;

    /// <summary>Most window scale shift (RFC 7323 §2.3).</summary>
    public const int MaxWindowScale = 14;
}
