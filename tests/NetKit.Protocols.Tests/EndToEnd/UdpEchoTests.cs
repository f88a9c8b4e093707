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
