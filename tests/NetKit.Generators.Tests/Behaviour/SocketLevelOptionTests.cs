using System;
using System.Runtime.InteropServices;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>The runtime's standard SOL_SOCKET table, compiled by the generator into a stack's option dispatch.</summary>
public sealed class SocketLevelOptionTests : IDisposable
{
    private readonly ProtocolThreadGroup _threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, PinThreads = false }).Start();
    private readonly StandardOptionsStack _stack;
    private readonly NetSocket _socket;

    public SocketLevelOptionTests()
    {
        _stack = new StandardOptionsStack(_threads);
        Assert.Equal(Errno.None, _stack.CreateSocket(SocketType.Datagram, 0, out var socket));
        _socket = socket!;
    }

    public void Dispose() => _threads.Dispose();

    private Errno Set<T>(int name, T value) where T : unmanaged =>
        _stack.SetSocketOption(_socket, SockOptLevel.Socket, name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    private T Get<T>(int name) where T : unmanaged
    {
        Span<byte> buffer = stackalloc byte[32];
        Assert.Equal(Errno.None, _stack.GetSocketOption(_socket, SockOptLevel.Socket, name, buffer, out int length));
        Assert.Equal(Marshal.SizeOf<T>(), length);
        return MemoryMarshal.Read<T>(buffer);
    }

    [Theory]
    [InlineData(SockOptName.ReuseAddress, SocketOptionFlags.ReuseAddress)]
    [InlineData(SockOptName.ReusePort, SocketOptionFlags.ReusePort)]
    [InlineData(SockOptName.Broadcast, SocketOptionFlags.Broadcast)]
    [InlineData(SockOptName.KeepAlive, SocketOptionFlags.KeepAlive)]
    [InlineData(SockOptName.DontRoute, SocketOptionFlags.DontRoute)]
    [InlineData(SockOptName.OutOfBandInline, SocketOptionFlags.OutOfBandInline)]
    public void BooleanOptionsSetAndClearTheirFlag(int name, SocketOptionFlags flag)
    {
        Assert.Equal(0, Get<int>(name));
        Assert.Equal(Errno.None, Set(name, 1));
        Assert.True((_socket.Options & flag) != 0);
        Assert.Equal(1, Get<int>(name));
        Assert.Equal(Errno.None, Set(name, 0));
        Assert.Equal(SocketOptionFlags.None, _socket.Options & flag);
    }

    [Fact]
    public void BufferSizesFollowSosetoptRules()
    {
        Assert.Equal(NetSocket.DefaultBufferSize, Get<int>(SockOptName.ReceiveBuffer));
        Assert.Equal(Errno.None, Set(SockOptName.ReceiveBuffer, 65536));
        Assert.Equal(65536, _socket.ReceiveBufferSize);
        Assert.Equal(Errno.None, Set(SockOptName.SendBuffer, 4096));
        Assert.Equal(4096, Get<int>(SockOptName.SendBuffer));
        Assert.Equal(Errno.EINVAL, Set(SockOptName.SendBuffer, 0));
        Assert.Equal(Errno.EINVAL, Set(SockOptName.ReceiveBuffer, -5));
        Assert.Equal(Errno.ENOBUFS, Set(SockOptName.ReceiveBuffer, NetSocket.MaxBufferSize + 1));
        Assert.Equal(65536, _socket.ReceiveBufferSize);
    }

    [Fact]
    public void ErrorIsReadOnceAndTypeIsTheSocketsType()
    {
        Assert.Equal(0, Get<int>(SockOptName.Error));
        _socket.SetError(Errno.ECONNREFUSED);
        Assert.Equal((int)Errno.ECONNREFUSED, Get<int>(SockOptName.Error));
        Assert.Equal(0, Get<int>(SockOptName.Error));
        Assert.Equal((int)SocketType.Datagram, Get<int>(SockOptName.Type));
        Assert.Equal(Errno.ENOPROTOOPT, Set(SockOptName.Error, 1)); // get-only
    }

    [Fact]
    public void LingerAndTimeoutsRoundTripAndBadTimevalsAreEdom()
    {
        Assert.Equal(Errno.None, Set(SockOptName.Linger, new Linger { OnOff = 1, Seconds = 7 }));
        var linger = Get<Linger>(SockOptName.Linger);
        Assert.Equal(1, linger.OnOff);
        Assert.Equal(7, linger.Seconds);
        Assert.Equal(Errno.EINVAL, Set(SockOptName.Linger, new Linger { OnOff = 1, Seconds = -1 }));

        Assert.Equal(Errno.None, Set(SockOptName.ReceiveTimeout, new TimeVal { Seconds = 2, Microseconds = 500_000 }));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), _socket.ReceiveTimeout);
        var timeout = Get<TimeVal>(SockOptName.ReceiveTimeout);
        Assert.Equal(2, timeout.Seconds);
        Assert.Equal(500_000, timeout.Microseconds);
        Assert.Equal(Errno.EDOM, Set(SockOptName.SendTimeout, new TimeVal { Seconds = 1, Microseconds = 1_000_000 }));
        Assert.Equal(Errno.EDOM, Set(SockOptName.SendTimeout, new TimeVal { Seconds = -1 }));
        Assert.Equal(TimeSpan.Zero, _socket.SendTimeout);
    }

    [Fact]
    public void SocketLevelChangesAreAnnouncedToTheProtocol()
    {
        var pcb = TestTransport.Pcb(_socket);
        int before = pcb.Notifications;
        Assert.Equal(Errno.None, Set(SockOptName.ReusePort, 1));
        Assert.Equal(before + 1, pcb.Notifications);
        Assert.Equal(SockOptName.ReusePort, pcb.LastNotifiedName);
    }
}
