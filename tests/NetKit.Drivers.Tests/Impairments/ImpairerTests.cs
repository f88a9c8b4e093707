using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Tests.Support;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Drivers.Tests.Impairments;

/// <summary>
/// Each impairment measured over many frames. The seeds are fixed, so the statistical bounds (five standard deviations
/// and more) are checked against one reproducible run: they document the expected rates and cannot flake.
/// </summary>
public sealed class ImpairerTests
{
    private const long Millisecond = 1_000_000;
    private static readonly byte[] Destination = Frames.Mac(2), Source = Frames.Mac(1);

    private static PacketBuffer Frame(PacketBufferPool pool, uint sequence, int length = 64) =>
        Frames.Udp(pool, Destination, Source, Frames.Ip(1), Frames.Ip(2), 1000, 2000, sequence, length);

    private static byte[] Expected(uint sequence, int length = 64) =>
        Frames.Expected(Destination, Source, Frames.Ip(1), Frames.Ip(2), 1000, 2000, sequence, length);

    /// <summary>Releases everything due by <paramref name="until"/> at its exact due time, as a perfect timer would.</summary>
    private static void AdvanceTo(Impairer impairer, Recorder recorder, long until)
    {
        var sink = new RecorderSink(recorder);
        while (impairer.NextDue <= until)
        {
            recorder.Now = Math.Max(recorder.Now, impairer.NextDue);
            impairer.Release(recorder.Now, ref sink);
        }
        recorder.Now = Math.Max(recorder.Now, until);
    }

    /// <summary>Offers <paramref name="count"/> frames every <paramref name="interval"/> ns from time 0, then drains.</summary>
    private static Recorder Run(Impairer impairer, PacketBufferPool pool, int count, long interval, int length = 64)
    {
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (int i = 0; i < count; i++)
        {
            AdvanceTo(impairer, recorder, i * interval);
            impairer.Offer(Frame(pool, (uint)i, length), recorder.Now, ref sink);
        }
        AdvanceTo(impairer, recorder, long.MaxValue - 1);
        return recorder;
    }

    private static void AssertConserved(Impairer impairer)
    {
        var c = impairer.Counters;
        Assert.Equal(c.Offered + c.Duplicated, c.Delivered + c.Lost + c.RateDrops + c.QueueDrops + c.Flushed + impairer.HeldFrames);
    }

