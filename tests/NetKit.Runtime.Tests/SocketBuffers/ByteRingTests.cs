using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Tests.Support;
using Xunit;

namespace NetKit.Runtime.Tests.SocketBuffers;

public sealed class ByteRingTests
{
    [Fact]
    public void Capacity_rounds_up_to_a_power_of_two()
    {
        Assert.Equal(64, new ByteRing(1).Capacity);
        Assert.Equal(4096, new ByteRing(3000).Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteRing(0));
    }

    [Fact]
    public void Writes_and_reads_across_the_wrap_point()
    {
        var ring = new ByteRing(64);
        var data = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray();
        Assert.Equal(50, ring.Write(data));
        var sink = new byte[40];
        Assert.Equal(40, ring.Read(sink));
        Assert.Equal(data[..40], sink);
        // 10 left; 54 free, of which only 14 are before the end: the write spans the wrap.
        var more = Enumerable.Range(100, 54).Select(i => (byte)i).ToArray();
        Assert.Equal(54, ring.Write(more));
        Assert.Equal(0, ring.Write(new byte[1]));
        Assert.Equal(64, ring.ReadableCount);
        var all = new byte[64];
        Assert.Equal(64, ring.Read(all));
        Assert.Equal(data[40..].Concat(more).ToArray(), all);
        Assert.Equal(104, ring.TotalWritten);
        Assert.Equal(104, ring.TotalRead);
    }

    [Fact]
    public void The_consumer_peeks_at_any_offset_and_releases_only_what_it_is_done_with()
    {
        // TCP's send ring: transmit from snd_nxt (an offset past snd_una) and release on ACK.
        var ring = new ByteRing(128);
        var data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        ring.Write(data);
        var segment = new byte[30];
        Assert.Equal(30, ring.Peek(40, segment));
        Assert.Equal(data[40..70], segment);
        Assert.Equal(100, ring.ReadableCount); // peeking consumed nothing
        ring.Release(40);                      // first 40 acknowledged
        Assert.Equal(60, ring.ReadableCount);
        Assert.Equal((byte)40, ring.Peek()[0]);
        Assert.True(ring.Peek(60).IsEmpty);
    }

    [Fact]
    public void Write_span_and_commit_publish_in_place()
    {
        var ring = new ByteRing(64);
        var span = ring.GetWriteSpan();
        Assert.Equal(64, span.Length);
        "hello"u8.CopyTo(span);
        Assert.Equal(0, ring.ReadableCount); // not visible before commit
        ring.Commit(5);
        Assert.Equal("hello"u8.ToArray(), ring.Peek().ToArray());
    }

