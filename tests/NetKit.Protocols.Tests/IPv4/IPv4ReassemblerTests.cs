using System;
using NetKit.Protocols.IPv4.Fragmentation;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Timers;
using Xunit;

namespace NetKit.Protocols.Tests.IPv4;

public sealed class IPv4ReassemblerTests
{
    private static readonly FragmentKey s_key = new(0xC0A80001, 0xC0A80002, 17, 7);
    private static readonly byte[] s_header = [0x45, 0, 0, 0, 0, 7, 0x20, 0, 64, 17, 0, 0, 192, 168, 0, 1, 192, 168, 0, 2];

    private static byte[] Bytes(int length, int seed = 1) => FragmentBuffers.RandomBytes(length, seed);

    private static ReassemblyResult Offer(IPv4Reassembler reassembler, PacketBufferPool pool, byte[] payload, int start, int end,
        bool more, out PacketBuffer? datagram, long now = 0, FragmentKey? key = null)
    {
        var buffer = FragmentBuffers.Received(pool, s_header, payload.AsSpan(start, end - start), padding: 6);
        return reassembler.Offer(key ?? s_key, start, more, buffer, s_header.Length, end - start, now, out datagram);
    }

    private static ReassemblyResult Offer(IPv4Reassembler reassembler, PacketBufferPool pool, byte[] payload, int start, int end,
        long now = 0, FragmentKey? key = null) =>
        Offer(reassembler, pool, payload, start, end, end != payload.Length, out _, now, key);

