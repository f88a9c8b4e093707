using System;

namespace NetKit.Protocols.Wire;

/// <summary>An Ethernet/IPv4 ARP request or reply (RFC 826).</summary>
public readonly record struct ArpRepr(
    ArpOperation Operation,
    MacAddress SenderHardwareAddress,
    IPv4Address SenderProtocolAddress,
    MacAddress TargetHardwareAddress,
    IPv4Address TargetProtocolAddress)
{
    /// <summary>ARP has no payload: the header is the packet.</summary>
    public int HeaderLength => ArpPacket.Length;

    /// <summary>Bytes <see cref="Emit"/> writes.</summary>
    public int BufferLength => ArpPacket.Length;

    /// <summary>A request for <paramref name="targetAddress"/>'s hardware address; the target hardware address is left zero (RFC 826, "Packet Generation").</summary>
    public static ArpRepr Request(MacAddress senderHardwareAddress, IPv4Address senderAddress, IPv4Address targetAddress)
        => new(ArpOperation.Request, senderHardwareAddress, senderAddress, MacAddress.Zero, targetAddress);

    /// <summary>Checks <paramref name="packet"/> and reads it; opcodes other than request and reply are <see cref="WireError.Unsupported"/>.</summary>
    public static WireError TryParse(ArpPacket packet, out ArpRepr repr)
    {
        repr = default;
        WireError error = packet.Check();
        if (error != WireError.None) return error;
        ArpOperation operation = packet.Operation;
        if (operation is not (ArpOperation.Request or ArpOperation.Reply)) return WireError.Unsupported;
        repr = new ArpRepr(operation, packet.SenderHardwareAddress, packet.SenderProtocolAddress,
                           packet.TargetHardwareAddress, packet.TargetProtocolAddress);
        return WireError.None;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="WireFormatException"/> on a malformed packet.</summary>
    public static ArpRepr Parse(ArpPacket packet)
    {
        WireError error = TryParse(packet, out ArpRepr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>Writes the 28-byte packet to the start of <paramref name="buffer"/>.</summary>
    public void Emit(Span<byte> buffer)
    {
        if (buffer.Length < ArpPacket.Length) throw new ArgumentException("The buffer is shorter than an ARP packet.", nameof(buffer));
        ArpPacket packet = ArpPacket.CreateUnchecked(buffer);
        packet.HardwareType = ArpPacket.HardwareTypeEthernet;
        packet.ProtocolType = EtherType.IPv4;
        packet.HardwareLength = MacAddress.Length;
        packet.ProtocolLength = IPv4Address.Length;
        packet.Operation = Operation;
        packet.SenderHardwareAddress = SenderHardwareAddress;
        packet.SenderProtocolAddress = SenderProtocolAddress;
        packet.TargetHardwareAddress = TargetHardwareAddress;
        packet.TargetProtocolAddress = TargetProtocolAddress;
    }

    public override string ToString()
        => Describe(Operation, SenderHardwareAddress, SenderProtocolAddress, TargetHardwareAddress, TargetProtocolAddress);

    // tcpdump's wording: "who-has T tell S" for a request, "S is-at MAC" for a reply.
    internal static string Describe(ArpOperation operation, MacAddress senderMac, IPv4Address sender, MacAddress targetMac, IPv4Address target)
        => operation switch
        {
            ArpOperation.Request => $"ARP request who-has {target} tell {sender} ({senderMac})",
            ArpOperation.Reply => $"ARP reply {sender} is-at {senderMac} to {target} ({targetMac})",
            _ => $"ARP op={(ushort)operation} {sender} ({senderMac}) > {target} ({targetMac})",
        };
}
