using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Tests.Support;
using Xunit;

namespace NetKit.Runtime.Tests.Buffers;

public sealed class PacketBufferPoolTests
{
    [Fact]
    public void Rented_buffers_have_headroom_and_support_prepend_append_and_trim()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 256, DefaultHeadroom = 64 });
        var b = pool.TryRent()!;
        Assert.True(b.IsOwned);
        Assert.Equal(64, b.Headroom);
        Assert.Equal(0, b.Length);
        "payload"u8.CopyTo(b.Append(7));
        "hdr:"u8.CopyTo(b.Prepend(4));
        Assert.Equal("hdr:payload"u8.ToArray(), b.Data.ToArray());
        Assert.Equal(60, b.Headroom);
        b.TrimFront(4);
        b.TrimEnd(3);
        Assert.Equal("payl"u8.ToArray(), b.Data.ToArray());
        Assert.Throws<InvalidOperationException>(() => b.Prepend(b.Headroom + 1));
        Assert.Throws<InvalidOperationException>(() => b.Append(b.Tailroom + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.TrimFront(5));
        b.Free();
        Assert.False(b.IsOwned);
    }

    [Fact]
    public void A_rented_buffer_is_reset_and_its_generation_advances()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 1, BuffersPerSlab = 1 });
        var b = pool.TryRent()!;
        int generation = b.Generation;
        b.Append(100);
        b.FlowHash = 7;
        b.HasFlowHash = true;
        b.Free();
        var again = pool.TryRent()!;
        Assert.Same(b, again);
        Assert.Equal(generation + 1, again.Generation);
        Assert.Equal(0, again.Length);
        Assert.False(again.HasFlowHash);
    }

    [Fact]
    public void An_exhausted_pool_fails_the_rent_and_counts_it()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 10, BuffersPerSlab = 4 });
        var held = Enumerable.Range(0, 10).Select(_ => pool.TryRent()).ToList();
        Assert.All(held, Assert.NotNull);
        Assert.Equal(10, held.Distinct().Count());
        Assert.Null(pool.TryRent());
        Assert.Null(pool.TryRent());
        Assert.Equal(2, pool.RentFailures);
        Assert.Equal(10, pool.Created);
        held[3]!.Free();
        Assert.Same(held[3], pool.TryRent());
    }

    [Fact]
    public void Freeing_twice_throws_under_the_throw_policy_and_leaves_the_pool_intact()
    {
        using var scope = new MisuseScope(MisusePolicy.Throw);
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 2, BuffersPerSlab = 2 });
        var b = pool.TryRent()!;
        b.Free();
        var ex = Assert.Throws<InvalidOperationException>(() => b.Free());
        Assert.Contains("freed twice", ex.Message);
        AssertPoolHandsOutDistinctBuffers(pool, 2);
    }

    [Fact]
    public void Freeing_twice_is_counted_under_the_count_policy_and_leaves_the_pool_intact()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 2, BuffersPerSlab = 2 });
        var b = pool.TryRent()!;
        b.Free();
        b.Free();
        pool.Return(b);
        Assert.Equal(2, Misuse.Count(MisuseKind.DoubleFree));
        AssertPoolHandsOutDistinctBuffers(pool, 2);
    }

    private static void AssertPoolHandsOutDistinctBuffers(PacketBufferPool pool, int count)
    {
        var all = Enumerable.Range(0, count).Select(_ => pool.TryRent()).ToList();
        Assert.All(all, Assert.NotNull);
        Assert.Equal(count, all.Distinct().Count());
        Assert.Null(pool.TryRent());
    }

    [Fact]
    public void A_chain_carries_a_64_KiB_segment_and_frees_as_one()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 2048, DefaultHeadroom = 128 });
        var chain = pool.TryRentChain(65536, headroom: 128)!;
        Assert.Equal(65536, chain.ChainLength);
        int buffers = 0;
        for (var b = chain; b is not null; b = b.Next) buffers++;
        Assert.Equal(1 + (65536 - (2048 - 128) + 2047) / 2048, buffers);
        int created = pool.Created;
        chain.Free();
        var again = pool.TryRentChain(65536, 128)!;
        Assert.Equal(created, pool.Created);
        again.Free();
    }

    [Fact]
    public void A_chain_that_cannot_be_completed_returns_its_partial_buffers()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 1024, MaxBuffers = 4, BuffersPerSlab = 4 });
        Assert.Null(pool.TryRentChain(10_000, 0));
        AssertPoolHandsOutDistinctBuffers(pool, 4);
    }

    [Fact]
    public void Native_memory_buffers_work_and_are_released_when_all_are_home()
    {
        var pool = new PacketBufferPool(new PacketBufferPoolOptions { MemoryKind = PacketMemoryKind.Native, MaxBuffers = 8, BuffersPerSlab = 8 });
        var b = pool.TryRent()!;
        b.Append(10).Fill(0xAB);
        Assert.All(b.Data.ToArray(), x => Assert.Equal(0xAB, x));
        Assert.False(pool.TryReleaseMemory()); // one is still out
        b.Free();
        Assert.True(pool.TryReleaseMemory());
        Assert.Null(pool.TryRent());
    }

    [Fact]
    public void Buffers_freed_on_other_threads_come_home_without_being_handed_out_twice()
    {
        using var pool = new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 256, BuffersPerSlab = 32 });
        var handoff = new BlockingCollection<PacketBuffer>(boundedCapacity: 128);
        var inFlight = new ConcurrentDictionary<PacketBuffer, int>();
        long duplicates = 0;
        const int total = 200_000;
        var freer = Task.Factory.StartNew(() =>
        {
            foreach (var b in handoff.GetConsumingEnumerable())
            {
                if (!inFlight.TryRemove(b, out _)) Interlocked.Increment(ref duplicates);
                b.Free();
            }
        }, TaskCreationOptions.LongRunning);
        int rented = 0;
        while (rented < total)
        {
            var b = pool.TryRent();
            if (b is null) { Thread.Yield(); continue; }
            if (!inFlight.TryAdd(b, 0)) duplicates++;
            handoff.Add(b);
            rented++;
        }
        handoff.CompleteAdding();
        freer.Wait();
        Assert.Equal(0, Interlocked.Read(ref duplicates));
        Assert.True(pool.RemoteReturns >= total - 256);
        Assert.True(pool.Created <= 256);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 10 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacketBufferPool(new PacketBufferPoolOptions { DefaultHeadroom = 5000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 0 }));
    }
}
