using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Arp;

/// <summary>
/// ARP for IPv4 over Ethernet (RFC 826). Input runs on thread 0 (no flows to spread): it answers requests for our
/// addresses, merges what it learns into its cache and copies it to every other thread's cache by message.
/// Resolution for output happens in the sending thread's own cache (<see cref="Resolve"/>).
/// </summary>
[Protocol("arp", ProtocolLayer.Network, (int)EtherType.Arp, FlowHash = FlowHashKind.Thread0)]
[RequiresProtocol(typeof(Ethernet.Ethernet))]
public static partial class Arp
{
    [PacketInput]
    public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
    {
        var state = stack.State<ArpState>();
        int thread = ProtocolContext.Thread(stack);
        var buffer = packet.Data.Slice(offset);
        if (ArpPacket.TryCreate(buffer, out var view) != WireError.None || ArpRepr.TryParse(view, out var arp) != WireError.None)
            return Drop(packet, state, thread, ArpCounter.Invalid);
        var nic = stack.State<InterfaceTable>().Find(packet.InterfaceIndex);
        if (nic is null) return Drop(packet, state, thread, ArpCounter.Invalid);
        var ours = nic.Configuration.Address;
        if (arp.SenderProtocolAddress == ours || arp.SenderHardwareAddress.IsMulticast)
            return Drop(packet, state, thread, ArpCounter.Invalid); // someone claims our address, or nonsense
        state.Counters.Increment(thread, arp.Operation == ArpOperation.Request ? ArpCounter.RequestsReceived : ArpCounter.RepliesReceived);

        // RFC 826 merge: update a known sender; add it when the packet is for us.
        bool forUs = arp.TargetProtocolAddress == ours;
        Learn(stack, state, nic, arp.SenderProtocolAddress, arp.SenderHardwareAddress, forUs);

        if (forUs && arp.Operation == ArpOperation.Request)
        {
            // Answer in the same buffer: swap the roles and send it straight back.
            var reply = new ArpRepr(ArpOperation.Reply, nic.Mac, ours, arp.SenderHardwareAddress, arp.SenderProtocolAddress);
            packet.TrimFront(offset);                        // the Ethernet header goes; Output prepends a new one
            packet.TrimEnd(packet.Length - ArpPacket.Length); // and any link padding
            reply.Emit(packet.Data);
            if (Ethernet.Ethernet.Output(stack, nic, packet, arp.SenderHardwareAddress, EtherType.Arp))
                state.Counters.Increment(thread, ArpCounter.RepliesSent);
            return InputResult.Consumed;
        }
        if (!forUs) state.Counters.Increment(thread, ArpCounter.NotForUs);
        packet.Free();
        return InputResult.Consumed;
    }

    /// <summary>
    /// Sends IP datagram <paramref name="packet"/> to <paramref name="nextHop"/> on <paramref name="nic"/> from the
    /// calling protocol thread, resolving its MAC in that thread's cache first. Takes the packet over.
    /// </summary>
    public static void Resolve(NetStack stack, NetInterface nic, IPv4Address nextHop, PacketBuffer packet)
    {
        var state = stack.State<ArpState>();
        state.Caches[ProtocolContext.Thread(stack)].Send(nic, nextHop, packet, ProtocolContext.Now(stack));
    }

    /// <summary>Announces <paramref name="nic"/>'s address with a gratuitous ARP request (RFC 5227 §3), from thread 0.</summary>
    public static unsafe void Announce(NetStack stack, NetInterface nic)
    {
        var message = stack.State<ArpState>().Updates.Rent();
        message.Stack = stack;
        message.Interface = nic;
        message.Handler = &AnnounceHandler;
        stack.Threads[0].Port.Send(message);
    }

    private static unsafe void AnnounceHandler(Runtime.Messaging.NetMsg message)
    {
        var update = (ArpUpdateMessage)message;
        var stack = update.Stack!;
        var nic = update.Interface!;
        update.Stack = null;
        update.Interface = null;
        update.Handler = null;
        update.Reply();
        var address = nic.Configuration.Address;
        var state = stack.State<ArpState>();
        if (SendArp(stack, nic, new ArpRepr(ArpOperation.Request, nic.Mac, address, MacAddress.Zero, address), MacAddress.Broadcast))
            state.Counters.Increment(ProtocolContext.Thread(stack), ArpCounter.GratuitousSent);
    }

    /// <summary>Builds and sends one ARP packet from the calling thread's buffer pool; false when no buffer was free.</summary>
    internal static bool SendArp(NetStack stack, NetInterface nic, ArpRepr arp, MacAddress destination)
    {
        var pool = ProtocolThread.Current?.Buffers;
        var packet = pool?.TryRent();
        if (packet is null)
        {
            stack.State<ArpState>().Counters.Increment(ProtocolContext.Thread(stack), ArpCounter.NoBuffer);
            return false;
        }
        arp.Emit(packet.Append(ArpPacket.Length));
        return Ethernet.Ethernet.Output(stack, nic, packet, destination, EtherType.Arp);
    }

    private static unsafe void Learn(NetStack stack, ArpState state, NetInterface nic, IPv4Address address, MacAddress mac, bool create)
    {
        long now = ProtocolContext.Now(stack);
        int self = ProtocolContext.Thread(stack);
        state.Caches[self].Update(nic, address, mac, create, now);
        for (int t = 0; t < stack.Threads.Count; t++)
        {
            if (t == self) continue;
            var update = state.Updates.Rent();
            update.Stack = stack;
            update.Interface = nic;
            update.Address = address;
            update.Mac = mac;
            update.Create = create;
            update.Handler = ArpUpdateMessage.ApplyHandler;
            stack.Threads[t].Port.Send(update);
        }
    }

    private static int Drop(PacketBuffer packet, ArpState state, int thread, ArpCounter reason)
    {
        state.Counters.Increment(thread, reason);
        packet.Free();
        return InputResult.Consumed;
    }
}
