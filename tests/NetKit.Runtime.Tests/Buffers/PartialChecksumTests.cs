using System;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Runtime.Tests.Buffers;

public sealed class PartialChecksumTests
{
    /// <summary>RFC 1071 by the book, for comparison.</summary>
    private static ushort Reference(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if ((data.Length & 1) != 0) sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    [Theory]
    [InlineData(20, 0)]
    [InlineData(1000, 0)]
    [InlineData(1001, 0)]
    [InlineData(5000, 0)]
    [InlineData(5001, 14)]
    public void ACompletedChecksumMatchesRfc1071OverChainsOfAnyShape(int length, int start)
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 333, DefaultHeadroom = 0 }); // odd pieces
        var random = new Random(length);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        bytes[start + 16] = 0x12; // the "pseudo-header sum" already in the field
        bytes[start + 17] = 0x34;
        var packet = pool.TryRentChain(length, 0)!;
        packet.CopyIntoChain(bytes);
        packet.ChecksumState = ChecksumState.Partial;
        packet.ChecksumStart = start;
        packet.ChecksumOffset = 16;

        PartialChecksum.Complete(packet);

        Assert.Equal(ChecksumState.None, packet.ChecksumState);
        var result = new byte[length];
        int at = 0;
        for (var b = packet; b is not null; b = b.Next) { b.Data.CopyTo(result.AsSpan(at)); at += b.Length; }
        Assert.Equal(Reference(bytes.AsSpan(start)), (ushort)(result[start + 16] << 8 | result[start + 17]));
        // A receiver adds the pseudo-header itself: the bytes alone now come to exactly the pseudo-header sum, so with it
        // they verify (sum to all ones).
        Assert.Equal(0x1234, Reference(result.AsSpan(start)));
        packet.Free();
    }
}
