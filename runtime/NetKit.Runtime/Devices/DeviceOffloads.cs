using System;

namespace NetKit.Runtime.Devices;

/// <summary>What a link device does for the stack (negotiated the way TAP's TUNSETOFFLOAD and virtio features are).</summary>
[Flags]
public enum DeviceOffloads
{
    None = 0,
    /// <summary>Completes <see cref="Buffers.ChecksumState.Partial"/> transport checksums on transmit.</summary>
    TransmitChecksum = 1 << 0,
    /// <summary>Marks received frames whose transport checksum it verified as <see cref="Buffers.ChecksumState.Verified"/>.</summary>
    ReceiveChecksum = 1 << 1,
    /// <summary>
    /// Cuts a TCP/IPv4 frame larger than the MTU into MTU-sized segments (TSO) when its
    /// <see cref="Buffers.PacketBuffer.SegmentationSize"/> is set; needs <see cref="TransmitChecksum"/>.
    /// </summary>
    TcpSegmentation = 1 << 2,
}
