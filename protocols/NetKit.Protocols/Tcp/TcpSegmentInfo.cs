using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Tcp;

/// <summary>One received segment's header fields, parsed once by <see cref="TcpInput"/> and trimmed to the window as processing goes.</summary>
internal struct TcpSegmentInfo
{
    public IPv4Address Source;
    public IPv4Address Destination;
    public ushort SourcePort;
    public ushort DestinationPort;
    public uint Sequence;
    public uint Acknowledgment;
    public TcpFlags Flags;
    public ushort Window;
    public ushort UrgentPointer;
    public TcpOptions Options;
    /// <summary>Where the payload starts in the packet buffer's data.</summary>
    public int PayloadOffset;
    public int PayloadLength;

    public readonly bool Has(TcpFlags flag) => (Flags & flag) != 0;

    /// <summary>SEG.LEN: the payload plus one each for SYN and FIN (RFC 9293 §3.4).</summary>
    public readonly int SequenceLength => PayloadLength + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0);
}
