namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>Outcome of <see cref="IPv4Fragmenter"/>'s operations (no exceptions on the data path).</summary>
public enum FragmentationResult
{
    Success,

    /// <summary>DF is set and the datagram exceeds the MTU: EMSGSIZE locally; when forwarding, ICMP destination
    /// unreachable, fragmentation needed (RFC 792 code 4) with the next-hop MTU (RFC 1191).</summary>
    MessageTooLong,

    /// <summary>Header plus payload exceed 65535 bytes, the IPv4 total length limit (EMSGSIZE).</summary>
    DatagramTooLong,

    /// <summary>The MTU leaves fewer than 8 payload bytes after the header, or an argument is out of range (EINVAL).</summary>
    InvalidArguments,

    /// <summary>The descriptor or output span is shorter than the fragment count (EINVAL).</summary>
    DestinationTooSmall,

    /// <summary>The buffer pool ran out (ENOBUFS); everything was freed.</summary>
    NoBuffers,
}
