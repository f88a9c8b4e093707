using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.Arp;

/// <summary>One neighbour in one protocol thread's cache: resolved (MAC valid until expiry) or waiting for a reply.</summary>
internal sealed class ArpEntry
{
    public ArpEntry(int interfaceIndex, IPv4Address address, int holdCapacity)
    {
        InterfaceIndex = interfaceIndex;
        Address = address;
        Hold = new PacketBuffer?[holdCapacity];
    }

    public int InterfaceIndex { get; }
    public IPv4Address Address { get; }
    public MacAddress Mac;
    public bool Resolved;
    /// <summary>Resolved: end of the reachable time. Waiting: when the next request (or the give-up) is due.</summary>
    public long DeadlineNanoseconds;
    public long LastRequestNanoseconds = long.MinValue;
    public int RequestsSent;
    /// <summary>IP datagrams (no link header yet) waiting for the MAC, oldest first.</summary>
    public readonly PacketBuffer?[] Hold;
    public int HoldCount;
}