    [Fact]
    public void With_no_impairments_every_frame_passes_at_once_untouched()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(ImpairmentOptions.None);
        Assert.True(impairer.IsPassThrough);
        var recorder = new Recorder { Keep = true };
        var sink = new RecorderSink(recorder);
        var frames = Enumerable.Range(0, 10).Select(i => Frame(pool, (uint)i)).ToList();
        foreach (var f in frames) impairer.Offer(f, 0, ref sink);
        Assert.Equal(frames, recorder.Buffers);
        Assert.Equal(0, impairer.HeldFrames);
        Assert.Equal(long.MaxValue, impairer.NextDue);
        Assert.Equal(new ImpairmentCounters(10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0), impairer.Counters);
        foreach (var f in recorder.Buffers) f.Free();
        Assert.Equal(512, pool.Available);
    }

    /// <summary>Property: for random options, seeds and input timings, two runs give the same frames at the same times.</summary>
    [Fact]
    public void Same_seed_same_frames_and_clock_readings_give_the_same_output()
    {
        var probabilities = Gen.Select(Gen.Double[0, 0.3], Gen.Double[0, 0.3], Gen.Double[0, 0.3], Gen.Double[0, 0.3]);
        var timing = Gen.Select(Gen.Long[0, 5 * Millisecond], Gen.Long[0, 3 * Millisecond], Gen.Int[1, 5],
            Gen.OneOf(Gen.Const(0L), Gen.Long[1_000_000, 100_000_000]), Gen.Int[1, 32]);
        var input = Gen.Select(Gen.Int[Frames.MinimumLength, 300], Gen.Long[0, 2 * Millisecond]).Array[1, 150];
        Gen.Select(probabilities, timing, input, Gen.ULong).Sample((p, t, frames, seed) =>
        {
            var options = new ImpairmentOptions
            {
                LossProbability = p.Item1,
                DuplicationProbability = p.Item2,
                ReorderProbability = p.Item3,
                CorruptionProbability = p.Item4,
                Delay = TimeSpan.FromTicks(t.Item1 / 100),
                Jitter = TimeSpan.FromTicks(t.Item2 / 100),
                ReorderDistance = t.Item3,
                RateBitsPerSecond = t.Item4,
                RateQueueLimit = t.Item5,
                QueueLimit = 64,
                Seed = seed,
            };
            var first = Replay(options, frames);
            var second = Replay(options, frames);
            Assert.Equal(first.Count, second.Count);
            for (int i = 0; i < first.Count; i++)
            {
                Assert.Equal(first[i].Time, second[i].Time);
                Assert.Equal(first[i].Bytes, second[i].Bytes);
            }
        }, iter: 150, threads: 1);
    }

    private static List<Recorder.Delivery> Replay(ImpairmentOptions options, (int Length, long Gap)[] frames)
    {
        var pool = Frames.WarmPool(256, bufferSize: 512);
        var impairer = new Impairer(options);
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        long now = 0;
        for (int i = 0; i < frames.Length; i++)
        {
            now += frames[i].Gap;
            AdvanceTo(impairer, recorder, now);
            impairer.Offer(Frame(pool, (uint)i, frames[i].Length), now, ref sink);
            AssertConserved(impairer);
        }
        AdvanceTo(impairer, recorder, long.MaxValue - 1);
        Assert.Equal(0, impairer.HeldFrames);
        AssertConserved(impairer);
        Assert.Equal(256, pool.Available);   // every buffer home: nothing leaked, nothing freed twice
        Assert.True(pool.TryReleaseMemory());
        return recorder.Deliveries;
    }

    [Fact]
    public void Different_seeds_give_different_losses()
    {
        using var pool = Frames.WarmPool();
        var a = Run(new Impairer(new ImpairmentOptions { LossProbability = 0.5, Seed = 1 }), pool, 200, 0);
        var b = Run(new Impairer(new ImpairmentOptions { LossProbability = 0.5, Seed = 2 }), pool, 200, 0);
        Assert.NotEqual(a.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)), b.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)));
    }

    [Fact]
    public void Loss_drops_its_share_of_frames()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { LossProbability = 0.1, Seed = 42 });
        var recorder = Run(impairer, pool, 100_000, 0);
        // Binomial(100000, 0.1): sd 95.
        Assert.InRange(impairer.Counters.Lost, 10_000 - 500, 10_000 + 500);
        Assert.Equal(100_000 - impairer.Counters.Lost, recorder.Deliveries.Count);
        // What is not lost passes intact and in order.
        var sequences = recorder.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second));
        Assert.All(recorder.Deliveries, d => Assert.Equal(Expected(Frames.SequenceOf(d.Bytes)), d.Bytes));
        AssertConserved(impairer);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Duplication_sends_identical_copies_in_new_buffers()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { DuplicationProbability = 0.2, Seed = 7 });
        var recorder = new Recorder { Keep = true };
        var sink = new RecorderSink(recorder);
        int copies = 0;
        for (uint i = 0; i < 50_000; i++)
        {
            var frame = Frame(pool, i);
            impairer.Offer(frame, 0, ref sink);
            Assert.Same(frame, recorder.Buffers[0]);
            if (recorder.Buffers.Count == 2)
            {
                copies++;
                Assert.NotSame(recorder.Buffers[0], recorder.Buffers[1]);
                Assert.Equal(recorder.Buffers[0].Data.ToArray(), recorder.Buffers[1].Data.ToArray());
                Assert.Same(pool, recorder.Buffers[1].Pool);
            }
            foreach (var b in recorder.Buffers) b.Free();
            recorder.Buffers.Clear();
        }
        // Binomial(50000, 0.2): sd 89.
        Assert.InRange(copies, 10_000 - 450, 10_000 + 450);
        Assert.Equal(copies, impairer.Counters.Duplicated);
        Assert.Equal(50_000 + copies, impairer.Counters.Delivered);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Duplication_counts_a_drop_when_the_pool_is_exhausted()
    {
        using var pool = Frames.WarmPool(buffers: 1);
        var impairer = new Impairer(new ImpairmentOptions { DuplicationProbability = 1 });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        impairer.Offer(Frame(pool, 1), 0, ref sink);
        Assert.Single(recorder.Deliveries);
        Assert.Equal(1, impairer.Counters.DuplicationFailures);
        Assert.Equal(0, impairer.Counters.Duplicated);
        Assert.Equal(1, impairer.Counters.Dropped);
        Assert.Equal(1, pool.RentFailures);
        Assert.Equal(1, pool.Available);
    }

    [Fact]
    public void Corruption_flips_exactly_one_bit_of_its_share_of_frames()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { CorruptionProbability = 0.3, Seed = 11 });
        var recorder = Run(impairer, pool, 20_000, 0, length: 100);
        int corrupted = 0;
        var bitsHit = new int[8];
        var bytesHit = new bool[100];
        for (int i = 0; i < recorder.Deliveries.Count; i++)
        {
            var got = recorder.Deliveries[i].Bytes;
            var expected = Expected((uint)i, 100);
            int flipped = 0;
            for (int j = 0; j < got.Length; j++)
            {
                int diff = got[j] ^ expected[j];
                if (diff == 0) continue;
                flipped += int.PopCount(diff);
                bitsHit[int.TrailingZeroCount(diff)]++;
                bytesHit[j] = true;
            }
            Assert.InRange(flipped, 0, 1);
            corrupted += flipped;
        }
        // Binomial(20000, 0.3): sd 65.
        Assert.InRange(corrupted, 6000 - 330, 6000 + 330);
        Assert.Equal(corrupted, impairer.Counters.Corrupted);
        Assert.All(bitsHit, n => Assert.InRange(n, 600, 900));   // bit positions uniform: 750 each
        Assert.True(bytesHit.All(hit => hit), "every byte of the frame can be hit");
    }

    [Fact]
    public void Delay_and_jitter_stay_within_bounds_and_average_the_delay()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions
        {
            Delay = TimeSpan.FromMilliseconds(10),
            Jitter = TimeSpan.FromMilliseconds(2),
            Seed = 3,
        });
        const long interval = 100_000;
        var recorder = Run(impairer, pool, 10_000, interval);
        Assert.Equal(10_000, recorder.Deliveries.Count);
        var delays = recorder.Deliveries.Select(d => d.Time - Frames.SequenceOf(d.Bytes) * interval).ToList();
        Assert.All(delays, d => Assert.InRange(d, 8 * Millisecond, 12 * Millisecond));
        Assert.True(delays.Min() < 8 * Millisecond + 20_000 && delays.Max() > 12 * Millisecond - 20_000, "jitter spans its range");
        // Uniform ±2 ms: sd 1.15 ms, of the mean of 10000: 0.0115 ms.
        Assert.InRange(delays.Average(), 10 * Millisecond - 60_000, 10 * Millisecond + 60_000);
        // Jitter larger than the spacing reorders frames.
        var sequences = recorder.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)).ToList();
        Assert.False(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second));
        Assert.Equal(10_000, impairer.Counters.Delayed);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Delay_without_jitter_is_exact_and_keeps_order()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(5) });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (uint i = 0; i < 5; i++) impairer.Offer(Frame(pool, i), i * 1000, ref sink);
        Assert.Empty(recorder.Deliveries);
        Assert.Equal(5, impairer.HeldFrames);
        Assert.Equal(5 * Millisecond, impairer.NextDue);
        Assert.Equal(0, impairer.Release(5 * Millisecond - 1, ref sink));
        Assert.Equal(3, impairer.Release(5 * Millisecond + 2000, ref sink));
        Assert.Equal(5 * Millisecond + 3000, impairer.NextDue);
        Assert.Equal(2, impairer.Release(6 * Millisecond, ref sink));
        Assert.Equal([0u, 1, 2, 3, 4], recorder.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)));
    }

    [Fact]
    public void Reordered_frames_are_overtaken_by_exactly_the_distance()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { ReorderProbability = 0.1, ReorderDistance = 3, Seed = 5 });
        var recorder = Run(impairer, pool, 10_000, 1000);
        var order = recorder.Deliveries.Select(d => (int)Frames.SequenceOf(d.Bytes)).ToList();
        Assert.Equal(Enumerable.Range(0, 10_000), order.Order());
        // How many later frames left before each frame.
        var overtakers = new int[order.Count];
        for (int position = 0; position < order.Count; position++)
            for (int before = 0; before < position; before++)
                if (order[before] > order[position]) overtakers[order[position]]++;
        long reordered = impairer.Counters.Reordered;
        // Binomial(10000, 0.1): sd 30.
        Assert.InRange(reordered, 1000 - 150, 1000 + 150);
        Assert.All(overtakers, n => Assert.InRange(n, 0, 3));
        Assert.Equal(reordered, overtakers.Count(n => n > 0));
        Assert.True(overtakers.Count(n => n == 3) >= reordered - 3, "only frames held at the very end leave early, at their deadline");
    }

    [Fact]
    public void A_reordered_frame_leaves_at_the_hold_limit_when_traffic_stops()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { ReorderProbability = 1, ReorderHoldLimit = TimeSpan.FromMilliseconds(10) });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        impairer.Offer(Frame(pool, 1), Millisecond, ref sink);
        Assert.Equal(11 * Millisecond, impairer.NextDue);
        Assert.Equal(0, impairer.Release(11 * Millisecond - 1, ref sink));
        Assert.Equal(1, impairer.Release(11 * Millisecond, ref sink));
        Assert.Equal(1, impairer.Counters.Reordered);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Rate_limit_serializes_frames_at_the_link_rate()
    {
        using var pool = Frames.WarmPool();
        // 8 Mbit/s: a 1000-byte frame takes exactly 1 ms on the wire.
        var impairer = new Impairer(new ImpairmentOptions { RateBitsPerSecond = 8_000_000, RateQueueLimit = 100 });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (uint i = 0; i < 5; i++) impairer.Offer(Frame(pool, i, 1000), 0, ref sink);
        Assert.Equal(Millisecond, impairer.NextDue);
        AdvanceTo(impairer, recorder, 10 * Millisecond);
        Assert.Equal([1 * Millisecond, 2 * Millisecond, 3 * Millisecond, 4 * Millisecond, 5 * Millisecond], recorder.Deliveries.Select(d => d.Time));
        // The link is idle again at 5 ms: a frame offered at 10 ms leaves 1 ms later; a 500-byte one takes 0.5 ms more.
        impairer.Offer(Frame(pool, 5, 1000), 10 * Millisecond, ref sink);
        impairer.Offer(Frame(pool, 6, 500), 10 * Millisecond, ref sink);
        AdvanceTo(impairer, recorder, 20 * Millisecond);
        Assert.Equal([11 * Millisecond, 11 * Millisecond + 500_000], recorder.Deliveries.Skip(5).Select(d => d.Time));
        Assert.Equal(0, impairer.Counters.RateDrops);
    }

    [Fact]
    public void Rate_limit_tail_drops_when_its_queue_is_full_and_then_paces_the_offered_load()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions
        {
            RateBitsPerSecond = 8_000_000,
            RateQueueLimit = 3,
            Delay = TimeSpan.FromMilliseconds(2),
        });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (uint i = 0; i < 5; i++) impairer.Offer(Frame(pool, i, 1000), 0, ref sink);
        Assert.Equal(2, impairer.Counters.RateDrops);                     // frames 3 and 4: three already queued
        AdvanceTo(impairer, recorder, Millisecond);                        // frame 0 has left the queue (still delayed)
        impairer.Offer(Frame(pool, 5, 1000), Millisecond, ref sink);       // room for one more, sent after frame 2
        impairer.Offer(Frame(pool, 6, 1000), Millisecond, ref sink);       // full again
        Assert.Equal(3, impairer.Counters.RateDrops);
        AdvanceTo(impairer, recorder, 100 * Millisecond);
        Assert.Equal([0u, 1, 2, 5], recorder.Deliveries.Select(d => Frames.SequenceOf(d.Bytes)));
        // Serialization finishes at 1, 2, 3, 4 ms; the wire adds 2 ms.
        Assert.Equal([3 * Millisecond, 4 * Millisecond, 5 * Millisecond, 6 * Millisecond], recorder.Deliveries.Select(d => d.Time));

        // Offered 10x the rate for 100 ms: about one frame per millisecond gets through, the rest is tail-dropped.
        var load = new Impairer(new ImpairmentOptions { RateBitsPerSecond = 8_000_000, RateQueueLimit = 4 });
        var paced = Run(load, pool, 1000, 100_000, length: 1000);
        Assert.InRange(paced.Deliveries.Count, 100, 105);
        var times = paced.Deliveries.Select(d => d.Time).ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(Millisecond, pair.Second - pair.First));
        Assert.Equal(1000 - paced.Deliveries.Count, load.Counters.RateDrops);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void The_queue_limit_drops_arrivals_beyond_it()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(1), QueueLimit = 10 });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (uint i = 0; i < 15; i++) impairer.Offer(Frame(pool, i), 0, ref sink);
        Assert.Equal(10, impairer.HeldFrames);
        Assert.Equal(5, impairer.Counters.QueueDrops);
        AdvanceTo(impairer, recorder, Millisecond);
        Assert.Equal(10, recorder.Deliveries.Count);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Flush_frees_every_held_frame()
    {
        using var pool = Frames.WarmPool();
        var impairer = new Impairer(new ImpairmentOptions
        {
            Delay = TimeSpan.FromMilliseconds(50),
            ReorderProbability = 0.5,
            DuplicationProbability = 0.5,
            Seed = 9,
        });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        for (uint i = 0; i < 100; i++) impairer.Offer(Frame(pool, i), i, ref sink);
        Assert.True(impairer.HeldFrames > 100);
        int held = impairer.HeldFrames;
        Assert.Equal(held, impairer.Flush());
        Assert.Equal(held, impairer.Counters.Flushed);
        Assert.Equal(0, impairer.HeldFrames);
        Assert.Equal(long.MaxValue, impairer.NextDue);
        AssertConserved(impairer);
        Assert.Equal(512, pool.Available);
    }

    [Fact]
    public void Chained_frames_are_duplicated_and_corrupted_across_the_chain()
    {
        using var pool = Frames.WarmPool(buffers: 64, bufferSize: 128, headroom: 16);
        var impairer = new Impairer(new ImpairmentOptions { DuplicationProbability = 1, CorruptionProbability = 1, Seed = 1 });
        var recorder = new Recorder();
        var sink = new RecorderSink(recorder);
        var original = new byte[300];
        Random.Shared.NextBytes(original);
        for (int round = 0; round < 20; round++)
        {
            var frame = pool.TryRentChain(original.Length, 16)!;
            Assert.NotNull(frame.Next);
            int offset = 0;
            for (var b = frame; b is not null; b = b.Next)
            {
                original.AsSpan(offset, b.Length).CopyTo(b.Data);
                offset += b.Length;
            }
            var chainSink = new ChainSink();
            impairer.Offer(frame, 0, ref chainSink);
            Assert.Equal(2, chainSink.Frames.Count);
            foreach (var got in chainSink.Frames)
            {
                Assert.Equal(original.Length, got.Length);
                Assert.Equal(1, got.Zip(original).Sum(pair => int.PopCount(pair.First ^ pair.Second)));
            }
        }
        Assert.Equal(64, pool.Available);
    }

    private readonly struct ChainSink() : IFrameSink
    {
        public List<byte[]> Frames { get; } = [];

        public void Deliver(PacketBuffer frame)
        {
            var bytes = new List<byte>();
            for (var b = frame; b is not null; b = b.Next) bytes.AddRange(b.Data.ToArray());
            Frames.Add([.. bytes]);
            frame.Free();
        }
    }

    [Fact]
    public void Out_of_range_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { LossProbability = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { DuplicationProbability = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { Delay = TimeSpan.FromTicks(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { ReorderDistance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { RateBitsPerSecond = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Impairer(new ImpairmentOptions { RateQueueLimit = 0 }));
    }
}
