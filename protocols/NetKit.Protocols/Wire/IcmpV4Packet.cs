using System;
using System.Buffers.Binary;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of an ICMPv4 message (RFC 792): type, code, checksum, four type-specific bytes, then data. ICMP has
/// no length field: the message is the whole buffer, normally <see cref="IPv4Packet.Payload"/>, and the checksum
/// covers all of it.
/// </summary>
public readonly ref struct IcmpV4Packet
{
    /// <summary>Type, code, checksum and the four "rest of header" bytes.</summary>
    public const int HeaderLength = 8;

    /// <summary>
    /// Least quoted datagram an error message carries: the IP header and the first 64 bits of its data (RFC 792,
    /// "Destination Unreachable Message"), with a header of at least 20 bytes.
    /// </summary>
    public const int MinQuotedLength = IPv4Packet.MinHeaderLength + 8;

    private const int TypeOffset = 0;
    private const int CodeOffset = 1;
    private const int ChecksumOffset = 2;
    private const int RestOffset = 4;
    private const int IdentifierOffset = 4;
    private const int SequenceOffset = 6;
    private const int PointerOffset = 4;
    private const int NextHopMtuOffset = 6;

    private readonly Span<byte> _buffer;

    private IcmpV4Packet(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into.</summary>
    public static IcmpV4Packet CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if it holds the 8-byte header; otherwise <paramref name="packet"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out IcmpV4Packet packet)
    {
        packet = new IcmpV4Packet(buffer);
        WireError error = packet.Check();
        if (error != WireError.None) packet = default;
        return error;
    }

    /// <summary>Validates the header length; the quoted datagram of error messages is checked by <see cref="IcmpV4Repr.TryParse"/>.</summary>
    public WireError Check() => _buffer.Length < HeaderLength ? WireError.Truncated : WireError.None;

    /// <summary>The whole message.</summary>
    public Span<byte> Buffer => _buffer;

    public IcmpV4Type Type
    {
        get => (IcmpV4Type)_buffer[TypeOffset];
        set => _buffer[TypeOffset] = (byte)value;
    }

    public byte Code
    {
        get => _buffer[CodeOffset];
        set => _buffer[CodeOffset] = value;
    }

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[ChecksumOffset..], value);
    }

    /// <summary>The four type-specific header bytes as one word (zero where RFC 792 marks them unused).</summary>
    public uint RestOfHeader
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_buffer[RestOffset..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_buffer[RestOffset..], value);
    }

    /// <summary>Echo identifier (RFC 792, "Echo or Echo Reply Message").</summary>
    public ushort Identifier
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[IdentifierOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IdentifierOffset..], value);
    }

    /// <summary>Echo sequence number.</summary>
    public ushort SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[SequenceOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[SequenceOffset..], value);
    }

    /// <summary>Next-hop MTU of a fragmentation-needed message: the low 16 bits of the unused word (RFC 1191 §4).</summary>
    public ushort NextHopMtu
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[NextHopMtuOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[NextHopMtuOffset..], value);
    }

    /// <summary>Parameter-problem pointer: the octet of the quoted header where the error was found (RFC 792).</summary>
    public byte Pointer
    {
        get => _buffer[PointerOffset];
        set => _buffer[PointerOffset] = value;
    }

    /// <summary>Everything after the 8-byte header: echo data, or the quoted datagram of an error message.</summary>
    public Span<byte> Data => _buffer[HeaderLength..];

    /// <summary>An error message, which quotes the datagram that caused it (RFC 1122 §3.2.2).</summary>
    public bool IsError => Type is IcmpV4Type.DestinationUnreachable or IcmpV4Type.TimeExceeded
        or IcmpV4Type.ParameterProblem or IcmpV4Type.SourceQuench or IcmpV4Type.Redirect;

    /// <summary>
    /// The quoted IP header and leading data of an error message (empty for other types). Its IPv4 total length is
    /// the original datagram's, longer than what is quoted, so read it with <see cref="IPv4Packet.CreateUnchecked"/>
    /// after <see cref="IcmpV4Repr.TryParse"/> has checked the quoted header's length.
    /// </summary>
    public Span<byte> QuotedDatagram => IsError ? Data : default;

    /// <summary>The checksum covers the whole message, header and data (RFC 792).</summary>
    public bool VerifyChecksum() => InternetChecksum.Compute(_buffer) == 0;

    /// <summary>Recomputes the checksum after the message was written.</summary>
    public void FillChecksum()
    {
        Checksum = 0;
        Checksum = InternetChecksum.Compute(_buffer);
    }

    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"ICMPv4 [malformed: {error}]";
        return IcmpV4Repr.Describe(Type, Code, Identifier, SequenceNumber, NextHopMtu, Pointer, Data.Length);
    }
}
