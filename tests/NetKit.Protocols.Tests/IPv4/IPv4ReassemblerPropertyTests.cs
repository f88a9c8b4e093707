using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.IPv4.Fragmentation;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Protocols.Tests.IPv4;

public sealed class IPv4ReassemblerPropertyTests
{
    private static readonly FragmentKey[] s_keys =
    [
        new(0x0A000001, 0x0A000002, 17, 0x1234),
        new(0x0A000001, 0x0A000002, 6, 0x1234),     // differs only in protocol
        new(0x0A000002, 0x0A000001, 17, 0x1234),    // addresses swapped
        new(0x0A000001, 0x0A000002, 17, 0x1235),    // differs only in identification
        new(0x0A000001, 0x0A000003, 17, 0x1234),    // differs only in destination
    ];

    /// <summary>Offers one fragment as a receiver would: a random-length header in front, link padding after.</summary>
    internal static ReassemblyResult OfferRange(IPv4Reassembler reassembler, PacketBufferPool pool, in FragmentKey key,
        byte[] payload, ByteRange range, Random rng, long now, out PacketBuffer? datagram)
    {
        int headerLength = 20 + 4 * rng.Next(0, 11);
        Span<byte> header = stackalloc byte[headerLength];
        rng.NextBytes(header);
        int padding = rng.Next(0, 4) == 0 ? rng.Next(1, 30) : 0;
        var buffer = FragmentBuffers.Received(pool, header, payload.AsSpan(range.Start, range.Length), padding);
        return reassembler.Offer(key, range.Start, range.More(payload.Length), buffer, headerLength, range.Length, now, out datagram);
    }

    private static int BufferSize(int choice) => choice switch { 0 => 128, 1 => 512, _ => 2048 };

    private static IPv4Reassembler Unlimited() =>
        new(new IPv4ReassemblyOptions { MaxFragmentsPerDatagram = 4096, MaxBytes = 1L << 30 });

    /// <summary>The expected outcome of one arrival: the reassembler must agree with the byte-coverage model.</summary>
    private static void AssertArrival(ReassemblyResult result, PacketBuffer? datagram, int index, int complete, bool[] duplicate, byte[] payload)
    {
        if (index < complete)
        {
            Assert.Equal(duplicate[index] ? ReassemblyResult.Duplicate : ReassemblyResult.Queued, result);
            Assert.Null(datagram);
            return;
        }
        Assert.Equal(ReassemblyResult.Completed, result);
        Assert.NotNull(datagram);
        Assert.True(FragmentBuffers.IsLive(datagram));
        Assert.Equal(payload, FragmentBuffers.ToArray(datagram));
        Assert.True(datagram.Headroom >= 20, "the caller prepends the rebuilt header into fragment zero's headroom");
        datagram.Free();
    }

