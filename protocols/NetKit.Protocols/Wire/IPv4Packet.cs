using System;
using System.Buffers.Binary;
using System.Text;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of an IPv4 packet (RFC 791 §3.1). A packet from <see cref="TryCreate"/> has version 4, a header
/// of IHL*4 bytes (at least 20) inside the buffer, a total length between the header length and the buffer length,
/// and options that stay inside the header. Bytes past the total length are link padding: <see cref="Payload"/>
/// ends at the total length. The header checksum is verified separately (<see cref="VerifyChecksum"/>,
/// <see cref="IPv4Repr.TryParse"/>) so a NIC that already checked it can skip the work.
/// </summary>
public readonly ref struct IPv4Packet
{
    /// <summary>Header length without options.</summary>
    public const int MinHeaderLength = 20;

    /// <summary>IHL is 4 bits of 32-bit words.</summary>
    public const int MaxHeaderLength = 60;

    private const int VersionIhlOffset = 0;
    private const int TosOffset = 1;
    private const int TotalLengthOffset = 2;
    private const int IdentificationOffset = 4;
    private const int FlagsFragmentOffset = 6;
    private const int TtlOffset = 8;
    private const int ProtocolOffset = 9;
    private const int ChecksumOffset = 10;
    private const int SourceOffset = 12;
    private const int DestinationOffset = 16;

    // In the high byte of the flags/fragment-offset word: bit 0 reserved, DF, MF (RFC 791 §3.1, "Flags").
    private const byte DontFragmentBit = 0x40;
    private const byte MoreFragmentsBit = 0x20;
    private const ushort FragmentOffsetMask = 0x1FFF;

    private readonly Span<byte> _buffer;

    private IPv4Packet(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into; accessors on a short buffer throw.</summary>
    public static IPv4Packet CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if <see cref="Check"/> passes; otherwise <paramref name="packet"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out IPv4Packet packet)
    {
        packet = new IPv4Packet(buffer);
        WireError error = packet.Check();
        if (error != WireError.None) packet = default;
        return error;
    }

    /// <summary>
    /// Validates in the order a field becomes readable: 20 bytes before any field is read, then version, IHL against
    /// 20 and the buffer, total length against the header and the buffer, then the options inside the header.
    /// Every prefix of a valid packet is <see cref="WireError.Truncated"/>.
    /// </summary>
    public WireError Check()
    {
        if (_buffer.Length < MinHeaderLength) return WireError.Truncated;
        if (Version != 4) return WireError.BadVersion;
        int headerLength = HeaderLength;
        if (headerLength < MinHeaderLength) return WireError.BadHeaderLength;
        if (headerLength > _buffer.Length) return WireError.Truncated;
        int totalLength = TotalLength;
        if (totalLength < headerLength) return WireError.BadTotalLength;
        if (totalLength > _buffer.Length) return WireError.Truncated;
        return IPv4OptionEnumerator.Validate(_buffer[MinHeaderLength..headerLength]);
    }

    /// <summary>The whole buffer, link padding included.</summary>
    public Span<byte> Buffer => _buffer;

    public byte Version
    {
        get => (byte)(_buffer[VersionIhlOffset] >> 4);
        set => _buffer[VersionIhlOffset] = (byte)(value << 4 | (_buffer[VersionIhlOffset] & 0x0F));
    }

    /// <summary>Header length in bytes (IHL * 4). The setter takes bytes: a multiple of 4 from 20 to 60.</summary>
    public int HeaderLength
    {
        get => (_buffer[VersionIhlOffset] & 0x0F) * 4;
        set
        {
            if (value < MinHeaderLength || value > MaxHeaderLength || value % 4 != 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The IPv4 header length is a multiple of 4 from 20 to 60.");
            _buffer[VersionIhlOffset] = (byte)((_buffer[VersionIhlOffset] & 0xF0) | value / 4);
        }
    }

    /// <summary>The whole second octet, DSCP and ECN (RFC 2474 §3, RFC 3168 §5).</summary>
    public byte TypeOfService
    {
        get => _buffer[TosOffset];
        set => _buffer[TosOffset] = value;
    }

    /// <summary>Differentiated services code point: the upper six bits of the TOS octet (RFC 2474 §3).</summary>
    public byte Dscp
    {
        get => (byte)(_buffer[TosOffset] >> 2);
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, (byte)63);
            _buffer[TosOffset] = (byte)(value << 2 | (_buffer[TosOffset] & 0x03));
        }
    }

    /// <summary>Explicit congestion notification: the lower two bits of the TOS octet (RFC 3168 §5).</summary>
    public byte Ecn
    {
        get => (byte)(_buffer[TosOffset] & 0x03);
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, (byte)3);
            _buffer[TosOffset] = (byte)((_buffer[TosOffset] & 0xFC) | value);
        }
    }

    /// <summary>Header plus data, in bytes.</summary>
    public ushort TotalLength
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[TotalLengthOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[TotalLengthOffset..], value);
    }

    public ushort Identification
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[IdentificationOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[IdentificationOffset..], value);
    }

    /// <summary>DF: routers must not fragment; a too-big packet gets ICMP fragmentation-needed instead (RFC 1191).</summary>
    public bool DontFragment
    {
        get => (_buffer[FlagsFragmentOffset] & DontFragmentBit) != 0;
        set => _buffer[FlagsFragmentOffset] = SetBit(_buffer[FlagsFragmentOffset], DontFragmentBit, value);
    }

    /// <summary>MF: more fragments of this datagram follow.</summary>
    public bool MoreFragments
    {
        get => (_buffer[FlagsFragmentOffset] & MoreFragmentsBit) != 0;
        set => _buffer[FlagsFragmentOffset] = SetBit(_buffer[FlagsFragmentOffset], MoreFragmentsBit, value);
    }

    /// <summary>
    /// Offset of this fragment's data in the original datagram, in bytes. The field counts 8-byte units, so the
    /// setter takes a multiple of 8 up to 65528.
    /// </summary>
    public int FragmentOffset
    {
        get => (BinaryPrimitives.ReadUInt16BigEndian(_buffer[FlagsFragmentOffset..]) & FragmentOffsetMask) * 8;
        set
        {
            if (value < 0 || value > FragmentOffsetMask * 8 || value % 8 != 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The fragment offset is a multiple of 8 bytes up to 65528.");
            ushort word = BinaryPrimitives.ReadUInt16BigEndian(_buffer[FlagsFragmentOffset..]);
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[FlagsFragmentOffset..], (ushort)((word & ~FragmentOffsetMask) | value / 8));
        }
    }

    /// <summary>A fragment of a larger datagram: MF set or a non-zero offset.</summary>
    public bool IsFragment => MoreFragments || FragmentOffset != 0;

    public byte TimeToLive
    {
        get => _buffer[TtlOffset];
        set => _buffer[TtlOffset] = value;
    }

    public IpProtocol Protocol
    {
        get => (IpProtocol)_buffer[ProtocolOffset];
        set => _buffer[ProtocolOffset] = (byte)value;
    }

    public ushort HeaderChecksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[ChecksumOffset..], value);
    }

    public IPv4Address Source
    {
        get => IPv4Address.Read(_buffer[SourceOffset..]);
        set => value.WriteTo(_buffer[SourceOffset..]);
    }

    public IPv4Address Destination
    {
        get => IPv4Address.Read(_buffer[DestinationOffset..]);
        set => value.WriteTo(_buffer[DestinationOffset..]);
    }

    /// <summary>The header, options included.</summary>
    public Span<byte> Header => _buffer[..HeaderLength];

    /// <summary>The options area: header bytes past the first 20 (empty when IHL is 5).</summary>
    public Span<byte> Options => _buffer[MinHeaderLength..HeaderLength];

    /// <summary>Walks <see cref="Options"/> (stops at the first malformed option).</summary>
    public IPv4OptionEnumerator EnumerateOptions() => new(Options);

    /// <summary>The data: from the end of the header to the total length, so link padding is left out.</summary>
    public Span<byte> Payload => _buffer[HeaderLength..TotalLength];

    /// <summary>The header checksum covers the header only, options included (RFC 791 §3.1, "Header Checksum").</summary>
    public bool VerifyChecksum() => InternetChecksum.Compute(Header) == 0;

    /// <summary>Recomputes the header checksum after the header was written.</summary>
    public void FillChecksum()
    {
        HeaderChecksum = 0;
        HeaderChecksum = InternetChecksum.Compute(Header);
    }

    /// <summary>
    /// Forwarding's TTL decrement with an incremental checksum update (RFC 1624 eqn. 3 over the TTL/protocol word,
    /// RFC 1812 §5.3.1) instead of summing the whole header again. Returns the new TTL; the caller drops a packet
    /// whose TTL was already 0 or 1 before calling.
    /// </summary>
    public byte DecrementTimeToLive()
    {
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(_buffer[TtlOffset..]);
        byte ttl = (byte)(_buffer[TtlOffset] - 1);
        _buffer[TtlOffset] = ttl;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(_buffer[TtlOffset..]);
        HeaderChecksum = InternetChecksum.UpdateUInt16(HeaderChecksum, oldWord, newWord);
        return ttl;
    }

    /// <summary>"IPv4 10.0.0.2 &gt; 10.0.0.1 proto=17 len=48 ttl=64 id=0x1234 DF".</summary>
    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"IPv4 [malformed: {error}]";
        var text = new StringBuilder(96);
        IPv4Repr.Describe(text, Source, Destination, Protocol, TotalLength, TimeToLive, Identification,
                          DontFragment, MoreFragments, FragmentOffset, TypeOfService);
        if (HeaderLength > MinHeaderLength) text.Append(" opts=").Append(HeaderLength - MinHeaderLength);
        return text.ToString();
    }

    private static byte SetBit(byte octet, byte bit, bool on) => (byte)(on ? octet | bit : octet & ~bit);
}
