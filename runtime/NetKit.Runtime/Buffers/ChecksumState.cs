namespace NetKit.Runtime.Buffers;

/// <summary>
/// What is known about a packet's transport checksum, the offload contract between protocols and drivers
/// (Linux's <c>ip_summed</c>; virtio-net's <c>VIRTIO_NET_HDR_F_NEEDS_CSUM</c> / <c>DATA_VALID</c>).
/// </summary>
public enum ChecksumState : byte
{
    /// <summary>Nothing known: transmit carries a complete checksum; receive must verify it.</summary>
    None,
    /// <summary>Transmit: the checksum field holds the pseudo-header sum; the device completes it over the bytes from <see cref="PacketBuffer.ChecksumStart"/>.</summary>
    Partial,
    /// <summary>Receive: the device (or the link) vouches for the checksum; the protocol need not verify it.</summary>
    Verified,
}
