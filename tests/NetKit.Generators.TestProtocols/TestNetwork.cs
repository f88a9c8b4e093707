using System;
using System.Buffers.Binary;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Generators.TestProtocols;

/// <summary>
/// A minimal IPv4-shaped network layer for tests (ethertype 0x0800): a 20-byte header with protocol at byte 9 and
/// addresses at 12-19, no options or fragments. Carries one IP-level option so option chaining is exercised.
/// </summary>
[Protocol("testip", ProtocolLayer.Network, 0x0800, FlowHash = FlowHashKind.Addresses)]
[RequiresProtocol(typeof(TestLink))]
public static partial class TestNetwork
{
    public const int HeaderLength = 20;

    /// <summary>IP_TTL's number on Linux.</summary>
    public const int OptionTtl = 2;

    [FlowClassifier]
    public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
    {
        if (packet.Length - offset < HeaderLength) return -1;
        var header = packet.Slice(offset, HeaderLength);
        key.SourceAddress = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(12));
        key.DestinationAddress = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(16));
        key.HasAddresses = true;
        offset += HeaderLength;
        return header[9];
    }

    [PacketInput]
    public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
    {
        var data = packet.Data;
        if (data.Length - offset < HeaderLength)
        {
            packet.Free();
            return InputResult.Consumed;
        }
        int protocol = data[offset + 9];
        offset += HeaderLength;
        return protocol;
    }

    [SockOpt(SockOptLevel.IP, OptionTtl, SockOptAccess.Set, Minimum = 1, Maximum = 255)]
    public static Errno SetTtl(NetSocket socket, int value)
    {
        TestTransport.Pcb(socket).Ttl = value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.IP, OptionTtl, SockOptAccess.Get)]
    public static Errno GetTtl(NetSocket socket, out int value)
    {
        value = TestTransport.Pcb(socket).Ttl;
        return Errno.None;
    }
}
