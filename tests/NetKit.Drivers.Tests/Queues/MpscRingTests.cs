using System;
using System.Linq;
using System.Threading;
using NetKit.Drivers.Queues;
using Xunit;

namespace NetKit.Drivers.Tests.Queues;

public sealed class MpscRingTests
{
    private sealed class Item(int producer, int sequence)
    {
        public int Producer { get; } = producer;
        public int Sequence { get; } = sequence;
        public int Taken;
    }

    [Fact]
    public void Is_fifo_and_refuses_when_full()
    {
        var ring = new MpscRing<object>(4);
        var items = Enumerable.Range(0, 6).Select(_ => new object()).ToArray();
        Assert.True(ring.IsEmpty);
        for (int i = 0; i < 4; i++) Assert.True(ring.TryEnqueue(items[i]));
        Assert.False(ring.TryEnqueue(items[4]));
        Assert.Equal(4, ring.Count);
        Assert.True(ring.TryDequeue(out var first));
        Assert.Same(items[0], first);
        Assert.True(ring.TryEnqueue(items[4]));
        for (int i = 1; i <= 4; i++)
        {
            Assert.True(ring.TryDequeue(out var next));
            Assert.Same(items[i], next);
        }
        Assert.False(ring.TryDequeue(out _));
        Assert.True(ring.IsEmpty);
        Assert.Equal(0, ring.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void Capacity_must_be_a_power_of_two_of_at_least_two(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MpscRing<object>(capacity));

    /// <summary>
    /// Stress: producers racing into a small ring, one consumer. Every item is delivered exactly once or refused (and
    /// counted by its producer); each producer's delivered items arrive in its order.
    /// </summary>
    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void Many_producers_one_consumer_deliver_each_item_exactly_once(int producers, bool retryWhenFull)
    {
        const int perProducer = 100_000;
        var ring = new MpscRing<Item>(64);
        var items = Enumerable.Range(0, producers).Select(p => Enumerable.Range(0, perProducer).Select(s => new Item(p, s)).ToArray()).ToArray();
        var refused = new long[producers];
        int running = producers;
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            foreach (var item in items[p])
            {
                while (!ring.TryEnqueue(item))
                {
                    if (!retryWhenFull)
                    {
                        refused[p]++;
                        break;
                    }
                    Thread.Yield();
                }
            }
            Interlocked.Decrement(ref running);
        })).ToArray();
        var last = Enumerable.Repeat(-1, producers).ToArray();
        long delivered = 0;
        foreach (var t in threads) t.Start();
        while (true)
        {
            bool done = Volatile.Read(ref running) == 0; // read before draining: nothing can arrive after a final empty drain
            while (ring.TryDequeue(out var item))
            {
                Assert.Equal(1, Interlocked.Increment(ref item.Taken));
                Assert.True(item.Sequence > last[item.Producer], "per-producer order");
                last[item.Producer] = item.Sequence;
                delivered++;
            }
            if (done) break;
            Thread.Yield();
        }
        foreach (var t in threads) t.Join();
        Assert.True(ring.IsEmpty);
        Assert.Equal((long)producers * perProducer, delivered + refused.Sum());
        Assert.Equal(delivered, items.SelectMany(i => i).Count(i => i.Taken == 1));
        if (retryWhenFull) Assert.Equal(0, refused.Sum());
    }
}
