using NetKit.Protocols.Common;
using System;
using System.Collections.Generic;
using System.Net.Sockets;
using NetKit.Protocols.Udp;
using NetKit.Runtime;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Sockets;
using Xunit;
using SocketType = NetKit.Runtime.Sockets.SocketType;
using UdpProtocol = NetKit.Protocols.Udp.Udp;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// UDP as DragonFly made it per CPU, on two protocol threads per host: the unconnected server, connect migration,
/// reuseport groups, port sharding, and ICMP port unreachable back to the sender.
/// </summary>
public sealed class UdpPerCpuTests : IDisposable
{
    private const ushort ServerPort = 5353;
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static SockAddr Server => SockAddr.IPv4(TwoHosts.AddressB.Value, ServerPort);

    private NetKitSocket Socket(Runtime.Protocols.NetStack stack)
    {
        var socket = NetKitSocket.Create(stack, SocketType.Datagram);
        socket.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        return socket;
    }

    [Fact]
    public void AnUnconnectedServerReceivesFlowsHashedToBothThreadsAndRepliesFromTheirThreads()
    {
        using var server = Socket(_hosts.B);
        server.Bind(Server);
        // A bound, unconnected socket lives on its port's thread and sits in every thread's wildcard table.
        Assert.Equal(ServerPort % 2, server.Handle.Home.Port.Owner!.Index);
        var udpB = _hosts.B.State<UdpState>();
        Assert.Equal(1, udpB.Tables[0].WildcardCount);
        Assert.Equal(1, udpB.Tables[1].WildcardCount);

        var clients = new List<NetKitSocket>();
        var threadsHit = new HashSet<int>();
        var buffer = new byte[64];
        try
        {
            for (int i = 0; i < 24; i++)
            {
                var client = Socket(_hosts.A);
                clients.Add(client);
                client.SendTo(BitConverter.GetBytes(i), Server);
                int received = server.ReceiveFrom(buffer, out var from);
                Assert.Equal(4, received);
                Assert.Equal(i, BitConverter.ToInt32(buffer));
                threadsHit.Add(FlowHash.CpuOf(FlowHash.IPv4FourTuple(from.IPv4Address, TwoHosts.AddressB.Value, from.Port, ServerPort), 2));
                server.SendTo(buffer.AsSpan(0, 4), from);
                Assert.Equal(4, client.ReceiveFrom(buffer, out var replyFrom));
                Assert.Equal(Server, replyFrom);
            }
            Assert.Equal(2, threadsHit.Count);
            // Both threads delivered to the server, each into its own lane.
            Assert.True(udpB.Counters.Get(0, UdpCounter.Delivered) > 0);
            Assert.True(udpB.Counters.Get(1, UdpCounter.Delivered) > 0);
            // Replies to flows owned by the other thread were redispatched there to be sent.
            Assert.True(udpB.Counters[UdpCounter.Redispatched] > 0);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public void ConnectMovesTheSocketToItsFlowsThreadAndReconnectWorks()
    {
        using var server = Socket(_hosts.B);
        server.Bind(Server);
        using var client = Socket(_hosts.A);
        client.Connect(Server);
        var local = client.LocalEndPoint;
        int expected = FlowHash.CpuOf(FlowHash.IPv4FourTuple(local.IPv4Address, Server.IPv4Address, local.Port, ServerPort), 2);
        Assert.Equal(expected, client.Handle.Home.Port.Owner!.Index);
        Assert.Equal(Server, client.RemoteEndPoint);

        client.Send(new byte[] { 42 });
        var buffer = new byte[8];
        Assert.Equal(1, server.ReceiveFrom(buffer, out var from));
        server.SendTo(new byte[] { 43 }, from);
        Assert.Equal(1, client.Receive(buffer));
        Assert.Equal(43, buffer[0]);

        // A connected socket only hears its peer; sendto with an address is EISCONN.
        Assert.Equal(Errno.EISCONN, client.TrySendTo(new byte[1], Server, out _));

        // Connect again elsewhere, then disconnect back to a plain bound socket.
        var other = SockAddr.IPv4(TwoHosts.AddressB.Value, 9999);
        client.Connect(other);
        Assert.Equal(other, client.RemoteEndPoint);
        Assert.Equal(Errno.None, client.TryDisconnect());
        Assert.Equal(Errno.ENOTCONN, _hosts.A.GetPeerAddress(client.Handle, out _));
        Assert.Equal(local.Port, client.LocalEndPoint.Port);
    }

    [Fact]
    public void ReusePortGroupsGiveEachSocketTheFlowsOfItsThread()
    {
        using var first = Socket(_hosts.B);
        using var second = Socket(_hosts.B);
        foreach (var s in new[] { first, second })
        {
            s.SetOption(SockOptLevel.Socket, SockOptName.ReusePort, true);
            s.Bind(Server);
        }
        Assert.Equal(Errno.EADDRINUSE, Socket(_hosts.B).TryBind(Server)); // without SO_REUSEPORT

        var group = _hosts.B.State<UdpState>().Tables[0].Group(new LocalEndpointKey(TwoHosts.AddressB.Value, ServerPort));
        Assert.NotNull(group);
        Assert.Equal(2, group!.Count);
        var members = new[] { group[0].Socket!, group[1].Socket! };

        var buffer = new byte[8];
        var clients = new List<NetKitSocket>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                var client = Socket(_hosts.A);
                clients.Add(client);
                client.Bind(SockAddr.IPv4(TwoHosts.AddressA.Value, (ushort)(40000 + i)));
                client.SendTo(new byte[] { (byte)i }, Server);
                int thread = FlowHash.CpuOf(FlowHash.IPv4FourTuple(TwoHosts.AddressA.Value, TwoHosts.AddressB.Value, (ushort)(40000 + i), ServerPort), 2);
                var receiver = ReferenceEquals(members[thread], first.Handle) ? first : second;
                Assert.Equal(1, receiver.ReceiveFrom(buffer, out _));
                Assert.Equal(i, buffer[0]);
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    [Fact]
    public void EphemeralPortsComeFromTheBindingThreadsShard()
    {
        for (int i = 0; i < 8; i++)
        {
            using var socket = Socket(_hosts.A);
            socket.Bind(SockAddr.IPv4(0, 0));
            var port = socket.LocalEndPoint.Port;
            Assert.InRange(port, PortShard.DefaultFirstEphemeral, PortShard.DefaultLastEphemeral);
            Assert.Equal(port % 2, socket.Handle.Home.Port.Owner!.Index);
        }
    }

    [Fact]
    public void APortIsFreeAgainAfterClose()
    {
        var first = Socket(_hosts.B);
        first.Bind(Server);
        Assert.Equal(Errno.EADDRINUSE, Socket(_hosts.B).TryBind(Server));
        first.Dispose();
        using var second = Socket(_hosts.B);
        Assert.Equal(Errno.None, second.TryBind(Server));
    }

    [Fact]
    public void SendingToAClosedPortReportsConnectionRefusedThroughIcmp()
    {
        using var client = Socket(_hosts.A);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 1));
        client.Send(new byte[] { 1 });
        var error = Assert.Throws<NetKitSocketException>(() => client.Receive(new byte[8]));
        Assert.Equal(Errno.ECONNREFUSED, error.Errno);
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        Assert.True(_hosts.B.State<UdpState>().Counters[UdpCounter.NoPort] >= 1);
    }

    [Fact]
    public void MisuseGetsErrnosNotExceptions()
    {
        using var socket = Socket(_hosts.A);
        Assert.Equal(Errno.EDESTADDRREQ, socket.TrySend(new byte[1], out _));
        socket.Blocking = false;
        Assert.Equal(Errno.EAGAIN, socket.TryReceiveFrom(new byte[8], out _, out _, out _));
        Assert.Equal(Errno.EADDRNOTAVAIL, socket.TryBind(SockAddr.IPv4(0x0B000001, 1000)));
        Assert.Equal(Errno.EACCES, socket.TrySendTo(new byte[1], SockAddr.IPv4(0xFFFFFFFF, 9), out _));
        Assert.Equal(Errno.EMSGSIZE, socket.TrySendTo(new byte[UdpProtocol.MaxPayload + 1], Server, out _));
        socket.Dispose();
        Assert.Equal(Errno.EBADF, socket.TrySendTo(new byte[1], Server, out _));
    }
}
