using System;

namespace NetKit.Protocols.Wire;

/// <summary>The fields of a UDP header; the payload stays in the buffer and <see cref="PayloadLength"/> sizes it.</summary>
public readonly record struct UdpRepr(ushort SourcePort, ushort DestinationPort, int PayloadLength)
{
    /// <summary>Largest payload: the length field is 16 bits and counts the header.</summary>
    public const int MaxPayloadLength = ushort.MaxValue - UdpDatagram.HeaderLength;

    /// <summary>Bytes of header <see cref="Emit(Span{byte}, IPv4Address, IPv4Address)"/> writes before the payload.</summary>
    public int HeaderLength => UdpDatagram.HeaderLength;

    /// <summary>Header plus payload: the length field.</summary>
    public int BufferLength => UdpDatagram.HeaderLength + PayloadLength;

    /// <summary>
    /// Checks <paramref name="datagram"/>, verifies its checksum against the pseudo-header of
    /// <paramref name="source"/> and <paramref name="destination"/> unless <paramref name="verifyChecksum"/> is false,
    /// and reads it.
    /// </summary>
    public static WireError TryParse(UdpDatagram datagram, IPv4Address source, IPv4Address destination, out UdpRepr repr, bool verifyChecksum = true)
    {
        repr = default;
        WireError error = datagram.Check();
        if (error != WireError.None) return error;
        if (verifyChecksum && !datagram.VerifyChecksum(source, destination)) return WireError.BadChecksum;
        repr = new UdpRepr(datagram.SourcePort, datagram.DestinationPort, datagram.Length - UdpDatagram.HeaderLength);
        return WireError.None;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="WireFormatException"/>.</summary>
    public static UdpRepr Parse(UdpDatagram datagram, IPv4Address source, IPv4Address destination)
    {
        WireError error = TryParse(datagram, source, destination, out UdpRepr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>
    /// Writes the header to the start of <paramref name="buffer"/> and fills the checksum over the pseudo-header,
    /// the header and the <see cref="PayloadLength"/> bytes after it, which must already be in place.
    /// </summary>
    public void Emit(Span<byte> buffer, IPv4Address source, IPv4Address destination)
    {
        if ((uint)PayloadLength > MaxPayloadLength) throw new InvalidOperationException($"A UDP payload is at most {MaxPayloadLength} bytes.");
        if (buffer.Length < BufferLength) throw new ArgumentException("The buffer is shorter than the datagram.", nameof(buffer));
        UdpDatagram datagram = UdpDatagram.CreateUnchecked(buffer);
        datagram.SourcePort = SourcePort;
        datagram.DestinationPort = DestinationPort;
        datagram.Length = (ushort)BufferLength;
        datagram.FillChecksum(source, destination);
    }

    /// <summary>Copies <paramref name="payload"/> behind the header, then emits as <see cref="Emit(Span{byte}, IPv4Address, IPv4Address)"/>.</summary>
    public void Emit(Span<byte> buffer, ReadOnlySpan<byte> payload, IPv4Address source, IPv4Address destination)
    {
        if (payload.Length != PayloadLength) throw new ArgumentException("The payload length differs from PayloadLength.", nameof(payload));
        if (buffer.Length < BufferLength) throw new ArgumentException("The buffer is shorter than the datagram.", nameof(buffer));
        payload.CopyTo(buffer[UdpDatagram.HeaderLength..]);
        Emit(buffer, source, destination);
    }

    public override string ToString() => $"UDP {SourcePort} > {DestinationPort} len={BufferLength}";
}
