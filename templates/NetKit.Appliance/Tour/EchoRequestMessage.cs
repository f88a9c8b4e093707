using System;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using IPv4Protocol = NetKit.Protocols.IPv4.IPv4;

namespace NetKit.Appliance.Tour;

/// <summary>
/// Sends one ICMP echo request from a protocol thread (packets are built and sent only there). Unlike
/// <c>Icmp.SendEchoRequest</c>, which fits the message in one buffer, it builds a buffer chain, so a request larger
/// than the MTU can be sent and IPv4 fragments it, as Linux does for <c>ping -s 4000</c>.
/// </summary>
internal sealed unsafe class EchoRequestMessage : NetMsg
{
    private readonly NetStack _stack;
    private readonly IPv4Address _destination;
    private readonly byte[] _message;

    public EchoRequestMessage(NetStack stack, IPv4Address destination, ushort identifier, ushort sequence, int dataBytes)
        : base(&Send)
    {
        _stack = stack;
        _destination = destination;
        var repr = IcmpV4Repr.EchoRequest(identifier, sequence, dataBytes);
        _message = new byte[repr.BufferLength];
        var data = new byte[dataBytes];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)i; // ping's pattern: a byte counter
        repr.Emit(_message, data); // the checksum covers header and data, so the message is built whole first
    }

    private static void Send(NetMsg message)
    {
        var self = (EchoRequestMessage)message;
        var pool = ProtocolThread.Current!.Buffers;
        var packet = pool.TryRentChain(self._message.Length, pool.Options.DefaultHeadroom);
        if (packet is null)
        {
            self.Reply(Errno.ENOBUFS);
            return;
        }
        packet.CopyIntoChain(self._message);
        self.Reply(IPv4Protocol.Output(self._stack, packet, default, self._destination, IpProtocol.Icmp));
    }
}
