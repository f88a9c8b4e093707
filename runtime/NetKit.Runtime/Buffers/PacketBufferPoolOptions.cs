using System;

namespace NetKit.Runtime.Buffers;

/// <summary>Sizing of one per-CPU packet buffer pool.</summary>
public sealed class PacketBufferPoolOptions
{
    /// <summary>Bytes per buffer: an Ethernet frame (1514) plus headroom and a virtio-net header fit.</summary>
    public int BufferSize { get; set; } = 2048;

    /// <summary>Bytes reserved in front of the data of a fresh buffer for headers prepended later.</summary>
    public int DefaultHeadroom { get; set; } = 128;

    /// <summary>Most buffers this pool will ever create; renting beyond it fails and is counted.</summary>
    public int MaxBuffers { get; set; } = 16384;

    /// <summary>Buffers carved from one slab allocation.</summary>
    public int BuffersPerSlab { get; set; } = 64;

    public PacketMemoryKind MemoryKind { get; set; } = PacketMemoryKind.Pinned;

    internal void Validate()
    {
        if (BufferSize < 64) throw new ArgumentOutOfRangeException(nameof(BufferSize), BufferSize, "must be at least 64.");
        if (DefaultHeadroom < 0 || DefaultHeadroom >= BufferSize)
            throw new ArgumentOutOfRangeException(nameof(DefaultHeadroom), DefaultHeadroom, "must be within the buffer.");
        if (MaxBuffers < 1) throw new ArgumentOutOfRangeException(nameof(MaxBuffers), MaxBuffers, "must be at least 1.");
        if (BuffersPerSlab < 1) throw new ArgumentOutOfRangeException(nameof(BuffersPerSlab), BuffersPerSlab, "must be at least 1.");
    }
}
