using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.Tcp.Reassembly;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.SocketBuffers;
using Xunit;
using static NetKit.Protocols.Tests.Tcp.Reassembly.ReassemblySegments;

namespace NetKit.Protocols.Tests.Tcp.Reassembly;

public sealed class TcpReassemblyQueuePropertyTests
{
    /// <summary>Initial sequence numbers: anywhere, or close enough below 2^32 that the stream wraps.</summary>
    private static readonly Gen<uint> s_isn = Gen.OneOf<uint>(Gen.UInt, Gen.UInt[uint.MaxValue - 25_000, uint.MaxValue]);

    private static int BufferSize(int choice) => choice switch { 0 => 128, 1 => 512, _ => 2048 };

    private static int MaxSegments(Random rng) => rng.Next(3) == 0 ? rng.Next(1, 17) : 256;

    /// <summary>[start, end) cut into pieces of 1 to <paramref name="maxSegment"/> bytes.</summary>
    private static void Partition(List<(int Start, int End)> into, int start, int end, int maxSegment, Random rng)
    {
        while (start < end)
        {
            int next = Math.Min(end, start + rng.Next(1, maxSegment + 1));
            into.Add((start, next));
            start = next;
        }
    }

    /// <summary>
    /// The segments a sender might deliver for a <paramref name="total"/>-byte stream: one full segmentation plus
    /// exact duplicates, random overlapping ranges and re-segmented retransmissions of random ranges, then reordered
    /// (shuffled, locally reordered, or reversed).
    /// </summary>
    private static List<(int Start, int End)> Arrivals(int total, int maxSegment, int extras, int order, Random rng)
    {
        var arrivals = new List<(int Start, int End)>();
        Partition(arrivals, 0, total, maxSegment, rng);
        int originals = arrivals.Count;
        for (int i = 0; i < extras; i++)
        {
            switch (rng.Next(3))
            {
                case 0:
                    arrivals.Add(arrivals[rng.Next(originals)]);
                    break;
                case 1:
                {
                    int start = rng.Next(total);
                    arrivals.Add((start, Math.Min(total, start + rng.Next(1, 2 * maxSegment + 1))));
                    break;
                }
                default:
                {
                    int start = rng.Next(total);
                    Partition(arrivals, start, Math.Min(total, start + rng.Next(1, 4 * maxSegment + 1)), rng.Next(1, maxSegment + 1), rng);
                    break;
                }
            }
        }
        switch (order)
        {
            case 0:
                for (int i = arrivals.Count - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (arrivals[i], arrivals[j]) = (arrivals[j], arrivals[i]);
                }
                break;
            case 1:
                for (int i = 0; i < arrivals.Count - 1; i++)
                {
                    if (rng.Next(3) != 0) continue;
                    int j = Math.Min(arrivals.Count - 1, i + rng.Next(1, 9));
                    (arrivals[i], arrivals[j]) = (arrivals[j], arrivals[i]);
                }
                break;
            default:
                arrivals.Reverse();
                break;
        }
        return arrivals;
    }

