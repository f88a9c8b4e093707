using System;
using System.Buffers.Binary;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of a UDP datagram (RFC 768): ports, length, checksum, data. A datagram from
/// <see cref="TryCreate"/> has a length field of at least 8 that fits the buffer; <see cref="Payload"/> ends at that
/// length. The checksum needs the IPv4 pseudo-header, so it is verified with the addresses
/// (<see cref="VerifyChecksum"/>, <see cref="UdpRepr.TryParse"/>).
/// </summary>
public readonly ref struct UdpDatagram
{
    public const int HeaderLength = 8;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int LengthOffset = 4;
    private const int ChecksumOffset = 6;

    private readonly Span<byte> _buffer;

    private UdpDatagram(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into.</summary>
    public static UdpDatagram CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if <see cref="Check"/> passes; otherwise <paramref name="datagram"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out UdpDatagram datagram)
    {
        datagram = new UdpDatagram(buffer);
        WireError error = datagram.Check();
        if (error != WireError.None) datagram = default;
        return error;
    }

    /// <summary>The header must be present; its length field must cover the header and fit the buffer.</summary>
    public WireError Check()
    {
        if (_buffer.Length < HeaderLength) return WireError.Truncated;
        int length = Length;
        if (length < HeaderLength) return WireError.BadLength;
        return length > _buffer.Length ? WireError.Truncated : WireError.None;
    }

    /// <summary>The whole buffer (it may run past <see cref="Length"/>).</summary>
    public Span<byte> Buffer => _buffer;

    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[SourcePortOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[SourcePortOffset..], value);
    }

    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[DestinationPortOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[DestinationPortOffset..], value);
    }

    /// <summary>Header plus data, in bytes.</summary>
    public ushort Length
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[LengthOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[LengthOffset..], value);
    }

    /// <summary>0 means the sender computed none (RFC 768: "all zero ... no checksum").</summary>
    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[ChecksumOffset..], value);
    }

    /// <summary>Header and data up to the length field.</summary>
    public Span<byte> Datagram => _buffer[..Length];

    /// <summary>The data, up to the length field.</summary>
    public Span<byte> Payload => _buffer[HeaderLength..Length];

    /// <summary>
    /// True when the checksum is 0 (none sent, allowed over IPv4) or the pseudo-header, header and data sum to
    /// all ones (RFC 768, "Fields"; RFC 1122 §4.1.3.4).
    /// </summary>
    public bool VerifyChecksum(IPv4Address source, IPv4Address destination)
        => Checksum == 0 || ComputeChecksum(source, destination) == 0;

    /// <summary>
    /// Fills the checksum over the pseudo-header and <see cref="Datagram"/>. A computed 0 is sent as 0xFFFF, its
    /// one's-complement equal, because 0 on the wire means "no checksum" (RFC 768).
    /// </summary>
    public void FillChecksum(IPv4Address source, IPv4Address destination)
    {
        Checksum = 0;
        ushort checksum = ComputeChecksum(source, destination);
        Checksum = checksum == 0 ? (ushort)0xFFFF : checksum;
    }

    private ushort ComputeChecksum(IPv4Address source, IPv4Address destination)
    {
        // The pseudo-header is 12 bytes, so the datagram's words start at an even offset after it.
        ushort pseudo = InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, Length);
        return InternetChecksum.Finish(InternetChecksum.Add(pseudo, InternetChecksum.Sum(Datagram)));
    }

    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"UDP [malformed: {error}]";
        return $"UDP {SourcePort} > {DestinationPort} len={Length} csum=0x{Checksum:x4}";
    }
}
