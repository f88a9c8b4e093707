using System;
using NetKit.Drivers.Impairments;

namespace NetKit.Drivers.Memory;

/// <summary>How a <see cref="MemoryInterface"/> is built.</summary>
public sealed class MemoryInterfaceOptions
{
    /// <summary>Largest link payload (Ethernet's 1500); longer frames are dropped on transmit.</summary>
    public int Mtu { get; set; } = 1500;

    /// <summary>Slots of each receive queue (one per protocol thread), a power of two; a full queue drops.</summary>
    public int ReceiveQueueCapacity { get; set; } = 1024;

    /// <summary>Frames a receive queue hands to the stack before yielding its thread to other messages (NAPI budget).</summary>
    public int ReceiveBatch { get; set; } = 64;

    /// <summary>What each transmit queue does to frames; every queue draws from its own stream of the same seed.</summary>
    public ImpairmentOptions Impairments { get; set; } = ImpairmentOptions.None;

    /// <summary>
    /// Checksum offload: the stack may leave transport checksums to the link, which vouches for them on delivery
    /// (both ends are in one process, as on loopback), unless the impairment layer damaged the frame.
    /// </summary>
    public bool ChecksumOffload { get; set; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Mtu, 1, nameof(Mtu));
        if (ReceiveQueueCapacity < 2 || (ReceiveQueueCapacity & (ReceiveQueueCapacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(ReceiveQueueCapacity), ReceiveQueueCapacity, "must be a power of two, at least 2.");
        ArgumentOutOfRangeException.ThrowIfLessThan(ReceiveBatch, 1, nameof(ReceiveBatch));
        ArgumentNullException.ThrowIfNull(Impairments, nameof(Impairments));
        Impairments.Validate();
    }
}