    /// <summary>
    /// Inserts stream[start, end) as a received packet (random header length, sometimes link padding) and checks the
    /// result against a model built from the queue's own SACK blocks: which bytes are new inside the window decides
    /// between Queued, Duplicate, Full and OutOfWindow, and the counters must move accordingly.
    /// </summary>
    private static InsertResult OfferChecked(TcpReassemblyQueue queue, PacketBufferPool pool, int maxSegments,
        uint rcvNxt, uint rcvWindowEnd, uint isn, byte[] stream, int start, int end, Random rng)
    {
        int header = 20 + 4 * rng.Next(0, 11) + (rng.Next(2) == 0 ? 14 : 0);
        int padding = rng.Next(4) == 0 ? rng.Next(1, 30) : 0;

        var before = Blocks(queue);
        int countBefore = queue.SegmentCount;
        int bytesBefore = queue.BufferedBytes;
        long droppedBefore = queue.Dropped;

        int relStart = (int)(isn + (uint)start - rcvNxt);
        int relEnd = relStart + (end - start);
        int window = (int)(rcvWindowEnd - rcvNxt);
        int lo = Math.Max(relStart, 0);
        int hi = Math.Min(relEnd, window);

        // New bytes of [lo, hi): those no block holds; and the first of them.
        int newBytes = 0;
        int firstNew = -1;
        if (lo < hi)
        {
            var held = new List<(int Start, int End)>();
            foreach (var (left, right) in before) held.Add(((int)(left - rcvNxt), (int)(right - rcvNxt)));
            held.Sort();
            int cursor = lo;
            foreach (var (s, e) in held)
            {
                if (e <= cursor) continue;
                if (s >= hi) break;
                if (s > cursor)
                {
                    if (firstNew < 0) firstNew = cursor;
                    newBytes += s - cursor;
                }
                cursor = Math.Max(cursor, e);
                if (cursor >= hi) break;
            }
            if (cursor < hi)
            {
                if (firstNew < 0) firstNew = cursor;
                newBytes += hi - cursor;
            }
        }

        var result = Insert(queue, pool, rcvNxt, rcvWindowEnd, isn, stream, start, end, header, padding);

        InsertResult expected;
        if (hi <= lo) expected = relEnd <= 0 ? InsertResult.Duplicate : InsertResult.OutOfWindow;
        else if (newBytes == 0) expected = InsertResult.Duplicate;
        else if (countBefore == maxSegments && firstNew != 0) expected = InsertResult.Full;
        else expected = InsertResult.Queued;
        Assert.Equal(expected, result);

        switch (result)
        {
            case InsertResult.Queued when countBefore == maxSegments:
                Assert.Equal(droppedBefore + 1, queue.Dropped);   // evicted the highest segment
                Assert.Equal(maxSegments, queue.SegmentCount);
                break;
            case InsertResult.Queued:
                Assert.Equal(droppedBefore, queue.Dropped);
                Assert.InRange(queue.BufferedBytes, bytesBefore + 1, bytesBefore + newBytes);
                Assert.InRange(queue.SegmentCount, countBefore + 1, maxSegments);
                break;
            case InsertResult.OutOfWindow:
                Assert.Equal(droppedBefore, queue.Dropped);
                Assert.Equal(bytesBefore, queue.BufferedBytes);
                break;
            default:
                Assert.Equal(droppedBefore + 1, queue.Dropped);
                Assert.Equal(bytesBefore, queue.BufferedBytes);
                Assert.Equal(countBefore, queue.SegmentCount);
                break;
        }
        AssertConsistent(queue, rcvNxt);
        return result;
    }

    [Fact]
    public void AnySegmentationInAnyOrderWithDuplicatesAndOverlapsDeliversTheOriginalStream()
    {
        long doubleFrees = DoubleFrees;
        Gen.Select(Gen.Int[1, 20_000], s_isn, Gen.Int[1, 1600], Gen.Int[0, 40], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int)
            .Sample((total, isn, maxSegment, extras, order, size, seed) =>
        {
            var rng = new Random(seed);
            var stream = Bytes(total, seed);
            var arrivals = Arrivals(total, maxSegment, extras, order, rng);
            var pool = Pool(BufferSize(size), maxBuffers: 65536);
            int maxSegments = MaxSegments(rng);
            var queue = new TcpReassemblyQueue(maxSegments);
            using var ring = new ByteRing(32768);
            uint rcvNxt = isn;
            const uint window = 1 << 20;

            foreach (var (start, end) in arrivals)
            {
                OfferChecked(queue, pool, maxSegments, rcvNxt, rcvNxt + window, isn, stream, start, end, rng);
                uint was = rcvNxt;
                int delivered = queue.DeliverTo(ref rcvNxt, ring);
                Assert.Equal(delivered, (int)(rcvNxt - was));
                Assert.Equal((long)(uint)(rcvNxt - isn), ring.ReadableCount);
                AssertConsistent(queue, rcvNxt);
                // Everything in order was taken: nothing held starts at rcvNxt any more (the ring is big enough).
                foreach (var (left, _) in Blocks(queue)) Assert.NotEqual(rcvNxt, left);
            }

            // A sender retransmits from the acknowledgment whatever the receiver dropped (queue full).
            while (rcvNxt != isn + (uint)total)
            {
                int from = (int)(rcvNxt - isn);
                int to = Math.Min(total, from + rng.Next(1, maxSegment + 1));
                Assert.Equal(InsertResult.Queued, OfferChecked(queue, pool, maxSegments, rcvNxt, rcvNxt + window, isn, stream, from, to, rng));
                // At least the retransmission's first part goes through (a full queue may drop its later parts).
                Assert.True(queue.DeliverTo(ref rcvNxt, ring) > 0);
            }

            Assert.Equal(stream, Drain(ring));
            Assert.True(queue.IsEmpty);
            Assert.Equal(0, queue.BufferedBytes);
            Assert.True(pool.TryReleaseMemory(), "a packet buffer leaked");
        }, iter: 200);
        Assert.Equal(doubleFrees, DoubleFrees);
    }

