using System;
using System.Buffers.Binary;
using System.Text;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of a TCP segment (RFC 9293 §3.1). TCP has no length field: the buffer is the whole segment, so
/// the caller slices it to the IP payload. A segment from <see cref="TryCreate"/> has a data offset of at least 5
/// words that fits the buffer; its options are validated by <see cref="TcpOptions.TryParse"/>
/// (<see cref="TcpRepr.TryParse"/> does both). The checksum needs the IPv4 pseudo-header, so it is verified with
/// the addresses (<see cref="VerifyChecksum"/>).
/// </summary>
public readonly ref struct TcpSegment
{
    /// <summary>Header length without options.</summary>
    public const int MinHeaderLength = 20;

    /// <summary>The data offset is 4 bits of 32-bit words.</summary>
    public const int MaxHeaderLength = 60;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int SequenceNumberOffset = 4;
    private const int AcknowledgmentNumberOffset = 8;
    private const int DataOffsetOffset = 12;
    private const int FlagsOffset = 13;
    private const int WindowSizeOffset = 14;
    private const int ChecksumOffset = 16;
    private const int UrgentPointerOffset = 18;

    private readonly Span<byte> _buffer;

    private TcpSegment(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into; accessors on a short buffer throw.</summary>
    public static TcpSegment CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if <see cref="Check"/> passes; otherwise <paramref name="segment"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out TcpSegment segment)
    {
        segment = new TcpSegment(buffer);
        WireError error = segment.Check();
        if (error != WireError.None) segment = default;
        return error;
    }

    /// <summary>
    /// The fixed header must be present, then the data offset must cover it (RFC 9293 §3.1: at least 5 words) and
    /// fit the buffer. Options are not walked here.
    /// </summary>
    public WireError Check()
    {
        if (_buffer.Length < MinHeaderLength) return WireError.Truncated;
        int headerLength = HeaderLength;
        if (headerLength < MinHeaderLength) return WireError.BadHeaderLength;
        return headerLength > _buffer.Length ? WireError.Truncated : WireError.None;
    }

    /// <summary>The whole segment: header and data.</summary>
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

    public uint SequenceNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_buffer[SequenceNumberOffset..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_buffer[SequenceNumberOffset..], value);
    }

    /// <summary>Meaningful only with <see cref="TcpFlags.Ack"/> (RFC 9293 §3.1).</summary>
    public uint AcknowledgmentNumber
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_buffer[AcknowledgmentNumberOffset..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_buffer[AcknowledgmentNumberOffset..], value);
    }

    /// <summary>
    /// Header length in bytes (data offset * 4). The setter takes a multiple of 4 from 20 to 60 and clears the
    /// reserved bits that share the octet (RFC 9293 §3.1: "must be zero").
    /// </summary>
    public int HeaderLength
    {
        get => (_buffer[DataOffsetOffset] >> 4) * 4;
        set
        {
            if (value < MinHeaderLength || value > MaxHeaderLength || value % 4 != 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "The TCP header length is a multiple of 4 from 20 to 60.");
            _buffer[DataOffsetOffset] = (byte)(value / 4 << 4);
        }
    }

    /// <summary>The eight control bits of octet 13.</summary>
    public TcpFlags Flags
    {
        get => (TcpFlags)_buffer[FlagsOffset];
        set => _buffer[FlagsOffset] = (byte)value;
    }

    /// <summary>The unscaled window field; the connection applies any window scale (RFC 7323 §2.3).</summary>
    public ushort WindowSize
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[WindowSizeOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[WindowSizeOffset..], value);
    }

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[ChecksumOffset..], value);
    }

    /// <summary>Meaningful only with <see cref="TcpFlags.Urg"/> (RFC 9293 §3.1).</summary>
    public ushort UrgentPointer
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[UrgentPointerOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[UrgentPointerOffset..], value);
    }

    /// <summary>The header, options included.</summary>
    public Span<byte> Header => _buffer[..HeaderLength];

    /// <summary>The options area: header bytes past the first 20 (empty when the data offset is 5).</summary>
    public Span<byte> Options => _buffer[MinHeaderLength..HeaderLength];

    /// <summary>The data: from the end of the header to the end of the buffer.</summary>
    public Span<byte> Payload => _buffer[HeaderLength..];

    /// <summary>
    /// Whether the pseudo-header, header and data sum to all ones (RFC 9293 §3.1, "Checksum"). Unlike UDP, 0 is an
    /// ordinary checksum value: TCP has no "not computed".
    /// </summary>
    public bool VerifyChecksum(IPv4Address source, IPv4Address destination)
        => _buffer.Length <= ushort.MaxValue && ComputeChecksum(source, destination) == 0;

    /// <summary>Fills the checksum over the pseudo-header and the whole buffer.</summary>
    public void FillChecksum(IPv4Address source, IPv4Address destination)
    {
        if (_buffer.Length > ushort.MaxValue) throw new InvalidOperationException("A TCP segment is at most 65535 bytes.");
        Checksum = 0;
        Checksum = ComputeChecksum(source, destination);
    }

    private ushort ComputeChecksum(IPv4Address source, IPv4Address destination)
    {
        // The pseudo-header's TCP length is the header plus data (RFC 9293 §3.1), here the whole buffer.
        ushort pseudo = InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Tcp, (ushort)_buffer.Length);
        return InternetChecksum.Finish(InternetChecksum.Add(pseudo, InternetChecksum.Sum(_buffer)));
    }

    /// <summary>"TCP 1234 &gt; 80 [SYN, ACK] seq=1 ack=2 win=65535 len=0 opts=12".</summary>
    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"TCP [malformed: {error}]";
        var text = new StringBuilder(96);
        TcpRepr.Describe(text, SourcePort, DestinationPort, Flags, SequenceNumber, AcknowledgmentNumber, WindowSize, UrgentPointer, Payload.Length);
        if (HeaderLength > MinHeaderLength) text.Append(" opts=").Append(HeaderLength - MinHeaderLength);
        return text.ToString();
    }
}
