using System.Runtime.InteropServices;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// What a <see cref="FlowClassifierAttribute"/> learned about a packet, enough to hash it to its owner thread.
/// IPv4 addresses and ports are the wire's big-endian values read into host integers, as <see cref="Hashing.FlowHash"/>
/// takes them; IPv6 adds its own fields when it arrives.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct FlowKey
{
    public uint SourceAddress;
    public uint DestinationAddress;
    public ushort SourcePort;
    public ushort DestinationPort;
    /// <summary>Set when the packet is a non-first IP fragment (no ports): it is hashed by addresses only.</summary>
    public bool IsFragment;
    /// <summary>Set when the classifier filled the address fields.</summary>
    public bool HasAddresses;
}
