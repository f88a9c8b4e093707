using System;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>Generated user-request dispatch, run on two real protocol threads: every request lands on the owner thread.</summary>
public sealed class GeneratedRequestTests : IClassFixture<StackFixture>
{
    private readonly StackFixture _fixture;

    public GeneratedRequestTests(StackFixture fixture) => _fixture = fixture;

    private TestStack Stack => _fixture.Stack;

    private static int OwnerIndex(NetSocket socket) => socket.Home.Port.Owner!.Index;

    [Fact]
    public void CreateSocketAttachesOnTheOwnerThread()
    {
        var socket = _fixture.NewSocket();
        var pcb = TestTransport.Pcb(socket);
        Assert.Equal(UserRequestKind.Attach, pcb.LastRequest);
        Assert.Equal(OwnerIndex(socket), pcb.LastThread);
        Assert.Equal(TestStack.ProtocolIndex.TestTransport, socket.ProtocolIndex);
    }

    [Fact]
    public void EveryRequestKindRunsItsHandlerOnTheOwnerThread()
    {
        var socket = _fixture.NewSocket();
        var pcb = TestTransport.Pcb(socket);
        int owner = OwnerIndex(socket);
        var local = SockAddr.IPv4(0x0A000001, 5000);

        void Check(Errno error, UserRequestKind kind)
        {
            Assert.Equal(Errno.None, error);
            Assert.Equal(kind, pcb.LastRequest);
            Assert.Equal(owner, pcb.LastThread);
        }

        Check(Stack.Bind(socket, local), UserRequestKind.Bind);
        Check(Stack.GetSocketAddress(socket, out var bound), UserRequestKind.SocketAddress);
        Assert.Equal(local, bound);
        Check(Stack.Received(socket, 0), UserRequestKind.Received);
        Check(Stack.ReceiveOutOfBand(socket, out byte oob, 6), UserRequestKind.ReceiveOutOfBand);
        Assert.Equal(7, oob);
        Check(Stack.Shutdown(socket), UserRequestKind.Shutdown);
        Check(Stack.Abort(socket), UserRequestKind.Abort);
        Check(Stack.Accept(socket, out _), UserRequestKind.Accept);
        Check(Stack.Disconnect(socket), UserRequestKind.Disconnect);

        Span<byte> ioctl = stackalloc byte[4];
        Check(Stack.Control(socket, 1, ioctl), UserRequestKind.Control);
        Assert.Equal(owner, ioctl[0]);
        Assert.Equal(Errno.ENOTTY, Stack.Control(socket, 2, ioctl));

        Check(Stack.Detach(socket), UserRequestKind.Detach);
        Assert.True(pcb.Detached);
    }

    [Fact]
    public void HandlerErrorsReachTheCaller()
    {
        var socket = _fixture.NewSocket();
        Assert.Equal(Errno.EOPNOTSUPP, Stack.Listen(socket, 5));     // the handler's answer
        Assert.Equal(Errno.ENOTCONN, Stack.GetPeerAddress(socket, out var peer));
        Assert.Equal(default, peer);
        Assert.Equal(Errno.EAFNOSUPPORT, Stack.Bind(socket, default));
    }

    [Fact]
    public void ConnectMigratesTheSocketToItsFlowsThreadAndLaterRequestsFollow()
    {
        var socket = _fixture.NewSocket();
        var local = SockAddr.IPv4(0x0A000001, 5000);
        Assert.Equal(Errno.None, Stack.Bind(socket, local));
        var before = socket.Home.Port;

        // A remote whose 4-tuple hashes to the other thread.
        SockAddr remote = default;
        for (ushort port = 1; port < 2000; port++)
        {
            remote = SockAddr.IPv4(0x0A000002, port);
            if (!ReferenceEquals(Stack.PortForFlow(socket.ProtocolIndex, local, remote), before)) break;
        }
        var expected = Stack.PortForFlow(socket.ProtocolIndex, local, remote);
        Assert.NotSame(before, expected);

        Assert.Equal(Errno.None, Stack.Connect(socket, remote));
        var pcb = TestTransport.Pcb(socket);
        Assert.Same(expected, socket.Home.Port);
        Assert.Equal(expected.Owner!.Index, pcb.LastThread);
        Assert.Equal(remote, pcb.Remote);

        Assert.Equal(Errno.None, Stack.GetPeerAddress(socket, out var peer));
        Assert.Equal(remote, peer);
        Assert.Equal(expected.Owner.Index, pcb.LastThread);
        Assert.Same(expected, NetStack.PortFor(socket));
    }

    [Fact]
    public void SendHandsTheDataToTheProtocol()
    {
        var socket = _fixture.NewSocket();
        using var pool = new PacketBufferPool();
        var data = pool.TryRent()!;
        data.Append(10).Fill(1);
        Assert.Equal(Errno.None, Stack.Send(socket, data, SockAddr.IPv4(0x0A000002, 53), 0));
        Assert.Equal(1, TestTransport.Pcb(socket).Packets);
        Assert.False(data.IsOwned); // the handler freed it
    }

    [Fact]
    public void MisuseGetsAClearErrorNotACrash()
    {
        Assert.Equal(Errno.EBADF, Stack.Bind(null!, default));
        using var otherThreads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false }).Start();
        var other = new TestStack(otherThreads);
        Assert.Equal(Errno.None, other.CreateSocket(SocketType.Datagram, 17, out var foreign));
        Assert.Equal(Errno.ENOTSOCK, Stack.Bind(foreign!, default));

        using var pool = new PacketBufferPool();
        var data = pool.TryRent()!;
        Assert.Equal(Errno.ENOTSOCK, Stack.Send(foreign!, data, default, 0));
        Assert.False(data.IsOwned); // refused data is freed, not leaked

        Assert.Equal(Errno.ESOCKTNOSUPPORT, Stack.CreateSocket(SocketType.Stream, 0, out var none));
        Assert.Null(none);
        Assert.Equal(Errno.EPROTONOSUPPORT, Stack.CreateSocket(SocketType.Datagram, 6, out none));
        Assert.Null(none);
    }

    [Fact]
    public void AStackWithoutTheTransportHasNoSockets()
    {
        var routerOnly = new NetworkOnlyStack(_fixture.Threads);
        Assert.Equal(Errno.ESOCKTNOSUPPORT, routerOnly.CreateSocket(SocketType.Datagram, 0, out var socket));
        Assert.Null(socket);
        var handmade = new NetSocket(routerOnly, 1, _fixture.Threads[0].Port);
        Assert.Equal(Errno.EOPNOTSUPP, routerOnly.Bind(handmade, default));
        Assert.Equal(Errno.ENOPROTOOPT, routerOnly.SetSocketOption(handmade, 0, 2, stackalloc byte[4]));
    }
}
