using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.Common;

/// <summary>Helpers for packets that span a chain of buffers (reassembled datagrams, large sends).</summary>
internal static class Chains
{
    /// <summary>Bytes of data in the whole chain.</summary>
    public static int Length(PacketBuffer packet)
    {
        int total = 0;
        for (var b = packet; b is not null; b = b.Next) total += b.Length;
        return total;
    }
}
