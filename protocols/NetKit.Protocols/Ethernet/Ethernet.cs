using System;
using System.Buffers.Binary;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Ethernet;

/// <summary>
/// Ethernet II (the link layer): accepts frames for the interface's MAC and broadcast, counts and drops multicast
/// (no group membership yet) and 802.1Q/802.1ad-tagged frames (no VLAN support), and demultiplexes by ethertype.
/// </summary>
[Protocol("ethernet", ProtocolLayer.Link, 0)]
public static partial class Ethernet
{
    /// <summary>Steering: the ethertype, or -1 (thread 0) for runts and tagged frames (<c>ether_characterize</c>).</summary>
    [FlowClassifier]
    public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
    {
        if (packet.Length - offset < EthernetFrame.HeaderLength) return -1;
        int etherType = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 12));
        if (etherType is (int)EtherType.Vlan or (int)EtherType.ServiceVlan) return -1;
        offset += EthernetFrame.HeaderLength;
        return etherType;
    }

    [PacketInput]
    public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
    {
        var counters = stack.State<EthernetState>().Counters;
        int thread = ProtocolContext.Thread(stack);
        var data = packet.Data;
        if (EthernetFrame.TryCreate(data.Slice(offset), out var frame) != WireError.None)
            return Drop(packet, counters, thread, EthernetCounter.Truncated);
        var nic = stack.State<InterfaceTable>().Find(packet.InterfaceIndex);
        if (nic is null) return Drop(packet, counters, thread, EthernetCounter.UnknownInterface);
        var destination = frame.Destination;
        if (destination != nic.Mac && !destination.IsBroadcast)
            return Drop(packet, counters, thread, destination.IsMulticast ? EthernetCounter.Multicast : EthernetCounter.NotForUs);
        if (frame.IsVlanTagged) return Drop(packet, counters, thread, EthernetCounter.VlanTagged);
        counters.Increment(thread, EthernetCounter.Received);
        offset += EthernetFrame.HeaderLength;
        return (int)frame.EtherType;
    }

    /// <summary>
    /// Prepends the Ethernet header to <paramref name="packet"/> and transmits it on <paramref name="nic"/>. Takes the
    /// packet over; false when it was dropped (no headroom, device refused), which is counted.
    /// </summary>
    public static bool Output(NetStack stack, NetInterface nic, PacketBuffer packet, MacAddress destination, EtherType etherType)
    {
        var counters = stack.State<EthernetState>().Counters;
        int thread = ProtocolContext.Thread(stack);
        if (packet.Headroom < EthernetFrame.HeaderLength)
        {
            Drop(packet, counters, thread, EthernetCounter.NoHeadroom);
            return false;
        }
        new EthernetRepr(nic.Mac, destination, etherType).Emit(packet.Prepend(EthernetFrame.HeaderLength));
        if (!nic.Device.Transmit(packet))
        {
            counters.Increment(thread, EthernetCounter.TransmitDrops);
            return false;
        }
        counters.Increment(thread, EthernetCounter.Sent);
        return true;
    }

    private static int Drop(PacketBuffer packet, Runtime.Diagnostics.CounterSet<EthernetCounter> counters, int thread, EthernetCounter reason)
    {
        counters.Increment(thread, reason);
        packet.Free();
        return InputResult.Consumed;
    }
}
