using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using NetKit.Runtime.SocketBuffers;
using Xunit;

namespace NetKit.Runtime.Tests.SocketBuffers;

public sealed class RecordRingTests
{
    /// <summary>A stand-in for an IPv4 socket address (the socket layer brings its own in later issues).</summary>
    private readonly record struct Endpoint(uint Address, ushort Port);

    [Fact]
    public void Records_keep_their_address_and_boundaries()
    {
        var ring = new RecordRing<Endpoint>(1024);
        Assert.True(ring.TryWrite(new Endpoint(0x0a000001, 53), "query-1"u8));
        Assert.True(ring.TryWrite(new Endpoint(0x0a000002, 5353), ""u8));
        Assert.True(ring.TryWrite(new Endpoint(0x0a000003, 7), "x"u8));

        Assert.True(ring.TryPeek(out var from, out var payload));
        Assert.Equal(new Endpoint(0x0a000001, 53), from);
        Assert.Equal("query-1"u8.ToArray(), payload.ToArray());
        ring.ReleaseRecord();

        var buffer = new byte[16];
        Assert.True(ring.TryRead(buffer, out from, out int copied, out int length));
        Assert.Equal((new Endpoint(0x0a000002, 5353), 0, 0), (from, copied, length));
        Assert.True(ring.TryRead(buffer, out from, out copied, out length));
        Assert.Equal((new Endpoint(0x0a000003, 7), 1, 1), (from, copied, length));
        Assert.False(ring.TryPeek(out _, out _));
    }

    [Fact]
    public void A_short_buffer_truncates_the_datagram_and_discards_the_rest()
    {
        var ring = new RecordRing<Endpoint>(1024);
        ring.TryWrite(new Endpoint(1, 1), "0123456789"u8);
        ring.TryWrite(new Endpoint(2, 2), "next"u8);
        var small = new byte[4];
        Assert.True(ring.TryRead(small, out _, out int copied, out int length));
        Assert.Equal((4, 10), (copied, length));
        Assert.Equal("0123"u8.ToArray(), small);
        Assert.True(ring.TryRead(small, out var from, out copied, out _));
        Assert.Equal(new Endpoint(2, 2), from);
        Assert.Equal("next"u8.ToArray(), small[..copied]);
    }

    [Fact]
    public void A_full_ring_refuses_records_without_blocking_and_oversized_ones_always()
    {
        var ring = new RecordRing<Endpoint>(256);
        int accepted = 0;
        while (ring.TryWrite(new Endpoint(1, 1), new byte[40])) accepted++;
        Assert.Equal(256 / RecordRing<Endpoint>.RecordSize(40), accepted);
        Assert.False(ring.TryWrite(new Endpoint(1, 1), new byte[ring.MaxPayload + 1]));
        Assert.True(ring.TryRead(new byte[64], out _, out _, out _));
        Assert.True(ring.TryWrite(new Endpoint(1, 1), new byte[40]));
    }

    /// <summary>Property: any sequence of writes and reads behaves like a FIFO of (address, payload) records.</summary>
    [Fact]
    public void Behaves_like_a_queue_of_datagrams_under_random_operations()
    {
        var op = Gen.Bool.Select(Gen.Int[0, 120], Gen.UInt);
        op.Array[1, 300].Sample(ops =>
        {
            var ring = new RecordRing<Endpoint>(512);
            var model = new Queue<(Endpoint, byte[])>();
            int modelBytes = 0;
            var buffer = new byte[256];
            foreach (var (write, size, seed) in ops)
            {
                if (write)
                {
                    var payload = Enumerable.Range(0, size).Select(i => (byte)(seed + i)).ToArray();
                    var ep = new Endpoint(seed, (ushort)size);
                    bool ok = ring.TryWrite(ep, payload);
                    // A record must be accepted whenever it fits even in the worst case (wrap included).
                    int need = RecordRing<Endpoint>.RecordSize(size);
                    if (!ok && modelBytes + 2 * need + RecordRing<Endpoint>.RecordSize(120) <= ring.Bytes.Capacity) return false;
                    if (ok)
                    {
                        model.Enqueue((ep, payload));
                        modelBytes += need;
                    }
                }
                else
                {
                    bool got = ring.TryRead(buffer, out var from, out int copied, out int length);
                    if (got != model.Count > 0) return false;
                    if (!got) continue;
                    var (ep, payload) = model.Dequeue();
                    modelBytes -= RecordRing<Endpoint>.RecordSize(payload.Length);
                    if (from != ep || length != payload.Length || !buffer.AsSpan(0, copied).SequenceEqual(payload)) return false;
                }
            }
            return true;
        }, iter: 500);
    }

    [Fact]
    public void Two_threads_move_a_million_records_in_order()
    {
        const int count = 1_000_000;
        var ring = new RecordRing<Endpoint>(64 * 1024);
        var producer = Task.Factory.StartNew(async () =>
        {
            var payload = new byte[64];
            for (int i = 0; i < count; i++)
            {
                int len = i % 64;
                BitConverter.TryWriteBytes(payload, i);
                while (!ring.TryWrite(new Endpoint((uint)i, (ushort)len), payload.AsSpan(0, Math.Max(len, 4))))
                    await ring.WaitForSpaceAsync(64);
            }
            ring.CompleteWriting();
        }, TaskCreationOptions.LongRunning).Unwrap();
        int received = 0, errors = 0;
        var consumer = Task.Factory.StartNew(() =>
        {
            var buffer = new byte[64];
            while (true)
            {
                if (ring.TryRead(buffer, out var from, out int copied, out _))
                {
                    if (from.Address != (uint)received || BitConverter.ToInt32(buffer) != received || copied != Math.Max(received % 64, 4))
                        errors++;
                    received++;
                }
                else if (!ring.WaitForRecord() && ring.Bytes.IsCompleted)
                {
                    break;
                }
            }
        }, TaskCreationOptions.LongRunning);
        Assert.True(Task.WaitAll([producer, consumer], TimeSpan.FromMinutes(2)));
        Assert.Equal(count, received);
        Assert.Equal(0, errors);
    }
}
