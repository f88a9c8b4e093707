namespace NetKit.Protocols.Wire;

/// <summary>The kind octet of the TCP options NetKit reads (RFC 9293 §3.2; RFC 7323 §2.2 and §3.2; RFC 2018 §2 and §3).</summary>
public enum TcpOptionKind : byte
{
    /// <summary>End of option list: the rest of the options area is padding.</summary>
    EndOfList = 0,
    /// <summary>One octet, used to align the next option.</summary>
    NoOperation = 1,
    /// <summary>Kind 2, length 4: the largest segment the sender can receive (RFC 9293 §3.7.1).</summary>
    MaxSegmentSize = 2,
    /// <summary>Kind 3, length 3: the shift count (RFC 7323 §2.2).</summary>
    WindowScale = 3,
    /// <summary>Kind 4, length 2: SACK may be used (RFC 2018 §2).</summary>
    SackPermitted = 4,
    /// <summary>Kind 5, length 2 + 8n: the SACK blocks (RFC 2018 §3).</summary>
    Sack = 5,
    /// <summary>Kind 8, length 10: TSval and TSecr (RFC 7323 §3.2).</summary>
    Timestamps = 8,
}