    [Fact]
    public void AnyFragmentationInAnyOrderWithAnyDuplicatesReassemblesToTheOriginalBytes()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[1, 20_000], Gen.Int[1, 200], Gen.Int[0, 12], Gen.Int[0, 2], Gen.Int).Sample((total, maxBlocks, extras, size, seed) =>
        {
            var rng = new Random(seed);
            var payload = FragmentBuffers.RandomBytes(total, seed);
            var arrivals = FragmentRanges.Partition(total, maxBlocks, rng);
            for (int i = 0; i < extras; i++)
                arrivals.Add(rng.Next(2) == 0 ? arrivals[rng.Next(arrivals.Count)] : FragmentRanges.Any(total, maxBlocks, rng));
            FragmentRanges.Shuffle(arrivals, rng);
            int complete = FragmentRanges.CompletionIndex(arrivals, total, out var duplicate);
            Assert.True(complete >= 0);

            var pool = FragmentBuffers.Pool(BufferSize(size), maxBuffers: 16384);
            var reassembler = Unlimited();
            var key = s_keys[0];
            for (int i = 0; i <= complete; i++)
            {
                var result = OfferRange(reassembler, pool, key, payload, arrivals[i], rng, 0, out var datagram);
                AssertArrival(result, datagram, i, complete, duplicate, payload);
            }
            Assert.Equal(0, reassembler.ActiveCount);
            Assert.Equal(0, reassembler.BytesHeld);
            Assert.Equal(1, reassembler.Statistics.DatagramsReassembled);
            Assert.Equal(complete + 1, reassembler.Statistics.FragmentsReceived);
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        }, iter: 500);
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }

    [Fact]
    public void InterleavedDatagramsWithDifferentKeysReassembleIndependently()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[2, s_keys.Length], Gen.Int[0, 2], Gen.Int).Sample((count, size, seed) =>
        {
            var rng = new Random(seed);
            var payloads = new byte[count][];
            var arrivals = new List<ByteRange>[count];
            var completes = new int[count];
            var duplicates = new bool[count][];
            var pending = new List<int>();
            for (int d = 0; d < count; d++)
            {
                int total = rng.Next(1, 6000);
                payloads[d] = FragmentBuffers.RandomBytes(total, seed + d);
                arrivals[d] = FragmentRanges.Partition(total, rng.Next(1, 100), rng);
                for (int i = rng.Next(0, 4); i > 0; i--) arrivals[d].Add(FragmentRanges.Any(total, 40, rng));
                FragmentRanges.Shuffle(arrivals[d], rng);
                completes[d] = FragmentRanges.CompletionIndex(arrivals[d], total, out duplicates[d]);
                for (int i = 0; i <= completes[d]; i++) pending.Add(d);
            }
            FragmentRanges.Shuffle(pending, rng);   // a random interleaving; each datagram keeps its own order

            var pool = FragmentBuffers.Pool(BufferSize(size), maxBuffers: 16384);
            var reassembler = Unlimited();
            var next = new int[count];
            foreach (int d in pending)
            {
                int i = next[d]++;
                var result = OfferRange(reassembler, pool, s_keys[d], payloads[d], arrivals[d][i], rng, 0, out var datagram);
                AssertArrival(result, datagram, i, completes[d], duplicates[d], payloads[d]);
            }
            Assert.Equal(0, reassembler.ActiveCount);
            Assert.Equal(count, reassembler.Statistics.DatagramsReassembled);
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        }, iter: 500);
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }

    [Fact]
    public void AConflictingOverlapDropsTheDatagramAndItsLaterFragments()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[16, 8000], Gen.Int[1, 60], Gen.Int[0, 2], Gen.Int).Sample((total, maxBlocks, size, seed) =>
        {
            var rng = new Random(seed);
            var payload = FragmentBuffers.RandomBytes(total, seed);
            var pieces = FragmentRanges.Partition(total, maxBlocks, rng);
            if (pieces.Count < 2) return;
            FragmentRanges.Shuffle(pieces, rng);
            int held = rng.Next(1, pieces.Count);   // a proper subset: cannot complete
            var pool = FragmentBuffers.Pool(BufferSize(size), maxBuffers: 16384);
            var reassembler = Unlimited();
            var key = s_keys[0];
            for (int i = 0; i < held; i++)
                Assert.Equal(ReassemblyResult.Queued, OfferRange(reassembler, pool, key, payload, pieces[i], rng, 0, out _));

            // A fragment starting where a held one starts, with one byte inside the held one changed.
            var victim = pieces[rng.Next(held)];
            int end = Math.Min(total, victim.Start + 8 * rng.Next(1, maxBlocks + 8));
            var liar = new ByteRange(victim.Start, end);
            var forged = (byte[])payload.Clone();
            forged[rng.Next(victim.Start, Math.Min(victim.End, end))] ^= (byte)rng.Next(1, 256);
            Assert.Equal(ReassemblyResult.DroppedOverlap, OfferRange(reassembler, pool, key, forged, liar, rng, 0, out var none));
            Assert.Null(none);
            Assert.Equal(0, reassembler.BytesHeld);
            Assert.Equal(1, reassembler.Statistics.DatagramsDroppedOverlap);

            for (int i = held; i < pieces.Count; i++)
                Assert.Equal(ReassemblyResult.DroppedPoisoned, OfferRange(reassembler, pool, key, payload, pieces[i], rng, 0, out _));
            Assert.Equal(pieces.Count - held, reassembler.Statistics.FragmentsDroppedPoisoned);
            Assert.Equal(0, reassembler.Statistics.DatagramsReassembled);

            // The poisoned key is forgotten at the timeout, silently (not a reassembly timeout).
            Assert.Equal(0, reassembler.Expire(TimeSpan.FromSeconds(30).Ticks * 100));
            Assert.Equal(0, reassembler.ActiveCount);
            Assert.Equal(0, reassembler.Statistics.DatagramsTimedOut);
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        }, iter: 500);
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }

    /// <summary>
    /// Whatever arrives (misaligned, conflicting, oversized, past the limits, interleaved with clock steps and
    /// sweeps), every buffer is handed back or freed exactly once, the limits hold, and each outcome is counted.
    /// </summary>
    [Fact]
    public void NoSequenceOfFragmentsLeaksABufferOrPassesTheLimits()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[1, 400], Gen.Int).Sample((operations, seed) =>
        {
            var rng = new Random(seed);
            var options = new IPv4ReassemblyOptions
            {
                Timeout = TimeSpan.FromSeconds(10),
                MaxReassemblies = 3,
                MaxBytes = 12 * 256,
                MaxFragmentsPerDatagram = 6,
            };
            var pool = FragmentBuffers.Pool(256, maxBuffers: 4096);
            var reassembler = new IPv4Reassembler(options);
            var outcomes = new long[Enum.GetValues<ReassemblyResult>().Length];
            long now = 0, offers = 0, timedOut = 0;
            var totals = new int[4];
            for (int k = 0; k < totals.Length; k++) totals[k] = 8 * rng.Next(2, 12) + rng.Next(0, 8);
            Span<byte> header = stackalloc byte[20];
            for (int op = 0; op < operations; op++)
            {
                switch (rng.Next(12))
                {
                    case 0:
                        now += rng.Next(0, 6_000) * 1_000_000L;
                        break;
                    case 1:
                        while (reassembler.TryExpire(now, out var expired))
                        {
                            timedOut++;
                            Assert.True(expired.FirstFragmentReceived || expired.FirstFragment is null);
                            if (expired.FirstFragment is { } first)
                            {
                                Assert.True(FragmentBuffers.IsLive(first));
                                first.Free();
                            }
                        }
                        break;
                    default:
                        int keyIndex = rng.Next(4);
                        int total = totals[keyIndex];
                        int offset, length;
                        bool more;
                        if (rng.Next(10) != 0)
                        {
                            // Mostly honest: a piece of this key's datagram, so datagrams do complete.
                            offset = 8 * rng.Next(0, (total - 1) / 8 + 1);
                            int end = Math.Min(total, offset + 8 * rng.Next(1, 4));
                            length = end - offset;
                            more = end != total;
                        }
                        else
                        {
                            offset = 8 * rng.Next(0, 12) + (rng.Next(10) == 0 ? rng.Next(1, 8) : 0);
                            length = 8 * rng.Next(0, 10) + (rng.Next(4) == 0 ? rng.Next(1, 8) : 0);
                            more = rng.Next(3) != 0;
                        }
                        if (rng.Next(50) == 0) offset = IPv4Reassembler.MaxPayloadLength - rng.Next(0, 16);
                        int flip = length > 0 && rng.Next(15) == 0 ? rng.Next(length) : -1;   // a conflicting byte
                        var payload = new byte[length];
                        for (int p = 0; p < length; p++) payload[p] = (byte)(((offset + p) * 7 + keyIndex) ^ (p == flip ? 0x5A : 0));
                        rng.NextBytes(header);
                        var buffer = FragmentBuffers.Received(pool, header, payload, rng.Next(0, 3));
                        int claimed = rng.Next(40) == 0 ? length + 64 : length;   // a window past the buffer: invalid
                        var result = reassembler.Offer(s_keys[keyIndex], offset, more, buffer, header.Length, claimed, now, out var datagram);
                        offers++;
                        outcomes[(int)result]++;
                        Assert.Equal(result == ReassemblyResult.Completed, datagram is not null);
                        if (datagram is not null)
                        {
                            Assert.True(FragmentBuffers.IsLive(datagram));
                            datagram.Free();
                        }
                        break;
                }
                Assert.InRange(reassembler.BytesHeld, 0, options.MaxBytes);
                Assert.InRange(reassembler.ActiveCount, 0, options.MaxReassemblies);
            }

            var stats = reassembler.Statistics;
            Assert.Equal(offers, stats.FragmentsReceived);
            Assert.Equal(outcomes[(int)ReassemblyResult.Completed], stats.DatagramsReassembled);
            Assert.Equal(outcomes[(int)ReassemblyResult.Duplicate], stats.FragmentsDuplicate);
            Assert.Equal(outcomes[(int)ReassemblyResult.Invalid], stats.FragmentsInvalid);
            Assert.Equal(outcomes[(int)ReassemblyResult.DroppedOverlap], stats.DatagramsDroppedOverlap);
            Assert.Equal(outcomes[(int)ReassemblyResult.DroppedTooManyFragments], stats.DatagramsDroppedTooManyFragments);
            Assert.Equal(outcomes[(int)ReassemblyResult.DroppedPoisoned], stats.FragmentsDroppedPoisoned);
            Assert.Equal(outcomes[(int)ReassemblyResult.DroppedReassemblyLimit], stats.FragmentsDroppedReassemblyLimit);
            Assert.Equal(outcomes[(int)ReassemblyResult.DroppedMemoryLimit], stats.FragmentsDroppedMemoryLimit);
            Assert.Equal(timedOut, stats.DatagramsTimedOut);

            reassembler.Clear();
            Assert.Equal(0, reassembler.ActiveCount);
            Assert.Equal(0, reassembler.BytesHeld);
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        }, iter: 500);
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }
}