    [Fact]
    public void AnUnfragmentedDatagramComesStraightBackWithoutItsHeaderOrPadding()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(100);
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 0, 100, more: false, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        Assert.Equal(0, reassembler.ActiveCount);
        Assert.Equal(1, reassembler.Statistics.DatagramsReassembled);
        datagram!.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void ThreeFragmentsInReverseOrderBecomeOneChainWithRoomForTheHeader()
    {
        var pool = FragmentBuffers.Pool(bufferSize: 2048, headroom: 128);
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(4000);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 2960, 4000));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 1480, 2960));
        Assert.Equal(2, reassembler.BytesHeld / 2048);
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 0, 1480, more: true, out var datagram));
        Assert.NotNull(datagram);
        Assert.Equal(3, CountBuffers(datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram));
        // Fragment zero's header is still in front of the payload: the caller rebuilds it in place.
        Assert.Equal(s_header, datagram.Prepend(20).ToArray());
        Assert.Equal(0, reassembler.BytesHeld);
        datagram.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    private static int CountBuffers(PacketBuffer chain)
    {
        int n = 0;
        for (PacketBuffer? b = chain; b is not null; b = b.Next) n++;
        return n;
    }

    [Fact]
    public void MalformedFragmentsAreDroppedAndCounted()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(64);
        Assert.Equal(ReassemblyResult.Invalid, Offer(reassembler, pool, payload, 0, 12, more: true, out _));   // not 8-aligned
        Assert.Equal(ReassemblyResult.Invalid, Offer(reassembler, pool, payload, 8, 8, more: true, out _));    // empty, MF set
        var buffer = FragmentBuffers.Received(pool, s_header, payload.AsSpan(0, 16));
        Assert.Equal(ReassemblyResult.Invalid, reassembler.Offer(s_key, 4, true, buffer, 20, 16, 0, out _));  // offset not 8-aligned
        buffer = FragmentBuffers.Received(pool, s_header, payload.AsSpan(0, 16));
        Assert.Equal(ReassemblyResult.Invalid, reassembler.Offer(s_key, 65504, false, buffer, 20, 16, 0, out _)); // past 65535 - 20
        buffer = FragmentBuffers.Received(pool, s_header, payload.AsSpan(0, 16));
        Assert.Equal(ReassemblyResult.Invalid, reassembler.Offer(s_key, 0, true, buffer, 20, 24, 0, out _));  // window past the buffer
        buffer = FragmentBuffers.Received(pool, s_header, payload.AsSpan(0, 16));
        Assert.Equal(ReassemblyResult.Invalid, reassembler.Offer(s_key, -8, true, buffer, 20, 16, 0, out _));
        Assert.Equal(6, reassembler.Statistics.FragmentsInvalid);
        Assert.Equal(0, reassembler.ActiveCount);
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void TheLargestDatagramFits()
    {
        var pool = FragmentBuffers.Pool(bufferSize: 2048, maxBuffers: 64);
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(IPv4Reassembler.MaxPayloadLength);
        for (int start = 0; start < 65120; start += 1480)
            Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, start, start + 1480, more: true, out _));
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 65120, 65515, more: false, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        datagram!.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void AnEmptyLastFragmentOnlyFixesTheLength()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(16);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 16, more: true, out _));
        var empty = FragmentBuffers.Received(pool, s_header, []);
        Assert.Equal(ReassemblyResult.Completed, reassembler.Offer(s_key, 16, false, empty, 20, 0, 0, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        datagram!.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void IdenticalOverlapsAreTolerated()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(30);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 16));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 8, 24));      // half new
        Assert.Equal(ReassemblyResult.Duplicate, Offer(reassembler, pool, payload, 0, 24));   // all held
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 16, 30, more: false, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        Assert.Equal(1, reassembler.Statistics.FragmentsDuplicate);
        Assert.Equal(0, reassembler.Statistics.DatagramsDroppedOverlap);
        datagram!.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void ALastFragmentWhoseBytesAreHeldStillEndsTheDatagram()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(24);
        var other = new FragmentKey(9, 8, 17, 7);
        // A piece reaching the end arrived with MF set; the last fragment repeats its tail and fixes the length.
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 8, 24, more: true, out _));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 16, 24, more: false, out _));
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 0, 8, more: true, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        datagram!.Free();
        // And when it is the piece that completes the datagram.
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 24, more: true, out _, key: other));
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 16, 24, more: false, out datagram, key: other));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        datagram!.Free();
        Assert.Equal(0, reassembler.Statistics.FragmentsDuplicate);
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void AFragmentSpanningHeldPiecesReplacesThem()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler(new IPv4ReassemblyOptions { MaxFragmentsPerDatagram = 3 });
        var payload = Bytes(64);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 8, 16));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 24, 32));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 40, 48));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 40));      // replaces two, trimmed at 40
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 40, 64, more: false, out var datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram!));
        datagram!.Free();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void DifferentBytesWhereFragmentsOverlapDropTheWholeDatagramAndPoisonItsKey()
    {
        var pool = FragmentBuffers.Pool();
        var clock = new ManualClock();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(40);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 16));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 16, 32));
        var forged = (byte[])payload.Clone();
        forged[20] ^= 0xFF;
        Assert.Equal(ReassemblyResult.DroppedOverlap, Offer(reassembler, pool, forged, 8, 24));
        Assert.Equal(0, reassembler.BytesHeld);
        Assert.Equal(ReassemblyResult.DroppedPoisoned, Offer(reassembler, pool, payload, 32, 40));
        Assert.Equal(1, reassembler.Statistics.DatagramsDroppedOverlap);
        Assert.Equal(1, reassembler.Statistics.FragmentsDroppedPoisoned);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, reassembler.Expire(clock.NowNanoseconds));   // forgotten, not a timeout
        Assert.Equal(0, reassembler.ActiveCount);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 16, clock.NowNanoseconds));
        reassembler.Clear();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void LastFragmentsThatDisagreeOnTheLengthDropTheDatagram()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(64);
        var other = new FragmentKey(1, 2, 17, 1);
        var third = new FragmentKey(1, 2, 17, 2);
        // A second, different end.
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 16, 24, more: false, out _));
        Assert.Equal(ReassemblyResult.DroppedOverlap, Offer(reassembler, pool, payload, 16, 32, more: false, out _));
        // Data held past the end a last fragment declares.
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 32, more: true, out _, key: other));
        Assert.Equal(ReassemblyResult.DroppedOverlap, Offer(reassembler, pool, payload, 8, 16, more: false, out _, key: other));
        // A non-last fragment past the known end.
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 8, 16, more: false, out _, key: third));
        Assert.Equal(ReassemblyResult.DroppedOverlap, Offer(reassembler, pool, payload, 8, 24, more: true, out _, key: third));
        Assert.Equal(3, reassembler.Statistics.DatagramsDroppedOverlap);
        Assert.Equal(0, reassembler.BytesHeld);
        reassembler.Clear();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Theory]
    [InlineData(30)]
    [InlineData(15)]
    public void AnIncompleteDatagramTimesOutAndHandsBackFragmentZeroForIcmp(int seconds)
    {
        var pool = FragmentBuffers.Pool();
        var clock = new ManualClock(startNanoseconds: 5_000_000_000);
        var reassembler = seconds == 30
            ? new IPv4Reassembler()
            : new IPv4Reassembler(new IPv4ReassemblyOptions { Timeout = TimeSpan.FromSeconds(seconds) });
        var payload = Bytes(64);
        var noZero = new FragmentKey(1, 2, 6, 9);
        long start = clock.NowNanoseconds;
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 16, start));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 24, 32, start));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 24, 32, clock.NowNanoseconds, noZero));
        Assert.Equal(start + seconds * 1_000_000_000L, reassembler.NextDeadlineNanoseconds);

        clock.Advance(TimeSpan.FromSeconds(seconds - 1) - TimeSpan.FromTicks(1));
        Assert.False(reassembler.TryExpire(clock.NowNanoseconds, out _));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(reassembler.TryExpire(clock.NowNanoseconds, out var expired));
        Assert.Equal(s_key, expired.Key);
        Assert.True(expired.FirstFragmentReceived);
        // RFC 792: the ICMP message quotes the header and the first 8 data bytes; both are in the buffer.
        byte[] quoted = FragmentBuffers.ToArray(expired.FirstFragment!);
        Assert.Equal(s_header, quoted[..20]);
        Assert.Equal(payload[..16], quoted[20..]);
        expired.FirstFragment!.Free();
        Assert.False(reassembler.TryExpire(clock.NowNanoseconds, out _));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(reassembler.TryExpire(clock.NowNanoseconds, out expired));
        Assert.Equal(noZero, expired.Key);
        Assert.False(expired.FirstFragmentReceived);   // no ICMP without fragment zero (RFC 1122 §3.2.1.4)
        Assert.Null(expired.FirstFragment);

        Assert.Equal(2, reassembler.Statistics.DatagramsTimedOut);
        Assert.Equal(3, reassembler.Statistics.FragmentsTimedOut);
        Assert.Equal(0, reassembler.ActiveCount);
        Assert.Equal(0, reassembler.BytesHeld);
        Assert.Equal(long.MaxValue, reassembler.NextDeadlineNanoseconds);
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void NewDatagramsPastTheReassemblyLimitAreDroppedWhileHeldOnesFinish()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler(new IPv4ReassemblyOptions { MaxReassemblies = 2 });
        var payload = Bytes(24);
        var a = new FragmentKey(1, 2, 17, 1);
        var b = new FragmentKey(1, 2, 17, 2);
        var c = new FragmentKey(1, 2, 17, 3);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 8, key: a));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 8, key: b));
        Assert.Equal(ReassemblyResult.DroppedReassemblyLimit, Offer(reassembler, pool, payload, 0, 8, key: c));
        Assert.Equal(ReassemblyResult.Completed, Offer(reassembler, pool, payload, 8, 24, more: false, out var datagram, key: a));
        datagram!.Free();
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 8, key: c));   // room again
        Assert.Equal(1, reassembler.Statistics.FragmentsDroppedReassemblyLimit);
        reassembler.Clear();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void FragmentsPastTheMemoryLimitAreDropped()
    {
        var pool = FragmentBuffers.Pool(bufferSize: 256);
        var reassembler = new IPv4Reassembler(new IPv4ReassemblyOptions { MaxBytes = 2 * 256 });
        var payload = Bytes(64);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 8));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 16, 24));
        Assert.Equal(512, reassembler.BytesHeld);
        Assert.Equal(ReassemblyResult.DroppedMemoryLimit, Offer(reassembler, pool, payload, 8, 16));
        Assert.Equal(ReassemblyResult.DroppedMemoryLimit, Offer(reassembler, pool, payload, 0, 8, key: new FragmentKey(3, 4, 6, 5)));
        Assert.Equal(2, reassembler.Statistics.FragmentsDroppedMemoryLimit);
        Assert.Equal(1, reassembler.ActiveCount);
        reassembler.Clear();
        Assert.Equal(0, reassembler.BytesHeld);
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void ADatagramNeedingTooManyFragmentsIsDroppedAndPoisoned()
    {
        var pool = FragmentBuffers.Pool();
        var reassembler = new IPv4Reassembler(new IPv4ReassemblyOptions { MaxFragmentsPerDatagram = 3 });
        var payload = Bytes(64);
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 0, 8));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 16, 24));
        Assert.Equal(ReassemblyResult.Queued, Offer(reassembler, pool, payload, 32, 40));
        Assert.Equal(ReassemblyResult.DroppedTooManyFragments, Offer(reassembler, pool, payload, 48, 56));
        Assert.Equal(ReassemblyResult.DroppedPoisoned, Offer(reassembler, pool, payload, 8, 16));
        Assert.Equal(1, reassembler.Statistics.DatagramsDroppedTooManyFragments);
        Assert.Equal(0, reassembler.BytesHeld);
        reassembler.Clear();
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void ReassemblyAllocatesNothingOnceWarm()
    {
        var pool = FragmentBuffers.Pool(bufferSize: 2048, headroom: 128);
        var reassembler = new IPv4Reassembler();
        var payload = Bytes(4000);
        Run(200);   // warm: pools filled, code jitted
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(1000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(FragmentBuffers.AllHome(pool));

        void Run(int datagrams)
        {
            for (int i = 0; i < datagrams; i++)
            {
                var key = new FragmentKey(1, 2, 17, (ushort)i);
                Offer(reassembler, pool, payload, 2960, 4000, more: false, out _, 0, key);
                Offer(reassembler, pool, payload, 1480, 2960, more: true, out _, 0, key);
                Offer(reassembler, pool, payload, 0, 1480, more: true, out var datagram, 0, key);
                datagram!.Free();
            }
        }
    }
}
