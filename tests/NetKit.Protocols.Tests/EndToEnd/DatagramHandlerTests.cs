using System;
using System.Collections.Concurrent;
using System.Threading;
using NetKit.Protocols.Udp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// Run-to-completion services (<see cref="IDatagramHandler"/>): the server's datagrams are answered on the protocol
/// thread that received them, with no application thread on the server side.
/// </summary>
public sealed class DatagramHandlerTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    /// <summary>Echoes each datagram and records which protocol thread ran it.</summary>
    private sealed class Echo : IDatagramHandler
    {
        public readonly ConcurrentDictionary<int, int> Threads = new();
        public int Mismatches;

        public void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply)
        {
            if (ProtocolThread.Current?.Index != reply.Thread) Interlocked.Increment(ref Mismatches);
            Threads.AddOrUpdate(reply.Thread, 1, (_, n) => n + 1);
            var error = reply.Send(payload);
            if (error != Errno.None) throw new InvalidOperationException(error.ToString());
        }
    }

    private sealed class Faulty : IDatagramHandler
    {
        public void OnDatagram(ReadOnlySpan<byte> payload, in DatagramReply reply)
        {
            if (payload[0] == 0xFF) throw new InvalidOperationException("bad request");
            reply.Send(payload);
        }
    }

    [Fact]
    public void AnUnconnectedServiceAnswersFlowsOnEveryThreadFromThatThread()
    {
        var echo = new Echo();
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.SetDatagramHandler(echo);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));

        var buffer = new byte[2048];
        for (int i = 0; i < 24; i++)
        {
            using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
            client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
            client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
            var request = new byte[1 + i * 50];
            Random.Shared.NextBytes(request);
            client.Send(request);
            int n = client.Receive(buffer);
            Assert.Equal(request, buffer.AsSpan(0, n).ToArray());
        }
        Assert.Equal(0, echo.Mismatches);
        Assert.Equal(2, echo.Threads.Count); // 24 client ports: flows hashed to both of B's threads
        var counters = _hosts.B.State<UdpState>().Counters;
        Assert.Equal(24, counters[UdpCounter.Served]);
        Assert.Equal(0, counters[UdpCounter.Delivered]); // nothing went through the receive queue
        Assert.False(server.Handle.Datagrams!.HasData);
    }

    [Fact]
    public void AFaultingHandlerIsCountedAndTheServiceCarriesOn()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.SetDatagramHandler(new Faulty());
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 9));
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 9));

        var buffer = new byte[16];
        client.Send(new byte[] { 1 });
        Assert.Equal(1, client.Receive(buffer)); // ARP resolved, service up
        client.Send(new byte[] { 0xFF });
        client.Send(new byte[] { 2 });
        Assert.Equal(1, client.Receive(buffer));
        Assert.Equal(2, buffer[0]);
        Assert.Equal(1, _hosts.B.State<UdpState>().Counters[UdpCounter.HandlerFaults]);
    }

    [Fact]
    public void AProtocolThreadIsRefusedABlockingReceiveInsteadOfSleeping()
    {
        using var socket = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        socket.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 13));
        var buffer = new byte[16];
        for (int thread = 0; thread < 2; thread++)
            Assert.Equal(Errno.EDEADLK, OnThread.Do(_hosts.ThreadsB, thread, () => socket.TryReceiveFrom(buffer, out _, out _, out _)));
        socket.Blocking = false;
        Assert.Equal(Errno.EAGAIN, OnThread.Do(_hosts.ThreadsB, 1, () => socket.TryReceiveFrom(buffer, out _, out _, out _)));
    }

    [Fact]
    public void RemovingTheHandlerReturnsDatagramsToTheReceiveQueue()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.SetDatagramHandler(new Echo());
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 11));
        server.SetDatagramHandler(null);
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.SendTo(new byte[] { 42 }, SockAddr.IPv4(TwoHosts.AddressB.Value, 11));
        var buffer = new byte[4];
        Assert.Equal(1, server.ReceiveFrom(buffer, out _));
        Assert.Equal(42, buffer[0]);

        server.Dispose();
        Assert.Equal(Errno.EBADF, server.TrySetDatagramHandler(null));
    }
}
