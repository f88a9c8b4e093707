using System;

namespace NetKit.Protocols.Wire;

/// <summary>
/// The eight control bits in octet 13 of the TCP header (RFC 9293 §3.1; ECE and CWR from RFC 3168 §6.1). The four
/// bits before them are reserved and always sent as zero.
/// </summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    /// <summary>No more data from the sender.</summary>
    Fin = 1,
    /// <summary>Synchronize sequence numbers.</summary>
    Syn = 2,
    /// <summary>Reset the connection.</summary>
    Rst = 4,
    /// <summary>Push function.</summary>
    Psh = 8,
    /// <summary>The acknowledgment number is significant.</summary>
    Ack = 16,
    /// <summary>The urgent pointer is significant.</summary>
    Urg = 32,
    /// <summary>ECN-Echo (RFC 3168 §6.1).</summary>
    Ece = 64,
    /// <summary>Congestion window reduced (RFC 3168 §6.1).</summary>
    Cwr = 128,
}
