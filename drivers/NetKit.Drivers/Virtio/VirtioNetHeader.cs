using System.Runtime.InteropServices;

namespace NetKit.Drivers.Virtio;

/// <summary>
/// <c>struct virtio_net_hdr_mrg_rxbuf</c> (virtio 1.x §5.1.6, <c>linux/virtio_net.h</c>): the 12-byte header in front of
/// every frame a TAP with <c>IFF_VNET_HDR</c> (header size set to 12) or a virtio-net device exchanges. Little-endian
/// on x86-64, which is what virtio 1.x and TUNSETVNETLE specify; NetKit only runs little-endian.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = Size)]
public struct VirtioNetHeader
{
    /// <summary>With <c>num_buffers</c> (mergeable receive buffers): what TUNSETVNETHDRSZ is set to.</summary>
    public const int Size = 12;

    /// <summary>The legacy header without <c>num_buffers</c>.</summary>
    public const int LegacySize = 10;

    /// <summary><c>VIRTIO_NET_HDR_F_NEEDS_CSUM</c>: checksum from <see cref="ChecksumStart"/>, stored at start + <see cref="ChecksumOffset"/>.</summary>
    public const byte FlagNeedsChecksum = 1;
    /// <summary><c>VIRTIO_NET_HDR_F_DATA_VALID</c>: the device verified the checksum (receive only).</summary>
    public const byte FlagDataValid = 2;

    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoEcn = 0x80;

    public byte Flags;
    public byte GsoType;
    /// <summary><c>hdr_len</c>: bytes of headers to copy into every segment (Ethernet + IP + TCP).</summary>
    public ushort HeaderLength;
    /// <summary><c>gso_size</c>: payload bytes per segment.</summary>
    public ushort GsoSize;
    /// <summary><c>csum_start</c>: from the start of the Ethernet frame.</summary>
    public ushort ChecksumStart;
    /// <summary><c>csum_offset</c>: from <see cref="ChecksumStart"/>.</summary>
    public ushort ChecksumOffset;
    /// <summary><c>num_buffers</c>: receive buffers a merged frame spans; 0 on transmit.</summary>
    public ushort BufferCount;

    public readonly bool NeedsChecksum => (Flags & FlagNeedsChecksum) != 0;

    public readonly bool DataValid => (Flags & FlagDataValid) != 0;

    /// <summary>The GSO type without the ECN bit.</summary>
    public readonly byte SegmentationType => (byte)(GsoType & ~GsoEcn);

    public override readonly string ToString() =>
        $"virtio_net_hdr flags={Flags} gso={GsoType} hdr_len={HeaderLength} gso_size={GsoSize} csum={ChecksumStart}+{ChecksumOffset}";
}
