using System;
using System.Text;
using NetKit.Protocols.Udp;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>UDP between two stacks on the in-memory link, through the whole path: socket, UDP, IPv4, ARP, Ethernet, driver.</summary>
public sealed class UdpEchoTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public void ADatagramCrossesTheLinkAndTheReplyComesBack()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);

        var request = Encoding.ASCII.GetBytes("hello netkit");
        Assert.Equal(request.Length, client.SendTo(request, SockAddr.IPv4(TwoHosts.AddressB.Value, 7)));

        var buffer = new byte[100];
        int received = server.ReceiveFrom(buffer, out var from);
        Assert.Equal("hello netkit", Encoding.ASCII.GetString(buffer, 0, received));
        Assert.Equal(TwoHosts.AddressA.Value, from.IPv4Address);
        Assert.NotEqual(0, from.Port);

        server.SendTo(buffer.AsSpan(0, received), from);
        int echoed = client.ReceiveFrom(buffer, out var replyFrom);
        Assert.Equal("hello netkit", Encoding.ASCII.GetString(buffer, 0, echoed));
        Assert.Equal(SockAddr.IPv4(TwoHosts.AddressB.Value, 7), replyFrom);
        Assert.Equal(from.Port, client.LocalEndPoint.Port);
    }
}

/// <summary>Posted (asynchronous) sends: no wait for the protocol thread; errors arrive with the next call.</summary>
public sealed class PostedSendTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    [Fact]
    public void PostedDatagramsArriveInOrderAndErrorsComeWithTheNextCall()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Connect(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        var buffer = new byte[8];
        // Resolve B first: while ARP waits, only the newest 16 datagrams are held (the rest are dropped, counted).
        client.Send(new byte[] { 1 });
        server.Receive(buffer);
        for (int i = 0; i < 100; i++) Assert.Equal(Errno.None, client.TryPostSend(BitConverter.GetBytes(i)));
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(4, server.Receive(buffer));
            Assert.Equal(i, BitConverter.ToInt32(buffer)); // one flow, one thread: order kept
        }

        using var unconnected = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        Assert.Equal(Errno.None, unconnected.TryPostSendTo(new byte[1], SockAddr.IPv4(0x0A0000FF, 9))); // accepted…
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (unconnected.Handle.PendingError == Errno.None && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(1);
        Assert.Equal(Errno.EACCES, unconnected.TryPostSendTo(new byte[1], SockAddr.IPv4(TwoHosts.AddressB.Value, 7))); // …refused later
        Assert.Equal(Errno.None, unconnected.Handle.PendingError);
    }
}
