using System;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers;

/// <summary>Deep copies of frames (a duplicated frame, a broadcast delivered to several interfaces).</summary>
internal static class FrameCopy
{
    /// <summary>
    /// Copies <paramref name="frame"/> and its chain into buffers rented from the frame's own pool (its CPU's pool, so
    /// the copy's memory is local too), keeping its headroom and packet header fields. Null when the pool is exhausted.
    /// </summary>
    public static PacketBuffer? Clone(PacketBuffer frame)
    {
        int length = frame.ChainLength;
        var copy = frame.Pool.TryRentChain(length, frame.Headroom);
        if (copy is null) return null;
        var target = copy;
        int targetOffset = 0;
        for (var source = frame; source is not null; source = source.Next)
        {
            ReadOnlySpan<byte> data = source.Data;
            while (!data.IsEmpty)
            {
                var room = target.Data[targetOffset..];
                if (room.IsEmpty)
                {
                    target = target.Next!;
                    targetOffset = 0;
                    continue;
                }
                int take = Math.Min(room.Length, data.Length);
                data[..take].CopyTo(room);
                data = data[take..];
                targetOffset += take;
            }
        }
        copy.FlowHash = frame.FlowHash;
        copy.HasFlowHash = frame.HasFlowHash;
        copy.InterfaceIndex = frame.InterfaceIndex;
        return copy;
    }
}
