using NetKit.Runtime.Buffers;
using NetKit.Runtime.Messaging;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// The netmsg a packet rides to its owner protocol thread, embedded in the packet buffer and reused for every trip
/// (DragonFly's <c>netmsg_packet</c> inside the mbuf header). Generated stack code fills it; its handler takes the
/// packet over and marks the message done before running protocol input.
/// </summary>
public sealed unsafe class PacketMessage : NetMsg
{
    private PacketMessage(PacketBuffer packet) : base(null) => Packet = packet;

    public PacketBuffer Packet { get; }
    public NetStack? Stack;
    public int Offset;
    public int Protocol;
    public ControlCommand Command;

    /// <summary>A packet still queued when its thread stops goes back to its pool.</summary>
    protected override void OnAbandoned(Errno error)
    {
        Stack = null;
        Packet.Free();
    }

    /// <summary>The buffer's embedded packet message, created on the buffer's first trip.</summary>
    public static PacketMessage For(PacketBuffer packet)
    {
        if (packet.EmbeddedMessage is PacketMessage existing) return existing;
        var created = new PacketMessage(packet);
        packet.EmbeddedMessage = created;
        return created;
    }
}
