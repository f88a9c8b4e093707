using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NetKit.Protocols.Tcp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using SocketShutdown = System.Net.Sockets.SocketShutdown;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>TCP connection life cycles on 2 protocol threads per host: refusal, passive opens on both threads, many cycles without leaks, half-close, resets.</summary>
public sealed class TcpConnectionTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private NetKitSocket Listen(ushort port, int backlog = 128)
    {
        var listener = NetKitSocket.Create(_hosts.B, SocketType.Stream);
        listener.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, port));
        listener.Listen(backlog);
        return listener;
    }

    [Fact]
    public void ConnectingToAPortWithoutAListenerIsRefused()
    {
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        Assert.Equal(Errno.ECONNREFUSED, client.TryConnect(SockAddr.IPv4(TwoHosts.AddressB.Value, 81)));
        Assert.True(_hosts.B.State<TcpStateOf>().Counters[TcpCounter.ResetsSent] >= 1);
        Assert.Equal(Errno.EINVAL, client.TryConnect(SockAddr.IPv4(TwoHosts.AddressB.Value, 81))); // one connection per socket
    }

    [Fact]
    public async Task AListenerAcceptsConnectionsBornOnBothThreads()
    {
        using var listener = Listen(80);
        var clients = new List<NetKitSocket>();
        var accepted = new List<NetKitSocket>();
        try
        {
            // Client ports chosen so that 12 flows hash to each of B's threads (the hash is symmetric, the thread
            // count equal): the passive opens must happen on both, each on its flow's thread.
            var ports = new List<ushort>();
            for (ushort port = 41000; ports.Count < 24; port++)
            {
                uint hash = NetKit.Runtime.Hashing.FlowHash.IPv4FourTuple(TwoHosts.AddressA.Value, TwoHosts.AddressB.Value, port, 80);
                int thread = NetKit.Runtime.Hashing.FlowHash.CpuOf(hash, 2);
                if (ports.Count(p => NetKit.Runtime.Hashing.FlowHash.CpuOf(NetKit.Runtime.Hashing.FlowHash.IPv4FourTuple(TwoHosts.AddressA.Value, TwoHosts.AddressB.Value, p, 80), 2) == thread) < 12)
                    ports.Add(port);
            }
            for (int i = 0; i < 24; i++)
            {
                var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
                clients.Add(client);
                client.Bind(SockAddr.IPv4(TwoHosts.AddressA.Value, ports[i]));
                await client.ConnectAsync(SockAddr.IPv4(TwoHosts.AddressB.Value, 80)).AsTask().WaitAsync(Limit);
                accepted.Add(await listener.AcceptAsync().AsTask().WaitAsync(Limit));
            }
            var passive = _hosts.B.State<TcpStateOf>();
            Assert.Equal(24, passive.Counters[TcpCounter.PassiveOpens]);
            Assert.All(passive.Tables, t => Assert.Equal(12, t.ConnectionCount)); // each on its flow's thread
            // Each accepted socket lives on the thread its 4-tuple hashes to, and talks.
            for (int i = 0; i < 24; i++)
            {
                clients[i].Send(new byte[] { (byte)i });
                var buffer = new byte[4];
                Assert.Equal(1, accepted[i].Receive(buffer));
                Assert.Equal(i, buffer[0]);
                Assert.Equal(clients[i].LocalEndPoint, accepted[i].RemoteEndPoint);
            }
        }
        finally
        {
            foreach (var s in clients.Concat(accepted)) s.Dispose();
        }
    }

    private const int Cycles = 10_000;

    [Fact]
    public async Task TenThousandCyclesLeaveNoConnectionBehind()
    {
        var state = _hosts.B.State<TcpStateOf>();
        state.TimeWaitMicros = 1_000; // recycle fast: TIME_WAIT is tested on its own
        _hosts.A.State<TcpStateOf>().TimeWaitMicros = 1_000;
        using var listener = Listen(7000, backlog: 512);
        var server = Task.Run(() =>
        {
            for (int i = 0; i < Cycles; i++)
            {
                using var connection = listener.Accept();
                var buffer = new byte[16];
                int n = connection.Receive(buffer);
                connection.Send(buffer.AsSpan(0, n));
            }
        });
        for (int i = 0; i < Cycles; i++)
        {
            using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
            client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 7000));
            client.Send(BitConverter.GetBytes(i));
            var reply = new byte[16];
            Assert.Equal(4, client.Receive(reply));
            Assert.Equal(i, BitConverter.ToInt32(reply));
        }
        await server.WaitAsync(Limit);
        // Every connection ends: TIME_WAIT expires, nothing stays in any table.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && (Count(_hosts.A) + Count(_hosts.B)) > 0) await Task.Delay(20);
        Assert.Equal(0, Count(_hosts.A));
        Assert.Equal(0, Count(_hosts.B));
        Assert.Equal(Cycles, state.Counters[TcpCounter.PassiveOpens]);
        Assert.Equal(0L, state.Counters[TcpCounter.ConnectionsDropped]);
    }

    private static int Count(Stacks.InetStack stack) => stack.State<TcpStateOf>().Tables.Sum(t => t.ConnectionCount);

    [Fact]
    public async Task AConnectThatMigratesKeepsTheDataTheApplicationIsAlreadySending()
    {
        using var listener = Listen(95);
        // Bind to a port whose thread (port % 2) is not the thread the 4-tuple hashes to: connect must migrate.
        var stack = _hosts.A;
        ushort port = 30000;
        while (true)
        {
            uint hash = NetKit.Runtime.Hashing.FlowHash.IPv4FourTuple(TwoHosts.AddressA.Value, TwoHosts.AddressB.Value, port, 95);
            if (NetKit.Runtime.Hashing.FlowHash.CpuOf(hash, 2) != port % 2) break;
            port++;
        }
        using var client = NetKitSocket.Create(stack, SocketType.Stream);
        client.Bind(SockAddr.IPv4(TwoHosts.AddressA.Value, port));
        client.Blocking = false;
        Assert.Equal(Errno.EINPROGRESS, client.TryConnect(SockAddr.IPv4(TwoHosts.AddressB.Value, 95)));
        client.Blocking = true;
        var data = new byte[200_000];
        new Random(9).NextBytes(data);
        var send = Task.Run(() =>
        {
            int sent = 0;
            while (sent < data.Length) sent += client.Send(data.AsSpan(sent));
            client.Shutdown(SocketShutdown.Send);
        });
        using var server = await listener.AcceptAsync().AsTask().WaitAsync(Limit);
        Assert.Equal(SockAddr.IPv4(TwoHosts.AddressA.Value, port), server.RemoteEndPoint);
        // The connection lives on its 4-tuple's thread, not on the bound port's thread where the socket started.
        Assert.Equal(1, _hosts.A.State<TcpStateOf>().Tables[1 - port % 2].ConnectionCount);
        Assert.Equal(0, _hosts.A.State<TcpStateOf>().Tables[port % 2].ConnectionCount);
        var received = new byte[data.Length];
        int total = 0;
        while (true)
        {
            int n = server.Receive(received.AsSpan(total));
            if (n == 0) break;
            total += n;
        }
        await send.WaitAsync(Limit);
        Assert.Equal(data.Length, total);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task HalfCloseLetsTheOtherSideKeepSending()
    {
        using var listener = Listen(90);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 90));
        using var server = await listener.AcceptAsync().AsTask().WaitAsync(Limit);
        client.Send(new byte[] { 1, 2, 3 });
        client.Shutdown(SocketShutdown.Send);
        var buffer = new byte[16];
        Assert.Equal(3, server.Receive(buffer));
        Assert.Equal(0, server.Receive(buffer)); // the client's FIN
        Assert.Equal(Errno.EPIPE, client.TrySend(new byte[1], out _));
        server.Send(new byte[] { 9, 8 }); // still open this way
        Assert.Equal(2, client.Receive(buffer));
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, client.Receive(buffer));
    }

    [Fact]
    public async Task AnAbortResetsThePeer()
    {
        using var listener = Listen(91);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 91));
        var server = await listener.AcceptAsync().AsTask().WaitAsync(Limit);
        server.SetOption(SockOptLevel.Socket, SockOptName.Linger, new Linger { OnOff = 1, Seconds = 0 });
        server.Dispose(); // SO_LINGER 0: reset
        var buffer = new byte[4];
        Assert.Equal(Errno.ECONNRESET, client.TryReceive(buffer, out _));
        Assert.True(_hosts.A.State<TcpStateOf>().Counters[TcpCounter.ResetsReceived] >= 1);
    }

    [Fact]
    public async Task ClosingWithUnreadDataResetsInsteadOfFinishing()
    {
        using var listener = Listen(92);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Stream);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 92));
        var server = await listener.AcceptAsync().AsTask().WaitAsync(Limit);
        client.Send(new byte[100]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Handle.ReceiveBuffer!.ReadableCount < 100 && DateTime.UtcNow < deadline) await Task.Delay(5);
        server.Dispose();
        Assert.Equal(Errno.ECONNRESET, client.TryReceive(new byte[4], out _));
    }
}
