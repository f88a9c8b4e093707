using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// A datagram whose reassembly timed out. RFC 792 sends ICMP time exceeded (code 1, fragment reassembly time
/// exceeded) only when fragment zero arrived (RFC 1122 §3.2.1.4), quoting its header and first 8 data bytes.
/// </summary>
public readonly struct ExpiredDatagram
{
    internal ExpiredDatagram(FragmentKey key, bool firstFragmentReceived, PacketBuffer? firstFragment)
    {
        Key = key;
        FirstFragmentReceived = firstFragmentReceived;
        FirstFragment = firstFragment;
    }

    public FragmentKey Key { get; }

    /// <summary>True when fragment zero had arrived: the caller may send ICMP time exceeded, code 1.</summary>
    public bool FirstFragmentReceived { get; }

    /// <summary>
    /// Fragment zero, now owned by the caller (free it), its data window reopened to where it started when it was
    /// offered (the IP header, when the caller offered it header first) up to the end of its held payload; null
    /// when fragment zero is missing or its header bytes were in a buffer freed during trimming.
    /// </summary>
    public PacketBuffer? FirstFragment { get; }
}
