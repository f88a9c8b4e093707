namespace NetKit.Runtime.Buffers;

/// <summary>Where packet buffer memory comes from.</summary>
public enum PacketMemoryKind
{
    /// <summary>Arrays on the pinned object heap (GC-managed, stable addresses; Kestrel's choice).</summary>
    Pinned,
    /// <summary>Native memory, 64-byte aligned (for drivers sharing memory with a device or another process).</summary>
    Native,
}
