namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// One output fragment: payload bytes [<see cref="Offset"/>, <see cref="Offset"/>+<see cref="Length"/>) of the
/// datagram, and its MF flag. The caller writes the header: fragment offset field = <c>Offset / 8</c>, total
/// length = header + <see cref="Length"/>. When the datagram is itself a fragment (forwarding), add its offset to
/// <see cref="Offset"/> and OR its MF flag into the last one's (RFC 791 §3.2).
/// </summary>
public readonly record struct FragmentDescriptor(int Offset, int Length, bool MoreFragments);
