using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Runtime.Tests.SocketBuffers;

public sealed class ByteRingPoolTests
{
    [Fact]
    public void AReturnedRingComesBackEmptyAndReusable()
    {
        var pool = new ByteRingPool();
        var ring = pool.Rent(1000);
        Assert.Equal(1024, ring.Capacity);
        Assert.Equal(10, ring.Write(new byte[10]));
        ring.CompleteWriting();
        ring.CompleteReading();
        pool.Return(ring);
        Assert.Equal(1024, pool.PooledBytes);

        var again = pool.Rent(600);
        Assert.Same(ring, again);
        Assert.Equal(0, again.ReadableCount);
        Assert.False(again.IsWriterCompleted);
        Assert.False(again.IsReaderCompleted);
        Assert.Equal(4, again.Write(new byte[] { 1, 2, 3, 4 }));
        var read = new byte[4];
        Assert.Equal(4, again.Read(read));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, read);
        Assert.Equal(0, pool.PooledBytes);
        Assert.NotSame(ring, pool.Rent(4096)); // another size class
    }

    [Fact]
    public void ThePoolKeepsNoMoreThanItsBound()
    {
        var pool = new ByteRingPool(maxPooledBytes: 2048);
        pool.Return(new ByteRing(1024));
        pool.Return(new ByteRing(1024));
        pool.Return(new ByteRing(1024)); // over the bound: left to the GC
        Assert.Equal(2048, pool.PooledBytes);
    }

    [Fact]
    public void StreamBuffersGoBackOnlyWhenBothHoldersAreDone()
    {
        var socket = new NetSocket(null!, 1, new NetKit.Runtime.Messaging.MessagePort(owner: null), SocketType.Stream);
        socket.AttachStreamBuffers(4096, 4096);
        var send = socket.SendBuffer;
        Assert.NotNull(send);
        socket.ReleaseStreamBuffers(); // the protocol is done…
        Assert.Same(send, socket.SendBuffer); // …the application still reads and writes
        socket.ReleaseStreamBuffers();
        Assert.Null(socket.SendBuffer);
        Assert.Null(socket.ReceiveBuffer);
        socket.ReleaseStreamBuffers(); // a third release is harmless
    }
}
