using System;
using System.Buffers.Binary;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of an Ethernet II frame (IEEE 802.3 clause 3.2, without preamble or FCS): destination, source,
/// EtherType, payload. A frame from <see cref="TryCreate"/> holds at least the 14-byte header. The payload includes
/// any link padding up to the 60-byte minimum; the network layer trims it by its own length field.
/// </summary>
public readonly ref struct EthernetFrame
{
    /// <summary>Destination, source and EtherType.</summary>
    public const int HeaderLength = 14;

    private const int DestinationOffset = 0;
    private const int SourceOffset = 6;
    private const int EtherTypeOffset = 12;

    private readonly Span<byte> _buffer;

    private EthernetFrame(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into; accessors on a short buffer throw.</summary>
    public static EthernetFrame CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if it holds a header; otherwise <paramref name="frame"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out EthernetFrame frame)
    {
        frame = new EthernetFrame(buffer);
        WireError error = frame.Check();
        if (error != WireError.None) frame = default;
        return error;
    }

    /// <summary>Validates the buffer length.</summary>
    public WireError Check() => _buffer.Length < HeaderLength ? WireError.Truncated : WireError.None;

    /// <summary>The whole frame.</summary>
    public Span<byte> Buffer => _buffer;

    public MacAddress Destination
    {
        get => MacAddress.Read(_buffer[DestinationOffset..]);
        set => value.WriteTo(_buffer[DestinationOffset..]);
    }

    public MacAddress Source
    {
        get => MacAddress.Read(_buffer[SourceOffset..]);
        set => value.WriteTo(_buffer[SourceOffset..]);
    }

    public EtherType EtherType
    {
        get => (EtherType)BinaryPrimitives.ReadUInt16BigEndian(_buffer[EtherTypeOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[EtherTypeOffset..], (ushort)value);
    }

    /// <summary>An 802.1Q or 802.1ad tag follows; the payload then starts with the tag control information and the inner EtherType.</summary>
    public bool IsVlanTagged => EtherType is EtherType.Vlan or EtherType.ServiceVlan;

    /// <summary>Everything after the header, including link padding.</summary>
    public Span<byte> Payload => _buffer[HeaderLength..];

    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"Ethernet [malformed: {error}]";
        return $"Ethernet {Source} > {Destination} {EthernetRepr.DescribeType(EtherType)} payload={Payload.Length}";
    }
}
