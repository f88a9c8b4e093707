using System;

namespace NetKit.Protocols.Wire;

/// <summary>The fields of an Ethernet II header, apart from the frame they came from or go to.</summary>
public readonly record struct EthernetRepr(MacAddress Source, MacAddress Destination, EtherType EtherType)
{
    /// <summary>Bytes <see cref="Emit"/> writes.</summary>
    public int HeaderLength => EthernetFrame.HeaderLength;

    /// <summary>Frame length for a payload of <paramref name="payloadLength"/> bytes (before any padding to the 60-byte minimum).</summary>
    public int BufferLength(int payloadLength) => EthernetFrame.HeaderLength + payloadLength;

    /// <summary>Reads the header of a frame (every field of a checked frame is valid).</summary>
    public static WireError TryParse(EthernetFrame frame, out EthernetRepr repr)
    {
        WireError error = frame.Check();
        repr = error == WireError.None ? new EthernetRepr(frame.Source, frame.Destination, frame.EtherType) : default;
        return error;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="WireFormatException"/> on a malformed frame.</summary>
    public static EthernetRepr Parse(EthernetFrame frame)
    {
        WireError error = TryParse(frame, out EthernetRepr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>Writes the 14-byte header to the start of <paramref name="buffer"/>; the payload follows it.</summary>
    public void Emit(Span<byte> buffer)
    {
        if (buffer.Length < EthernetFrame.HeaderLength) throw new ArgumentException("The buffer is shorter than an Ethernet header.", nameof(buffer));
        EthernetFrame frame = EthernetFrame.CreateUnchecked(buffer);
        frame.Destination = Destination;
        frame.Source = Source;
        frame.EtherType = EtherType;
    }

    public override string ToString() => $"Ethernet {Source} > {Destination} {DescribeType(EtherType)}";

    internal static string DescribeType(EtherType type) => type switch
    {
        EtherType.IPv4 => "type=0x0800 (IPv4)",
        EtherType.Arp => "type=0x0806 (ARP)",
        EtherType.Vlan => "type=0x8100 (802.1Q)",
        EtherType.IPv6 => "type=0x86dd (IPv6)",
        EtherType.ServiceVlan => "type=0x88a8 (802.1ad)",
        _ => $"type=0x{(ushort)type:x4}",
    };
}
