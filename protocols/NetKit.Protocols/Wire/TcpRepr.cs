using System;
using System.Text;

namespace NetKit.Protocols.Wire;

/// <summary>
/// The fields and options of a TCP header; the payload stays in the buffer and <see cref="PayloadLength"/> sizes it.
/// The checksum is not a field: <see cref="TryParse"/> verifies it and <see cref="Emit(Span{byte}, IPv4Address, IPv4Address)"/> fills it.
/// </summary>
public readonly record struct TcpRepr(
    ushort SourcePort,
    ushort DestinationPort,
    uint SequenceNumber,
    uint AcknowledgmentNumber,
    TcpFlags Flags,
    ushort WindowSize,
    ushort UrgentPointer,
    TcpOptions Options,
    int PayloadLength)
{
    /// <summary>Bytes of header (options included) <see cref="EmitHeader"/> writes before the payload.</summary>
    public int HeaderLength => TcpSegment.MinHeaderLength + Options.EmittedLength;

    /// <summary>Header plus payload: the TCP length of the pseudo-header.</summary>
    public int BufferLength => HeaderLength + PayloadLength;

    /// <summary>
    /// Checks <paramref name="segment"/>, verifies its checksum against the pseudo-header of <paramref name="source"/>
    /// and <paramref name="destination"/> unless <paramref name="verifyChecksum"/> is false (the NIC did), then reads
    /// its fields and options. The payload is the rest of the segment's buffer.
    /// </summary>
    public static WireError TryParse(TcpSegment segment, IPv4Address source, IPv4Address destination, bool verifyChecksum, out TcpRepr repr)
    {
        repr = default;
        WireError error = segment.Check();
        if (error != WireError.None) return error;
        if (verifyChecksum && !segment.VerifyChecksum(source, destination)) return WireError.BadChecksum;
        error = TcpOptions.TryParse(segment.Options, out TcpOptions options);
        if (error != WireError.None) return error;
        repr = new TcpRepr(segment.SourcePort, segment.DestinationPort, segment.SequenceNumber, segment.AcknowledgmentNumber,
                           segment.Flags, segment.WindowSize, segment.UrgentPointer, options, segment.Payload.Length);
        return WireError.None;
    }

    /// <summary>As <see cref="TryParse"/> with the checksum verified, throwing <see cref="WireFormatException"/>.</summary>
    public static TcpRepr Parse(TcpSegment segment, IPv4Address source, IPv4Address destination)
    {
        WireError error = TryParse(segment, source, destination, verifyChecksum: true, out TcpRepr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>
    /// Writes the <see cref="HeaderLength"/> header bytes, options included, to the start of <paramref name="header"/>
    /// with a zero checksum (for a caller that checksums the segment itself, e.g. with a
    /// <see cref="ChecksumAccumulator"/> over a split payload).
    /// </summary>
    public void EmitHeader(Span<byte> header)
    {
        int headerLength = HeaderLength;
        if (header.Length < headerLength) throw new ArgumentException("The buffer is shorter than the TCP header.", nameof(header));
        TcpSegment segment = TcpSegment.CreateUnchecked(header);
        segment.SourcePort = SourcePort;
        segment.DestinationPort = DestinationPort;
        segment.SequenceNumber = SequenceNumber;
        segment.AcknowledgmentNumber = AcknowledgmentNumber;
        segment.HeaderLength = headerLength;
        segment.Flags = Flags;
        segment.WindowSize = WindowSize;
        segment.Checksum = 0;
        segment.UrgentPointer = UrgentPointer;
        Options.Emit(header[TcpSegment.MinHeaderLength..headerLength]);
    }

    /// <summary>
    /// Writes the header to the start of <paramref name="segment"/> and fills the checksum over the pseudo-header and
    /// the whole span: the span is exactly the segment, the <see cref="PayloadLength"/> bytes already after the header.
    /// </summary>
    public void Emit(Span<byte> segment, IPv4Address source, IPv4Address destination)
    {
        CheckLengths(segment);
        EmitHeader(segment);
        TcpSegment.CreateUnchecked(segment).FillChecksum(source, destination);
    }

    /// <summary>Copies <paramref name="payload"/> behind the header, then emits as <see cref="Emit(Span{byte}, IPv4Address, IPv4Address)"/>.</summary>
    public void Emit(Span<byte> segment, ReadOnlySpan<byte> payload, IPv4Address source, IPv4Address destination)
    {
        if (payload.Length != PayloadLength) throw new ArgumentException("The payload length differs from PayloadLength.", nameof(payload));
        CheckLengths(segment);
        payload.CopyTo(segment[HeaderLength..]);
        Emit(segment, source, destination);
    }

    /// <summary>"TCP 1234 &gt; 80 [SYN] seq=1 ack=0 win=65535 len=0 mss=1460 sackOK ts=100/0 ws=7" (urg=N follows len with URG).</summary>
    public override string ToString()
    {
        var text = new StringBuilder(128);
        Describe(text, SourcePort, DestinationPort, Flags, SequenceNumber, AcknowledgmentNumber, WindowSize, UrgentPointer, PayloadLength);
        Options.Describe(text);
        return text.ToString();
    }

    internal static void Describe(StringBuilder text, ushort sourcePort, ushort destinationPort, TcpFlags flags,
                                  uint sequenceNumber, uint acknowledgmentNumber, ushort windowSize, ushort urgentPointer,
                                  int payloadLength)
    {
        text.Append("TCP ").Append(sourcePort).Append(" > ").Append(destinationPort).Append(" [");
        ReadOnlySpan<string> names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
        bool first = true;
        for (int bit = 0; bit < names.Length; bit++)
        {
            if (((int)flags & 1 << bit) == 0) continue;
            if (!first) text.Append(", ");
            text.Append(names[bit]);
            first = false;
        }
        text.Append("] seq=").Append(sequenceNumber).Append(" ack=").Append(acknowledgmentNumber)
            .Append(" win=").Append(windowSize).Append(" len=").Append(payloadLength);
        if ((flags & TcpFlags.Urg) != 0) text.Append(" urg=").Append(urgentPointer);
    }

    private void CheckLengths(Span<byte> segment)
    {
        // The pseudo-header's TCP length is 16 bits (RFC 9293 §3.1).
        if (PayloadLength < 0 || BufferLength > ushort.MaxValue)
            throw new InvalidOperationException($"A TCP segment is 0 to {ushort.MaxValue} bytes.");
        if (segment.Length != BufferLength)
            throw new ArgumentException("The buffer must be exactly the segment: header and payload.", nameof(segment));
    }
}
