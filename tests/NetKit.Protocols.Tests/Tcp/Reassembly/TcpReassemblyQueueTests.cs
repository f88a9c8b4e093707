using System;
using NetKit.Protocols.Tcp.Reassembly;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.SocketBuffers;
using Xunit;
using static NetKit.Protocols.Tests.Tcp.Reassembly.ReassemblySegments;

namespace NetKit.Protocols.Tests.Tcp.Reassembly;

public sealed class TcpReassemblyQueueTests
{
    private const uint Isn = 1000;
    private const uint Window = 65535;

    private static InsertResult Add(TcpReassemblyQueue queue, PacketBufferPool pool, uint rcvNxt, byte[] stream, int start, int end) =>
        Insert(queue, pool, rcvNxt, rcvNxt + Window, Isn, stream, start, end);

    [Fact]
    public void AnInOrderSegmentIsDeliveredAtOnceAndItsBufferFreed()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(100);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(1, queue.SegmentCount);
        Assert.Equal(100, queue.BufferedBytes);
        Assert.Equal(1, Outstanding(pool));

        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(Isn + 100, rcvNxt);
        Assert.Equal(stream, Drain(ring));
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.BufferedBytes);
        Assert.Equal(0L, queue.Dropped);
        AssertAllHome(pool);
    }

    [Fact]
    public void AGapFilledLaterDeliversEverythingHeldBehindIt()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 300, 400));
        Assert.Equal(0, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(Isn, rcvNxt);
        Assert.Equal(2, queue.SegmentCount);
        Assert.Equal(200, queue.BufferedBytes);
        AssertConsistent(queue, rcvNxt);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(200, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(Isn + 200, rcvNxt);
        Assert.Equal(1, queue.SegmentCount);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 200, 300));
        Assert.Equal(200, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(Isn + 400, rcvNxt);
        Assert.Equal(stream, Drain(ring));
        Assert.True(queue.IsEmpty);
        AssertAllHome(pool);
    }

    [Fact]
    public void AnExactDuplicateIsDroppedAndItsBufferFreed()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(300);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, Isn, stream, 100, 200));
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, Isn, stream, 100, 200));
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, Isn, stream, 120, 180));   // inside a held segment
        Assert.Equal(1, queue.SegmentCount);
        Assert.Equal(100, queue.BufferedBytes);
        Assert.Equal(2L, queue.Dropped);
        Assert.Equal(1, Outstanding(pool));

        queue.Clear();
        AssertAllHome(pool);
    }

    [Fact]
    public void DataAlreadyDeliveredIsADuplicateAndPartlyDeliveredDataIsTrimmed()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(300);
        uint rcvNxt = Isn + 200;

        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, rcvNxt, stream, 0, 200));
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, rcvNxt, stream, 50, 150));
        Assert.Equal(2L, queue.Dropped);
        Assert.True(queue.IsEmpty);
        AssertAllHome(pool);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 150, 300));
        Assert.Equal(100, queue.BufferedBytes);
        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[200..300], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ALeftOverlapKeepsOnlyTheNewFrontAndTheHeldBytesWin()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(300);
        var altered = (byte[])stream.Clone();
        Array.Fill(altered, (byte)0x55, 100, 200);   // a retransmission carrying different bytes where data is held
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, altered, 50, 150));
        Assert.Equal(2, queue.SegmentCount);
        Assert.Equal(150, queue.BufferedBytes);
        Assert.Equal([(Isn + 50, Isn + 200)], Blocks(queue));

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 50));
        Assert.Equal(200, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..200], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ARightOverlapKeepsOnlyTheNewTailAndTheHeldBytesWin()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(300);
        var altered = (byte[])stream.Clone();
        Array.Fill(altered, (byte)0x55, 0, 200);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, altered, 150, 250));
        Assert.Equal(2, queue.SegmentCount);
        Assert.Equal(150, queue.BufferedBytes);
        Assert.Equal([(Isn + 100, Isn + 250)], Blocks(queue));

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(250, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..250], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ACoveringSegmentKeepsItsFrontByReferenceAndCopiesItsTailAroundTheHeldBytes()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        var altered = (byte[])stream.Clone();
        Array.Fill(altered, (byte)0x55, 100, 100);   // differs exactly where data is held
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, altered, 50, 300));
        Assert.Equal(3, queue.SegmentCount);           // [50,100) in the segment's buffer, [200,300) copied
        Assert.Equal(250, queue.BufferedBytes);
        Assert.Equal(3, Outstanding(pool));            // the held one, the new one, the copy
        Assert.Equal([(Isn + 50, Isn + 300)], Blocks(queue));
        Assert.Equal(0L, queue.Dropped);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 50));
        Assert.Equal(300, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..300], Drain(ring));      // the held bytes won
        AssertAllHome(pool);
    }

    [Fact]
    public void ASegmentBridgingTwoHeldRangesKeepsItsMiddle()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(500);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 300, 400));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 150, 350));
        Assert.Equal(3, queue.SegmentCount);
        Assert.Equal(300, queue.BufferedBytes);
        Assert.Equal(3, Outstanding(pool));            // one contiguous new part: no copy
        Assert.Equal([(Isn + 100, Isn + 400)], Blocks(queue));

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(400, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..400], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ASegmentSpanningSeveralHeldRangesKeepsEveryNewPart()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 150));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 200, 250));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 50, 300));
        // New parts [50,100) (by reference), [150,200) and [250,300) (copies).
        Assert.Equal(5, queue.SegmentCount);
        Assert.Equal(250, queue.BufferedBytes);
        Assert.Equal(5, Outstanding(pool));
        Assert.Equal([(Isn + 50, Isn + 300)], Blocks(queue));

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 50));
        Assert.Equal(300, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..300], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void WhenNoBufferCanBeRentedForACopyOnlyTheFirstNewPartIsKept()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool(maxBuffers: 3);
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 150));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 200, 250));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 50, 300));   // the pool is now empty
        Assert.Equal(3, queue.SegmentCount);
        Assert.Equal(150, queue.BufferedBytes);
        Assert.Equal([(Isn + 50, Isn + 150), (Isn + 200, Isn + 250)], Blocks(queue));

        queue.Clear();
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..100], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void DataOutsideTheWindowIsTrimmedAtBothEnds()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn + 100;

        // Window [100, 200): the segment [50, 300) keeps [100, 200).
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, rcvNxt + 100, Isn, stream, 50, 300));
        Assert.Equal(100, queue.BufferedBytes);
        Assert.Equal([(Isn + 100, Isn + 200)], Blocks(queue));
        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[100..200], Drain(ring));
        AssertAllHome(pool);

        // Window [200, 250): an out-of-order segment [230, 300) keeps [230, 250).
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, rcvNxt + 50, Isn, stream, 230, 300));
        Assert.Equal([(Isn + 230, Isn + 250)], Blocks(queue));
        queue.Clear();
        AssertAllHome(pool);
    }

    [Fact]
    public void ASegmentWhollyBeyondTheWindowIsOutOfWindowAndFreed()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.OutOfWindow, Insert(queue, pool, rcvNxt, rcvNxt + 100, Isn, stream, 100, 200));
        Assert.Equal(InsertResult.OutOfWindow, Insert(queue, pool, rcvNxt, rcvNxt + 100, Isn, stream, 300, 400));
        Assert.Equal(InsertResult.OutOfWindow, Insert(queue, pool, rcvNxt, rcvNxt, Isn, stream, 0, 10));   // zero window
        Assert.True(queue.IsEmpty);
        Assert.Equal(0L, queue.Dropped);
        AssertAllHome(pool);
    }

    [Fact]
    public void AtMaxSegmentsANewSegmentIsRefusedAsFull()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue(maxSegments: 4);
        var stream = Bytes(1000);
        uint rcvNxt = Isn;

        for (int i = 1; i <= 4; i++)
            Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100 * i, 100 * i + 50));
        Assert.Equal(InsertResult.Full, Add(queue, pool, rcvNxt, stream, 600, 650));
        Assert.Equal(InsertResult.Full, Add(queue, pool, rcvNxt, stream, 150, 200));    // new bytes between held ones
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, rcvNxt, stream, 200, 250));  // nothing new: not Full
        Assert.Equal(4, queue.SegmentCount);
        Assert.Equal(200, queue.BufferedBytes);
        Assert.Equal(3L, queue.Dropped);
        Assert.Equal(4, Outstanding(pool));

        queue.Clear();
        AssertAllHome(pool);
    }

    [Fact]
    public void AFullQueueEvictsItsHighestSegmentForDataAtRcvNxt()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue(maxSegments: 2);
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 300, 400));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(1L, queue.Dropped);
        Assert.Equal(2, queue.SegmentCount);
        Assert.Equal([(Isn, Isn + 200)], Blocks(queue));

        Assert.Equal(200, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..200], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void SequenceNumbersWrapAroundTwoToTheThirtyTwo()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(600);
        uint isn = uint.MaxValue - 250;   // the stream crosses 2^32 at offset 251
        uint rcvNxt = isn;
        uint window = rcvNxt + Window;

        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, window, isn, stream, 400, 600));
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, window, isn, stream, 200, 300));   // straddles the wrap
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, window, isn, stream, 250, 450));   // overlaps both
        Assert.Equal(InsertResult.Duplicate, Insert(queue, pool, rcvNxt, window, isn, stream, 240, 260));
        Assert.Equal([(isn + 200, isn + 600)], Blocks(queue));
        Assert.Equal(400, queue.BufferedBytes);
        Assert.Equal(0, queue.DeliverTo(ref rcvNxt, ring));

        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, window, isn, stream, 0, 200));
        Assert.Equal(600, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(unchecked(isn + 600u), rcvNxt);
        Assert.Equal(349u, rcvNxt);
        Assert.Equal(stream, Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ARingSmallerThanTheDataTakesPartOfItAndTheRestStaysQueued()
    {
        using var ring = new ByteRing(64);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(200);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 50, 120));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 120, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 50));

        Assert.Equal(64, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(Isn + 64, rcvNxt);
        Assert.Equal(136, queue.BufferedBytes);
        Assert.Equal(2, queue.SegmentCount);           // [0,50) consumed; [50,120) partly
        Assert.Equal(2, Outstanding(pool));
        Assert.Equal(0, queue.DeliverTo(ref rcvNxt, ring));   // the ring is full
        var delivered = Drain(ring);

        Assert.Equal(64, queue.DeliverTo(ref rcvNxt, ring));   // the rest of [50,120) and the front of [120,200)
        Assert.Equal(1, queue.SegmentCount);
        Assert.Equal(72, queue.BufferedBytes);
        delivered = [.. delivered, .. Drain(ring)];
        Assert.Equal(64, queue.DeliverTo(ref rcvNxt, ring));
        delivered = [.. delivered, .. Drain(ring)];
        Assert.Equal(8, queue.DeliverTo(ref rcvNxt, ring));
        delivered = [.. delivered, .. Drain(ring)];

        Assert.Equal(Isn + 200, rcvNxt);
        Assert.Equal(stream, delivered);
        Assert.True(queue.IsEmpty);
        AssertAllHome(pool);
    }

    [Fact]
    public void DeliveryFillsAWrappedRingInTwoPieces()
    {
        using var ring = new ByteRing(64);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(64);
        uint rcvNxt = Isn;

        Assert.Equal(40, ring.Write(new byte[40]));
        Assert.Equal(40, ring.Read(new byte[40]));    // the ring's tail is now at 40 of 64

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 64));
        Assert.Equal(64, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream, Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void SegmentsBelowRcvNxtAreFreedAndAStraddlingOneIsTrimmed()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(400);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 250, 300));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 350, 400));

        // The caller delivered [0, 260) itself (an in-order segment straight into the ring).
        rcvNxt = Isn + 260;
        Assert.Equal(40, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[260..300], Drain(ring));
        Assert.Equal(1, queue.SegmentCount);
        Assert.Equal(50, queue.BufferedBytes);
        Assert.Equal(1, Outstanding(pool));

        // Insert prunes too.
        rcvNxt = Isn + 400;
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, rcvNxt, stream, 350, 400));
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.BufferedBytes);
        AssertAllHome(pool);
    }

    [Fact]
    public void ChainedBuffersAreReadAcrossTheirLinks()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool(bufferSize: 64, headroom: 16);
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(1000);
        uint rcvNxt = Isn;

        // Headers longer than the first buffer: the text starts in a later link.
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, rcvNxt + Window, Isn, stream, 300, 700, header: 100, padding: 10));
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, rcvNxt + Window, Isn, stream, 200, 800, header: 40));
        Assert.Equal(InsertResult.Queued, Insert(queue, pool, rcvNxt, rcvNxt + Window, Isn, stream, 0, 250, header: 60, padding: 3));
        Assert.True(Outstanding(pool) > 3);
        Assert.Equal(800, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..800], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void ClearFreesEveryHeldBufferAndTheQueueIsReusable()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool(bufferSize: 128);
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(2000);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 400));    // a chain
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 500, 600));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 50, 900));     // copies around both
        Assert.True(Outstanding(pool) > 5);
        AssertConsistent(queue, rcvNxt);

        queue.Clear();
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.SegmentCount);
        Assert.Equal(0, queue.BufferedBytes);
        Assert.Equal(0, queue.CopySackBlocks(new (uint, uint)[4]));
        AssertAllHome(pool);

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal(stream[..100], Drain(ring));
        AssertAllHome(pool);
    }

    [Fact]
    public void SackBlocksMergeContiguousSegmentsAndPutTheMostRecentFirst()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(1000);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 100, 200));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 600, 700));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 200, 300));   // merges with [100,200)
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 400, 500));

        Assert.Equal([(Isn + 400, Isn + 500), (Isn + 100, Isn + 300), (Isn + 600, Isn + 700)], Blocks(queue));

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 250, 450));   // new part [300,400): one run
        Assert.Equal([(Isn + 100, Isn + 500), (Isn + 600, Isn + 700)], Blocks(queue));

        // A duplicate does not change which block comes first.
        Assert.Equal(InsertResult.Duplicate, Add(queue, pool, rcvNxt, stream, 600, 700));
        var two = new (uint Left, uint Right)[2];
        Assert.Equal(2, queue.CopySackBlocks(two));
        Assert.Equal((Isn + 100, Isn + 500), two[0]);

        var one = new (uint Left, uint Right)[1];
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 700, 720));
        Assert.Equal(1, queue.CopySackBlocks(one));
        Assert.Equal((Isn + 600, Isn + 720), one[0]);
        Assert.Equal(0, queue.CopySackBlocks(Span<(uint, uint)>.Empty));

        queue.Clear();
        AssertAllHome(pool);
    }

    [Fact]
    public void SackBlocksFollowInSequenceOrderOnceTheMostRecentSegmentWasDelivered()
    {
        using var ring = new ByteRing(4096);
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(1000);
        uint rcvNxt = Isn;

        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 600, 700));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 300, 400));
        Assert.Equal(InsertResult.Queued, Add(queue, pool, rcvNxt, stream, 0, 100));
        Assert.Equal(100, queue.DeliverTo(ref rcvNxt, ring));
        Assert.Equal([(Isn + 300, Isn + 400), (Isn + 600, Isn + 700)], Blocks(queue));

        queue.Clear();
        AssertAllHome(pool);
    }

    [Fact]
    public void AnEmptySegmentIsNothingNew()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var buffer = Received(pool, []);
        Assert.Equal(InsertResult.Duplicate, queue.Insert(Isn, Isn + Window, Isn + 10, buffer, HeaderLength, 0));
        Assert.True(queue.IsEmpty);
        AssertAllHome(pool);
    }

    [Fact]
    public void InvalidArgumentsThrowButTheBufferIsStillFreed()
    {
        var pool = Pool();
        var queue = new TcpReassemblyQueue();
        var stream = Bytes(100);
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Insert(Isn, Isn + Window, Isn, Received(pool, stream), HeaderLength, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Insert(Isn, Isn + Window, Isn, Received(pool, stream), -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpReassemblyQueue(0));
        Assert.True(queue.IsEmpty);
        AssertAllHome(pool);
    }
}