    [Fact]
    public void Committing_or_releasing_too_much_is_refused_as_misuse()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        var ring = new ByteRing(64);
        ring.Commit(65);
        ring.Write(new byte[10]);
        ring.Release(11);
        Assert.Equal(2, Misuse.Count(MisuseKind.RingOverrun));
        Assert.Equal(10, ring.ReadableCount);
        using var throwing = new MisuseScope(MisusePolicy.Throw);
        Assert.Throws<InvalidOperationException>(() => ring.Release(11));
    }

    [Fact]
    public void End_of_stream_is_seen_after_the_remaining_data()
    {
        var ring = new ByteRing(64);
        ring.Write(new byte[3]);
        ring.CompleteWriting();
        Assert.False(ring.IsCompleted);
        Assert.True(ring.WaitForData(1, 0));
        Assert.Equal(3, ring.Read(new byte[10]));
        Assert.True(ring.IsCompleted);
        Assert.False(ring.WaitForData(1, 1000)); // returns at once: EOF
    }

    [Fact]
    public void A_closed_reader_makes_writes_fail_and_wakes_a_waiting_writer()
    {
        var ring = new ByteRing(64);
        ring.Write(new byte[64]);
        var writer = Task.Run(() => ring.WaitForSpace(10, 10_000));
        Thread.Sleep(50);
        ring.CompleteReading();
        Assert.False(writer.Wait(5000) ? writer.Result : true);
        Assert.Equal(0, ring.Write(new byte[1]));
    }

    [Fact]
    public void Synchronous_waits_time_out_and_honour_cancellation()
    {
        var ring = new ByteRing(64);
        Assert.False(ring.WaitForData(1, 20));
        using var cts = new CancellationTokenSource(50);
        Assert.ThrowsAny<OperationCanceledException>(() => ring.WaitForData(1, Timeout.Infinite, cts.Token));
    }

    [Fact]
    public async Task An_async_wait_is_cancelled_cleanly_and_the_ring_still_works()
    {
        var ring = new ByteRing(64);
        using var cts = new CancellationTokenSource();
        var wait = ring.WaitForDataAsync(1, cts.Token);
        Assert.False(wait.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
        var again = ring.WaitForDataAsync(4);
        ring.Write(new byte[2]);
        Assert.False(again.IsCompleted); // below the threshold
        ring.Write(new byte[2]);
        Assert.True(await again.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_reader_sees_a_lower_bound_and_the_writer_an_upper_bound_of_the_byte_count()
    {
        // Indices only grow, so a count read before a fresh read of the other side's index must be no larger
        // (reader) or no smaller (writer) than the count computed from that fresher index.
        var ring = new ByteRing(4096);
        const long total = 32L << 20;
        int readerViolations = 0, writerViolations = 0;
        var writer = Task.Factory.StartNew(() =>
        {
            var chunk = new byte[1000];
            long sent = 0;
            while (sent < total)
            {
                long upper = ring.WriterCount;
                if (upper < ring.TotalWritten - ring.TotalRead) writerViolations++;
                int n = ring.Write(chunk.AsSpan(0, (int)Math.Min(chunk.Length, total - sent)));
                if (n == 0) ring.WaitForSpace(512);
                sent += n;
            }
            ring.CompleteWriting();
        }, TaskCreationOptions.LongRunning);
        var reader = Task.Factory.StartNew(() =>
        {
            var sink = new byte[700];
            while (true)
            {
                long lower = ring.ReadableCount;
                if (lower > ring.TotalWritten - ring.TotalRead) readerViolations++;
                if (ring.Read(sink) == 0 && !ring.WaitForData(1) && ring.IsCompleted) break;
            }
        }, TaskCreationOptions.LongRunning);
        Assert.True(Task.WaitAll([writer, reader], TimeSpan.FromMinutes(1)));
        Assert.Equal(0, readerViolations);
        Assert.Equal(0, writerViolations);
        Assert.Equal(total, ring.TotalRead);
    }

    [Fact]
    public void Two_threads_move_256_MiB_in_random_chunks_and_the_checksums_match()
        => Stress(256L << 20, capacity: 64 * 1024, useAsync: false, seed: 1);

    [Fact]
    public void Two_threads_move_64_MiB_with_async_waits_and_the_checksums_match()
        => Stress(64L << 20, capacity: 16 * 1024, useAsync: true, seed: 2);

    private static void Stress(long total, int capacity, bool useAsync, int seed)
    {
        var ring = new ByteRing(capacity);
        byte[] producedHash = [], consumedHash = [];
        var producer = Task.Factory.StartNew(async () =>
        {
            var rng = new Random(seed);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[capacity];
            long sent = 0;
            while (sent < total)
            {
                int n = (int)Math.Min(rng.Next(1, capacity + 1), total - sent);
                rng.NextBytes(chunk.AsSpan(0, n));
                sha.AppendData(chunk, 0, n);
                int off = 0;
                while (off < n)
                {
                    int w = ring.Write(chunk.AsSpan(off, n - off));
                    off += w;
                    if (w == 0)
                    {
                        if (useAsync) await ring.WaitForSpaceAsync(Math.Min(n - off, rng.Next(1, 4096)));
                        else ring.WaitForSpace(Math.Min(n - off, rng.Next(1, 4096)));
                    }
                }
                sent += n;
            }
            ring.CompleteWriting();
            producedHash = sha.GetHashAndReset();
        }, TaskCreationOptions.LongRunning).Unwrap();
        var consumer = Task.Factory.StartNew(async () =>
        {
            var rng = new Random(seed + 100);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[capacity];
            long received = 0;
            while (true)
            {
                int want = rng.Next(1, capacity + 1);
                int n = ring.Read(chunk.AsSpan(0, want));
                if (n > 0)
                {
                    sha.AppendData(chunk, 0, n);
                    received += n;
                    continue;
                }
                bool more = useAsync ? await ring.WaitForDataAsync(rng.Next(1, 2048)) : ring.WaitForData(rng.Next(1, 2048));
                if (!more && ring.IsCompleted) break;
            }
            Assert.Equal(total, received);
            consumedHash = sha.GetHashAndReset();
        }, TaskCreationOptions.LongRunning).Unwrap();
        Assert.True(Task.WaitAll([producer, consumer], TimeSpan.FromMinutes(3)), "ring stress did not finish (lost wake-up?)");
        Assert.Equal(producedHash, consumedHash);
        Assert.Equal(total, ring.TotalRead);
    }
}
