using System;

namespace NetKit.Drivers.Tap;

/// <summary>What a <see cref="TapDevice"/> negotiated with the kernel (each probed; a refused one is simply absent).</summary>
[Flags]
public enum TapFeatures
{
    None = 0,
    /// <summary>IFF_VNET_HDR with a 12-byte <see cref="Virtio.VirtioNetHeader"/>: transmit checksum and TSO requests.</summary>
    VirtioNetHeader = 1 << 0,
    /// <summary>IFF_MULTI_QUEUE: one file descriptor (queue) per protocol thread.</summary>
    MultiQueue = 1 << 1,
    /// <summary>TUN_F_CSUM accepted: the kernel may hand over frames with partial checksums.</summary>
    ReceiveChecksum = 1 << 2,
    /// <summary>TUN_F_TSO4 accepted: the kernel may hand over 64 KiB TCP/IPv4 frames.</summary>
    ReceiveTso4 = 1 << 3,
    /// <summary>TUN_F_TSO6 accepted.</summary>
    ReceiveTso6 = 1 << 4,
}
