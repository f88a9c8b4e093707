using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Protocols.Udp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// Several application threads on one socket, and requests racing a table chain or a close: nothing hangs, nothing
/// leaks, no pcb is left behind in a table.
/// </summary>
public sealed class UdpConcurrencyTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoThreadsSendingOnOneUnconnectedSocketNeitherHangNorFail()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, 4 << 20);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Bind(SockAddr.IPv4(0, 0));
        const int perThread = 1500;
        var senders = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            var errors = 0;
            for (int i = 0; i < perThread; i++)
            {
                // Destinations on both of B's ports hash to both of A's threads: some sends are forwarded, some not.
                var to = SockAddr.IPv4(TwoHosts.AddressB.Value, (ushort)(i % 2 == 0 ? 7 : 8));
                if (client.TrySendTo(new byte[] { (byte)t }, to, out _) != Errno.None) errors++;
            }
            return errors;
        })).ToArray();
        var results = await Task.WhenAll(senders).WaitAsync(Limit);
        Assert.Equal(new[] { 0, 0 }, results);
        Assert.Equal(0, _hosts.A.State<UdpState>().Counters[UdpCounter.SendErrors]);
    }

    [Fact]
    public async Task ABindRacingAnImplicitBindGetsTheRightAnswer()
    {
        for (int round = 0; round < 40; round++)
        {
            using var socket = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
            ushort port = (ushort)(20000 + round * 2);
            var send = Task.Run(() => socket.TrySendTo(new byte[1], SockAddr.IPv4(TwoHosts.AddressB.Value, 9), out _));
            var bind = Task.Run(() => socket.TryBind(SockAddr.IPv4(0, port)));
            await Task.WhenAll(send, bind).WaitAsync(Limit);
            var bound = await bind;
            var local = socket.LocalEndPoint;
            // Either the bind won (the port is ours) or the send's implicit bind did (EINVAL: already bound).
            if (bound == Errno.None) Assert.Equal(port, local.Port);
            else Assert.Equal(Errno.EINVAL, bound);
            Assert.NotEqual(0, local.Port);
        }
    }

    [Fact]
    public async Task ClosingWhileBindingLeavesNoPcbInAnyTable()
    {
        for (int round = 0; round < 60; round++)
        {
            var socket = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
            var bind = Task.Run(() => socket.TryBind(SockAddr.IPv4(0, (ushort)(30000 + round))));
            var close = Task.Run(socket.Dispose);
            await Task.WhenAll(bind, close).WaitAsync(Limit);
        }
        Assert.Equal(Errno.None, _hosts.ThreadsB.Sync());
        var udp = _hosts.B.State<UdpState>();
        Assert.All(udp.Tables, table => Assert.Equal(0, table.WildcardCount));
        Assert.All(udp.Shards, shard => Assert.Equal(0, shard.InUse));
    }

    [Fact]
    public void AFailedConnectKeepsAServerReceiving()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(0, 7000));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        Assert.Equal(Errno.ENETUNREACH, server.TryConnect(SockAddr.IPv4(0xC0A80101, 53))); // 192.168.1.1: no route
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.SendTo(new byte[] { 5 }, SockAddr.IPv4(TwoHosts.AddressB.Value, 7000));
        Assert.Equal(1, server.Receive(new byte[4]));
    }

    [Fact]
    public void DirectedBroadcastNeedsSoBroadcastAndDrawsNoIcmp()
    {
        using var socket = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        var subnetBroadcast = SockAddr.IPv4(0x0A0000FF, 4444);
        Assert.Equal(Errno.EACCES, socket.TrySendTo(new byte[1], subnetBroadcast, out _));
        socket.SetOption(SockOptLevel.Socket, SockOptName.Broadcast, true);
        Assert.Equal(Errno.None, socket.TrySendTo(new byte[1], subnetBroadcast, out _));
        var udpB = _hosts.B.State<UdpState>().Counters;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (udpB[UdpCounter.NoPortBroadcast] == 0 && DateTime.UtcNow < deadline) Thread.Sleep(2);
        Assert.Equal(1, udpB[UdpCounter.NoPortBroadcast]);
        Assert.Equal(0, udpB[UdpCounter.NoPort]); // no port unreachable for a broadcast
    }
}
