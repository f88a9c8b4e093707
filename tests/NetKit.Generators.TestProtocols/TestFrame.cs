using System;
using System.Buffers.Binary;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;

namespace NetKit.Generators.TestProtocols;

/// <summary>
/// A minimal Ethernet-like link for tests: 14-byte header, ethertype at bytes 12-13. The real Ethernet arrives with
/// the wire-format issue; this one only has to exercise the generated demultiplexing.
/// </summary>
[Protocol("testlink", ProtocolLayer.Link, 0)]
public static partial class TestLink
{
    public const int HeaderLength = 14;

    [FlowClassifier]
    public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
    {
        if (packet.Length - offset < HeaderLength) return -1;
        int etherType = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 12));
        offset += HeaderLength;
        return etherType;
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
        int etherType = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(offset + 12));
        offset += HeaderLength;
        return etherType;
    }
}
