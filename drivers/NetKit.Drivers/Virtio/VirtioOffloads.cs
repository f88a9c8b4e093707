using System;
using System.Buffers.Binary;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Virtio;

/// <summary>
/// Translates between a <see cref="PacketBuffer"/>'s offload state (<see cref="PacketBuffer.ChecksumState"/>,
/// <see cref="PacketBuffer.SegmentationSize"/>) and a <see cref="VirtioNetHeader"/>, both ways; shared by the TAP driver
/// and the future virtio-net driver, as Linux shares <c>virtio_net_hdr_from_skb</c> / <c>virtio_net_hdr_to_skb</c>.
/// </summary>
public static class VirtioOffloads
{
    private const int EthernetHeaderLength = 14;
    private const ushort EtherTypeIPv4 = 0x0800;
    private const byte ProtocolTcp = 6;

    /// <summary>
    /// The header for transmitting <paramref name="frame"/> (an Ethernet frame whose data starts at the Ethernet header):
    /// NEEDS_CSUM for a partial checksum, and TCPV4 segmentation when <see cref="PacketBuffer.SegmentationSize"/> is set and
    /// the frame is larger than one segment. False when the frame asks for segmentation it cannot get (not TCP/IPv4, or
    /// the headers are not in its first buffer); the caller then drops it.
    /// </summary>
    public static bool TryDescribeTransmit(PacketBuffer frame, out VirtioNetHeader header)
    {
        header = default;
        if (frame.ChecksumState == ChecksumState.Partial)
        {
            header.Flags = VirtioNetHeader.FlagNeedsChecksum;
            header.ChecksumStart = (ushort)frame.ChecksumStart;
            header.ChecksumOffset = (ushort)frame.ChecksumOffset;
        }
        int segment = frame.SegmentationSize;
        if (segment <= 0) return true;
        if (frame.ChecksumState != ChecksumState.Partial) return false; // GSO needs the device to checksum each segment
        var data = frame.Data;
        if (data.Length < EthernetHeaderLength + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(data[12..]) != EtherTypeIPv4) return false;
        var ip = data[EthernetHeaderLength..];
        int ipHeader = (ip[0] & 0x0F) * 4;
        if (ip[9] != ProtocolTcp || ipHeader < 20 || data.Length < EthernetHeaderLength + ipHeader + 20) return false;
        int tcpHeader = (ip[ipHeader + 12] >> 4) * 4;
        int headers = EthernetHeaderLength + ipHeader + tcpHeader;
        if (tcpHeader < 20 || data.Length < headers) return false;
        if (frame.ChainLength - headers <= segment) return true; // fits one segment: nothing to cut
        header.GsoType = VirtioNetHeader.GsoTcpV4;
        header.GsoSize = (ushort)segment;
        header.HeaderLength = (ushort)headers;
        return true;
    }

    /// <summary>
    /// Applies a received header to <paramref name="frame"/>: DATA_VALID → <see cref="ChecksumState.Verified"/>;
    /// NEEDS_CSUM → <see cref="ChecksumState.Partial"/> with the header's start and offset (the sender is on this host and
    /// left the sum undone; see <see cref="ResolvePartial"/>); a GSO type → <see cref="PacketBuffer.SegmentationSize"/>.
    /// False for a header that does not fit the frame (counted as a malformed frame by the caller).
    /// </summary>
    public static bool TryApplyReceive(in VirtioNetHeader header, PacketBuffer frame)
    {
        int length = frame.ChainLength;
        if (header.NeedsChecksum)
        {
            // The field (2 bytes) must lie in the frame and in its first buffer, where the stack reads headers.
            if (header.ChecksumStart + header.ChecksumOffset + 2 > Math.Min(length, frame.Length)) return false;
            frame.ChecksumState = ChecksumState.Partial;
            frame.ChecksumStart = header.ChecksumStart;
            frame.ChecksumOffset = header.ChecksumOffset;
        }
        else if (header.DataValid)
        {
            frame.ChecksumState = ChecksumState.Verified;
        }
        byte gso = header.SegmentationType;
        if (gso == VirtioNetHeader.GsoNone && header.GsoType != VirtioNetHeader.GsoNone) return false; // ECN alone (Linux: -EINVAL)
        if (gso != VirtioNetHeader.GsoNone)
        {
            if (gso is not (VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6 or VirtioNetHeader.GsoUdp) || header.GsoSize == 0) return false;
            frame.SegmentationSize = header.GsoSize;
        }
        return true;
    }

    /// <summary>
    /// A received frame whose checksum its sender on this host left partial (Linux CHECKSUM_PARTIAL): it never crossed a
    /// wire, so the stack may trust it as it stands, as Linux does; with <paramref name="complete"/> (a capture wants
    /// valid checksums on file) the sum is computed in software first.
    /// </summary>
    public static void ResolvePartial(PacketBuffer frame, bool complete)
    {
        if (frame.ChecksumState != ChecksumState.Partial) return;
        if (complete) PartialChecksum.Complete(frame);
        frame.ChecksumState = ChecksumState.Verified;
    }
}
