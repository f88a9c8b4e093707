using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Drivers.Queues;

/// <summary>
/// A frame transmitted from a thread that is not one of the stack's protocol threads (a test, an application) rides its
/// buffer's embedded packet message to the protocol thread owning its flow and is transmitted there, so a flow keeps
/// its order and each transmit queue keeps a single owner.
/// </summary>
internal static unsafe class OwnerThreadTransmit
{
    /// <summary>Sends the frame on its way; false (the frame untouched) when its message is still in flight elsewhere.</summary>
    public static bool Post(NetStack stack, ILinkDevice device, PacketBuffer frame)
    {
        var message = PacketMessage.For(frame);
        if (!message.IsDone) return false; // the buffer's message is still in flight: not ours to send
        message.Handler = &TransmitOnOwner;
        message.Owner = device;
        stack.Threads[stack.SelectThread(frame)].Port.Send(message);
        return true;
    }

    private static void TransmitOnOwner(NetMsg message)
    {
        var device = (ILinkDevice)message.Owner!;
        var frame = ((PacketMessage)message).Packet;
        message.Owner = null;
        message.Reply(); // the buffer's message is free again before the frame moves on
        device.Transmit(frame);
    }
}
