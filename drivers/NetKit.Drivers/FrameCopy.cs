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
        CopyChecksumState(frame, copy);
        return copy;
    }

    /// <summary>A copy starts at the same data offset as its original, so the checksum offsets carry over unchanged.</summary>
    private static void CopyChecksumState(PacketBuffer from, PacketBuffer to)
    {
        to.ChecksumState = from.ChecksumState;
        to.ChecksumStart = from.ChecksumStart;
        to.ChecksumOffset = from.ChecksumOffset;
        to.SegmentationSize = from.SegmentationSize;
    }

    /// <summary>Bytes of a frame's headers a protocol reads from its first buffer: Ethernet, and IPv4 and TCP with maximal options.</summary>
    public const int MaxHeaders = 14 + 60 + 60;

    /// <summary>
    /// A frame as a NIC receives it: in one buffer when it fits one. A chained frame (a sender's scatter-gather
    /// transmit) that fits is copied into one buffer from its pool and the chain freed. A larger one (a jumbo or
    /// 64 KiB frame, as a scatter-gather receive or LRO hands it over) stays chained if its first buffer holds every
    /// header. Returns null, with the chain freed, when neither works (headers split, or the pool is exhausted).
    /// </summary>
    public static PacketBuffer? Linearize(PacketBuffer frame)
    {
        if (frame.Next is null) return frame;
        int length = frame.ChainLength;
        if (length > frame.Pool.Options.BufferSize)
        {
            if (frame.Length >= Math.Min(MaxHeaders, length)) return frame;
            frame.Free();
            return null;
        }
        var single = frame.Pool.TryRent(Math.Min(frame.Headroom, frame.Pool.Options.BufferSize - length));
        if (single is null)
        {
            frame.Free();
            return null;
        }
        var target = single.Append(length);
        int offset = 0;
        for (var source = frame; source is not null; source = source.Next)
        {
            source.Data.CopyTo(target[offset..]);
            offset += source.Length;
        }
        single.FlowHash = frame.FlowHash;
        single.HasFlowHash = frame.HasFlowHash;
        CopyChecksumState(frame, single);
        frame.Free();
        return single;
    }
}
