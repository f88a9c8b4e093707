using System;
using System.Buffers.Binary;

namespace NetKit.Runtime.Buffers;

/// <summary>
/// Completes a <see cref="ChecksumState.Partial"/> transport checksum in software, as a NIC with checksum offload
/// would: the Internet checksum (RFC 1071) of the bytes from <see cref="PacketBuffer.ChecksumStart"/> to the end of
/// the chain — the field already holds the pseudo-header sum — stored at <see cref="PacketBuffer.ChecksumOffset"/>.
/// Used where no device will do it: fragmentation, a receiver without the offload, a driver whose kernel asks.
/// </summary>
public static class PartialChecksum
{
    public static void Complete(PacketBuffer packet)
    {
        if (packet.ChecksumState != ChecksumState.Partial) return;
        int skip = packet.ChecksumStart;
        ulong sum = 0;
        bool odd = false; // the next byte is the low half of a 16-bit word
        for (var b = packet; b is not null; b = b.Next)
        {
            ReadOnlySpan<byte> data = b.Data;
            if (skip >= data.Length)
            {
                skip -= data.Length;
                continue;
            }
            data = data[skip..];
            skip = 0;
            if (odd && !data.IsEmpty)
            {
                sum += data[0];
                data = data[1..];
                odd = false;
            }
            int words = data.Length / 2;
            for (int i = 0; i < words; i++) sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i * 2, 2));
            if ((data.Length & 1) != 0)
            {
                sum += (ulong)data[^1] << 8;
                odd = true;
            }
        }
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        // A sum of zero is sent as 0xFFFF (its other ones-complement form): zero means "no checksum" to UDP (RFC 768).
        ushort checksum = (ushort)~sum;
        if (checksum == 0) checksum = 0xFFFF;
        var field = packet.Data.Slice(packet.ChecksumStart + packet.ChecksumOffset, 2);
        BinaryPrimitives.WriteUInt16BigEndian(field, checksum);
        packet.ChecksumState = ChecksumState.None;
    }
}
