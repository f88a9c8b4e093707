using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Arp;

/// <summary>Carries a learned (address, MAC) from thread 0, where ARP input runs, to another thread's cache.</summary>
internal sealed unsafe class ArpUpdateMessage : NetMsg
{
    public ArpUpdateMessage() : base(&Apply) => Flags = MessageFlags.IgnoreHome;

    /// <summary>The handler that merges the update into the receiving thread's cache.</summary>
    public static delegate*<NetMsg, void> ApplyHandler => &Apply;

    public NetStack? Stack;
    public NetInterface? Interface;
    public IPv4Address Address;
    public MacAddress Mac;
    public bool Create;

    private static void Apply(NetMsg message)
    {
        var update = (ArpUpdateMessage)message;
        var stack = update.Stack!;
        var state = stack.State<ArpState>();
        state.Caches[ProtocolContext.Thread(stack)].Update(update.Interface!, update.Address, update.Mac, update.Create, ProtocolContext.Now(stack));
        update.Stack = null;
        update.Interface = null;
        update.Reply();
    }
}
