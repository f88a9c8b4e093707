namespace NetKit.Protocols.Wire;

/// <summary>The ARP opcode (RFC 826, "Packet format": ar$op).</summary>
public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}
