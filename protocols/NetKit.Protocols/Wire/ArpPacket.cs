using System;
using System.Buffers.Binary;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Zero-copy view of an ARP packet for Ethernet and IPv4 (RFC 826, "Packet format"): hardware type 1, protocol type
/// 0x0800, address lengths 6 and 4, so the packet is 28 bytes. Other combinations are <see cref="WireError.Unsupported"/>.
/// </summary>
public readonly ref struct ArpPacket
{
    /// <summary>Length of an Ethernet/IPv4 ARP packet.</summary>
    public const int Length = 28;

    /// <summary>ar$hrd for Ethernet (IANA "Hardware Types").</summary>
    public const ushort HardwareTypeEthernet = 1;

    // The fixed part before the addresses: hrd, pro, hln, pln, op.
    private const int FixedLength = 8;
    private const int HardwareTypeOffset = 0;
    private const int ProtocolTypeOffset = 2;
    private const int HardwareLengthOffset = 4;
    private const int ProtocolLengthOffset = 5;
    private const int OperationOffset = 6;
    private const int SenderHardwareOffset = 8;
    private const int SenderProtocolOffset = 14;
    private const int TargetHardwareOffset = 18;
    private const int TargetProtocolOffset = 24;

    private readonly Span<byte> _buffer;

    private ArpPacket(Span<byte> buffer) => _buffer = buffer;

    /// <summary>Wraps <paramref name="buffer"/> without checking it, to emit into.</summary>
    public static ArpPacket CreateUnchecked(Span<byte> buffer) => new(buffer);

    /// <summary>Wraps <paramref name="buffer"/> if <see cref="Check"/> passes; otherwise <paramref name="packet"/> is empty.</summary>
    public static WireError TryCreate(Span<byte> buffer, out ArpPacket packet)
    {
        packet = new ArpPacket(buffer);
        WireError error = packet.Check();
        if (error != WireError.None) packet = default;
        return error;
    }

    /// <summary>
    /// The fixed part must be present before its types are read; then the types must be Ethernet/IPv4, and only then
    /// is the length of the addresses they imply required. The opcode is left to <see cref="ArpRepr"/>.
    /// </summary>
    public WireError Check()
    {
        if (_buffer.Length < FixedLength) return WireError.Truncated;
        if (HardwareType != HardwareTypeEthernet || ProtocolType != EtherType.IPv4
            || HardwareLength != MacAddress.Length || ProtocolLength != IPv4Address.Length)
            return WireError.Unsupported;
        return _buffer.Length < Length ? WireError.Truncated : WireError.None;
    }

    /// <summary>The whole buffer (an Ethernet payload may carry padding after the 28 bytes).</summary>
    public Span<byte> Buffer => _buffer;

    public ushort HardwareType
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_buffer[HardwareTypeOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[HardwareTypeOffset..], value);
    }

    public EtherType ProtocolType
    {
        get => (EtherType)BinaryPrimitives.ReadUInt16BigEndian(_buffer[ProtocolTypeOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[ProtocolTypeOffset..], (ushort)value);
    }

    public byte HardwareLength
    {
        get => _buffer[HardwareLengthOffset];
        set => _buffer[HardwareLengthOffset] = value;
    }

    public byte ProtocolLength
    {
        get => _buffer[ProtocolLengthOffset];
        set => _buffer[ProtocolLengthOffset] = value;
    }

    public ArpOperation Operation
    {
        get => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_buffer[OperationOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_buffer[OperationOffset..], (ushort)value);
    }

    public MacAddress SenderHardwareAddress
    {
        get => MacAddress.Read(_buffer[SenderHardwareOffset..]);
        set => value.WriteTo(_buffer[SenderHardwareOffset..]);
    }

    public IPv4Address SenderProtocolAddress
    {
        get => IPv4Address.Read(_buffer[SenderProtocolOffset..]);
        set => value.WriteTo(_buffer[SenderProtocolOffset..]);
    }

    public MacAddress TargetHardwareAddress
    {
        get => MacAddress.Read(_buffer[TargetHardwareOffset..]);
        set => value.WriteTo(_buffer[TargetHardwareOffset..]);
    }

    public IPv4Address TargetProtocolAddress
    {
        get => IPv4Address.Read(_buffer[TargetProtocolOffset..]);
        set => value.WriteTo(_buffer[TargetProtocolOffset..]);
    }

    public override string ToString()
    {
        WireError error = Check();
        if (error != WireError.None) return $"ARP [malformed: {error}]";
        return ArpRepr.Describe(Operation, SenderHardwareAddress, SenderProtocolAddress, TargetHardwareAddress, TargetProtocolAddress);
    }
}
