using System;
using System.Collections.Generic;
using NetKit.Protocols.Tcp.Reassembly;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.SocketBuffers;
using Xunit;

namespace NetKit.Protocols.Tests.Tcp.Reassembly;

/// <summary>Builds received TCP segments in packet buffers, drains rings and checks pools got every buffer home.</summary>
internal static class ReassemblySegments
{
    /// <summary>Bytes in front of the segment text (the IP and TCP headers of a received packet).</summary>
    public const int HeaderLength = 40;

    /// <summary>A private pool owned by the calling thread. Up to 1024 buffers every free lands in the owner's stack,
    /// so <see cref="PacketBufferPool.Available"/> equals <see cref="PacketBufferPool.Created"/> exactly when all are home.</summary>
    public static PacketBufferPool Pool(int bufferSize = 2048, int maxBuffers = 1024, int headroom = 32) =>
        new(new PacketBufferPoolOptions { BufferSize = bufferSize, DefaultHeadroom = headroom, MaxBuffers = maxBuffers, BuffersPerSlab = 1 });

    /// <summary>A received packet: <paramref name="header"/> junk bytes, the segment text, then <paramref name="padding"/>
    /// bytes of link padding; the text starts at data offset <paramref name="header"/> (a chain when it does not fit).</summary>
    public static PacketBuffer Received(PacketBufferPool pool, ReadOnlySpan<byte> text, int header = HeaderLength, int padding = 0)
    {
        int total = header + text.Length + padding;
        var chain = pool.TryRentChain(total, pool.Options.DefaultHeadroom) ?? throw new InvalidOperationException("test pool exhausted");
        var bytes = new byte[total];
        bytes.AsSpan(0, header).Fill(0xA5);
        text.CopyTo(bytes.AsSpan(header));
        bytes.AsSpan(header + text.Length).Fill(0xEE);
        Assert.Equal(total, chain.CopyIntoChain(bytes));
        return chain;
    }

    /// <summary>Inserts <paramref name="stream"/>[<paramref name="start"/>, <paramref name="end"/>) as the segment at
    /// <paramref name="isn"/> + <paramref name="start"/>.</summary>
    public static InsertResult Insert(TcpReassemblyQueue queue, PacketBufferPool pool, uint rcvNxt, uint rcvWindowEnd,
        uint isn, byte[] stream, int start, int end, int header = HeaderLength, int padding = 0)
    {
        var buffer = Received(pool, stream.AsSpan(start, end - start), header, padding);
        return queue.Insert(rcvNxt, rcvWindowEnd, isn + (uint)start, buffer, header, end - start);
    }

    /// <summary>Reads everything readable out of the ring.</summary>
    public static byte[] Drain(ByteRing ring)
    {
        var bytes = new byte[ring.ReadableCount];
        Assert.Equal(bytes.Length, ring.Read(bytes));
        return bytes;
    }

    public static byte[] Bytes(int length, int seed = 7)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Every buffer the pool created is back in the owner's stack (none leaked, none still held).</summary>
    public static void AssertAllHome(PacketBufferPool pool)
    {
        Assert.Equal(0L, pool.RemoteReturns);
        Assert.Equal(pool.Created, pool.Available);
    }

    /// <summary>Buffers rented and not returned.</summary>
    public static int Outstanding(PacketBufferPool pool) => pool.Created - pool.Available;

    public static long DoubleFrees => Misuse.Count(MisuseKind.DoubleFree);

    /// <summary>The queue's SACK blocks (all of them).</summary>
    public static (uint Left, uint Right)[] Blocks(TcpReassemblyQueue queue)
    {
        var blocks = new (uint Left, uint Right)[queue.SegmentCount + 1];
        int n = queue.CopySackBlocks(blocks);
        return blocks[..n];
    }

    /// <summary>
    /// Checks the queue's invariants through its public surface: blocks are disjoint, not adjacent (merged), lie in
    /// [rcvNxt, rcvNxt + 2^31), sum to <see cref="TcpReassemblyQueue.BufferedBytes"/>, and there are no more of them
    /// than segments.
    /// </summary>
    public static void AssertConsistent(TcpReassemblyQueue queue, uint rcvNxt)
    {
        var blocks = Blocks(queue);
        Assert.Equal(queue.IsEmpty, queue.SegmentCount == 0);
        Assert.True(blocks.Length <= queue.SegmentCount);
        Assert.Equal(queue.IsEmpty, blocks.Length == 0);
        var relative = new List<(int Start, int End)>();
        long sum = 0;
        foreach (var (left, right) in blocks)
        {
            int start = (int)(left - rcvNxt);
            int end = (int)(right - rcvNxt);
            Assert.True(start >= 0 && end > start, $"block [{left}, {right}) at rcvNxt {rcvNxt}");
            relative.Add((start, end));
            sum += end - start;
        }
        Assert.Equal(queue.BufferedBytes, sum);
        relative.Sort();
        for (int i = 1; i < relative.Count; i++)
            Assert.True(relative[i].Start > relative[i - 1].End, "SACK blocks overlap or were not merged");
    }
}
