using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.Common;

/// <summary>Transport checksums over packet buffer chains (UDP and TCP share the IPv4 pseudo-header sum, RFC 768 / RFC 9293 §3.1).</summary>
internal static class Checksums
{
    /// <summary>
    /// The Internet checksum of the pseudo-header plus every buffer of the chain from <paramref name="packet"/> (the
    /// transport header first, its checksum field already zero). <paramref name="length"/> is the transport length.
    /// </summary>
    public static ushort PseudoHeaderChain(PacketBuffer packet, IPv4Address source, IPv4Address destination, IpProtocol protocol, int length)
    {
        var sum = new ChecksumAccumulator();
        sum.AddPartialSum(InternetChecksum.PseudoHeaderSum(source, destination, protocol, (ushort)length));
        for (var b = packet; b is not null; b = b.Next) sum.Add(b.Data);
        return sum.Checksum;
    }
}
