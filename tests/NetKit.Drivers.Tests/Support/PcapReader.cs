using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace NetKit.Drivers.Tests.Support;

/// <summary>An independent little-endian pcap parser for checking what the writer produced.</summary>
internal static class PcapReader
{
    public readonly record struct Record(uint Seconds, uint Fraction, int OriginalLength, byte[] Data);

    public sealed record File(uint Magic, ushort Major, ushort Minor, int Zone, uint SigFigs, uint SnapLength, uint LinkType, List<Record> Records);

    public static File Read(ReadOnlySpan<byte> bytes)
    {
        var header = bytes[..24];
        var records = new List<Record>();
        int offset = 24;
        while (offset < bytes.Length)
        {
            var r = bytes[offset..];
            int captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(r[8..]);
            records.Add(new Record(
                BinaryPrimitives.ReadUInt32LittleEndian(r),
                BinaryPrimitives.ReadUInt32LittleEndian(r[4..]),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(r[12..]),
                r.Slice(16, captured).ToArray()));
            offset += 16 + captured;
        }
        return new File(
            BinaryPrimitives.ReadUInt32LittleEndian(header),
            BinaryPrimitives.ReadUInt16LittleEndian(header[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(header[6..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[12..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[20..]),
            records);
    }
}