    [Fact]
    public void ASmallRingDrainedInRandomChunksStillReceivesTheOriginalStream()
    {
        long doubleFrees = DoubleFrees;
        Gen.Select(Gen.Int[1, 20_000], s_isn, Gen.Int[1, 1600], Gen.Int[0, 40], Gen.Int[64, 4096], Gen.Int[0, 2], Gen.Int)
            .Sample((total, isn, maxSegment, extras, ringSize, size, seed) =>
        {
            var rng = new Random(seed);
            var stream = Bytes(total, seed);
            var arrivals = Arrivals(total, maxSegment, extras, rng.Next(3), rng);
            var pool = Pool(BufferSize(size), maxBuffers: 65536);
            int maxSegments = MaxSegments(rng);
            var queue = new TcpReassemblyQueue(maxSegments);
            using var ring = new ByteRing(ringSize);
            var received = new byte[total];
            int read = 0;
            uint rcvNxt = isn;

            void ReadSome()
            {
                int readable = (int)ring.ReadableCount;
                if (readable == 0) return;
                int n = ring.Read(received.AsSpan(read, rng.Next(1, readable + 1)));
                Assert.True(n > 0);
                read += n;
            }

            // The advertised window is the ring's free space, sometimes stale (larger) from before the last drain.
            uint WindowEnd() => rcvNxt + (uint)(ring.WritableCount + (rng.Next(2) == 0 ? rng.Next(0, 4000) : 0));

            foreach (var (start, end) in arrivals)
            {
                OfferChecked(queue, pool, maxSegments, rcvNxt, WindowEnd(), isn, stream, start, end, rng);
                uint was = rcvNxt;
                int delivered = queue.DeliverTo(ref rcvNxt, ring);
                Assert.Equal(delivered, (int)(rcvNxt - was));
                Assert.Equal((long)(uint)(rcvNxt - isn), read + ring.ReadableCount);
                AssertConsistent(queue, rcvNxt);
                if (rng.Next(3) == 0) ReadSome();
            }

            int rounds = 0;
            while (rcvNxt != isn + (uint)total || ring.ReadableCount > 0)
            {
                Assert.True(++rounds < 1_000_000, "no progress");
                ReadSome();
                if (queue.DeliverTo(ref rcvNxt, ring) > 0 || rcvNxt == isn + (uint)total) continue;
                // Nothing deliverable: the sender retransmits at the acknowledgment, within the window.
                int from = (int)(rcvNxt - isn);
                int to = Math.Min(total, from + rng.Next(1, maxSegment + 1));
                Assert.Equal(InsertResult.Queued, OfferChecked(queue, pool, maxSegments, rcvNxt, WindowEnd(), isn, stream, from, to, rng));
            }

            Assert.Equal(total, read);
            Assert.Equal(stream, received);
            Assert.True(queue.IsEmpty);
            Assert.Equal(0, queue.BufferedBytes);
            Assert.True(pool.TryReleaseMemory(), "a packet buffer leaked");
        }, iter: 200);
        Assert.Equal(doubleFrees, DoubleFrees);
    }

    [Fact]
    public void ClearAtAnyPointFreesEverything()
    {
        long doubleFrees = DoubleFrees;
        Gen.Select(Gen.Int[1, 20_000], s_isn, Gen.Int[1, 1600], Gen.Int[0, 40], Gen.Int[0, 2], Gen.Int).Sample((total, isn, maxSegment, extras, size, seed) =>
        {
            var rng = new Random(seed);
            var stream = Bytes(total, seed);
            var arrivals = Arrivals(total, maxSegment, extras, 0, rng);
            var pool = Pool(BufferSize(size), maxBuffers: 65536);
            int maxSegments = MaxSegments(rng);
            var queue = new TcpReassemblyQueue(maxSegments);
            using var ring = new ByteRing(rng.Next(64, 8192));
            uint rcvNxt = isn;
            int stop = rng.Next(arrivals.Count + 1);
            for (int i = 0; i < stop; i++)
            {
                OfferChecked(queue, pool, maxSegments, rcvNxt, rcvNxt + 65535, isn, stream, arrivals[i].Start, arrivals[i].End, rng);
                queue.DeliverTo(ref rcvNxt, ring);
            }
            queue.Clear();
            Assert.True(queue.IsEmpty);
            Assert.Equal(0, queue.BufferedBytes);
            Assert.Equal(stream.AsSpan(0, (int)(rcvNxt - isn)).ToArray(), Drain(ring));
            Assert.True(pool.TryReleaseMemory(), "a packet buffer leaked");
        }, iter: 200);
        Assert.Equal(doubleFrees, DoubleFrees);
    }
}
