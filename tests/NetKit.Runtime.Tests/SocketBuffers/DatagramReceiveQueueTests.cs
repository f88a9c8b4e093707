using System;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Runtime.Tests.SocketBuffers;

public sealed class DatagramReceiveQueueTests
{
    private static SockAddr From(int writer) => SockAddr.IPv4(0x0A000000u + (uint)writer, (ushort)(1000 + writer));

    [Fact]
    public void ReadsRoundRobinAcrossWritersAndKeepsEachWritersOrder()
    {
        using var queue = new DatagramReceiveQueue(writers: 2, capacityPerWriter: 4096);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryWrite(0, From(0), new byte[] { 0, (byte)i }));
            Assert.True(queue.TryWrite(1, From(1), new byte[] { 1, (byte)i }));
        }
        Span<byte> buffer = stackalloc byte[8];
        var order = new (int Writer, int Sequence)[6];
        for (int i = 0; i < 6; i++)
        {
            Assert.True(queue.TryRead(buffer, out var source, out int copied, out int length));
            Assert.Equal(2, copied);
            Assert.Equal(2, length);
            Assert.Equal(From(buffer[0]), source);
            order[i] = (buffer[0], buffer[1]);
        }
        Assert.Equal(new[] { (0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2) }, order);
        Assert.False(queue.TryRead(buffer, out _, out _, out _));
    }

    [Fact]
    public void APairedReaderSeesOnlyItsWritersLane()
    {
        using var queue = new DatagramReceiveQueue(writers: 2, capacityPerWriter: 4096);
        Span<byte> buffer = stackalloc byte[8];
        Assert.False(queue.TryReadFrom(1, buffer, out _, out _, out _)); // lane not created yet
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryWrite(0, From(0), new byte[] { 0, (byte)i }));
            Assert.True(queue.TryWrite(1, From(1), new byte[] { 1, (byte)i }));
        }
        for (int i = 0; i < 3; i++)
        {
            Assert.True(queue.TryReadFrom(1, buffer, out var source, out int copied, out _));
            Assert.Equal(From(1), source);
            Assert.Equal(new byte[] { 1, (byte)i }, buffer[..copied].ToArray());
        }
        Assert.False(queue.TryReadFrom(1, buffer, out _, out _, out _));
        Assert.True(queue.HasData); // writer 0's datagrams are still there for their reader
        Assert.True(queue.TryRead(buffer, out var other, out _, out _));
        Assert.Equal(From(0), other);
    }

    [Fact]
    public void AFullRingDropsAndCountsWithoutBlocking()
    {
        using var queue = new DatagramReceiveQueue(writers: 1, capacityPerWriter: 256);
        int written = 0;
        while (queue.TryWrite(0, From(0), new byte[64])) written++;
        Assert.True(written > 0);
        Assert.Equal(1, queue.Drops);
        Assert.False(queue.TryWrite(0, From(0), new byte[queue.MaxPayload + 1]));
        Assert.Equal(2, queue.Drops);
    }

    [Fact]
    public void TruncatesLongDatagramsButReportsTheirLength()
    {
        using var queue = new DatagramReceiveQueue(1, 4096);
        queue.TryWrite(0, From(0), new byte[100]);
        Span<byte> small = stackalloc byte[10];
        Assert.True(queue.TryRead(small, out _, out int copied, out int length));
        Assert.Equal(10, copied);
        Assert.Equal(100, length);
        Assert.False(queue.HasData);
    }

    [Fact]
    public async Task AnAsyncReaderIsWokenByAnyWriterAndByCompletion()
    {
        using var queue = new DatagramReceiveQueue(2, 4096);
        var wait = queue.WaitForDataAsync();
        Assert.False(wait.IsCompleted);
        queue.TryWrite(1, From(1), new byte[] { 7 });
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(queue.TryRead(new byte[4], out _, out _, out _));

        var end = queue.WaitForDataAsync();
        queue.CompleteWriting();
        await end.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(queue.IsCompleted);
    }

    [Fact]
    public void ConcurrentWritersLoseNothingButCountedDrops()
    {
        const int perWriter = 20000;
        using var queue = new DatagramReceiveQueue(writers: 2, capacityPerWriter: 8192);
        long[] accepted = new long[2];
        var writers = new Thread[2];
        for (int w = 0; w < 2; w++)
        {
            int writer = w;
            writers[w] = new Thread(() =>
            {
                var payload = new byte[8];
                for (int i = 0; i < perWriter; i++)
                {
                    BitConverter.TryWriteBytes(payload, i);
                    payload[4] = (byte)writer;
                    if (queue.TryWrite(writer, From(writer), payload)) accepted[writer]++;
                    else Thread.Yield();
                }
            }) { IsBackground = true };
            writers[w].Start();
        }
        int[] lastSequence = { -1, -1 };
        long received = 0;
        var buffer = new byte[16];
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((writers[0].IsAlive || writers[1].IsAlive || queue.HasData) && DateTime.UtcNow < deadline)
        {
            if (!queue.TryRead(buffer, out var source, out _, out _))
            {
                queue.WaitForData(10);
                continue;
            }
            int writer = buffer[4];
            int sequence = BitConverter.ToInt32(buffer);
            Assert.Equal(From(writer), source);
            Assert.True(sequence > lastSequence[writer], "a writer's datagrams arrive in order");
            lastSequence[writer] = sequence;
            received++;
        }
        foreach (var t in writers) t.Join();
        while (queue.TryRead(buffer, out _, out _, out _)) received++;
        Assert.Equal(accepted[0] + accepted[1], received);
        Assert.Equal(2L * perWriter, received + queue.Drops);
    }
}
