using System;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>A host with two interfaces on two links: each destination leaves by the interface whose subnet holds it.</summary>
public sealed class MultiInterfaceTests : IDisposable
{
    private readonly ProtocolThreadGroup _threadsA, _threadsB, _threadsC;
    private readonly MemoryInterface[] _devices;
    private readonly InetStack _a, _b, _c;

    public MultiInterfaceTests()
    {
        var left = new MemoryLink("left");
        var right = new MemoryLink("right");
        _threadsA = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, PinThreads = false }).Start();
        _threadsB = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false }).Start();
        _threadsC = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false }).Start();
        _a = new InetStack(_threadsA);
        _b = new InetStack(_threadsB);
        _c = new InetStack(_threadsC);
        _devices = new[]
        {
            new MemoryInterface(left, "a0", new byte[] { 2, 0, 0, 0, 0, 0x10 }),
            new MemoryInterface(right, "a1", new byte[] { 2, 0, 0, 0, 0, 0x11 }),
            new MemoryInterface(left, "b0", new byte[] { 2, 0, 0, 0, 0, 0x20 }),
            new MemoryInterface(right, "c0", new byte[] { 2, 0, 0, 0, 0, 0x30 }),
        };
        _a.AddInterface(_devices[0], new InterfaceConfiguration(IPv4Address.Parse("10.0.0.1"), 24));
        _a.AddInterface(_devices[1], new InterfaceConfiguration(IPv4Address.Parse("10.1.0.1"), 24));
        _b.AddInterface(_devices[2], new InterfaceConfiguration(IPv4Address.Parse("10.0.0.2"), 24, IPv4Address.Parse("10.0.0.1")));
        _c.AddInterface(_devices[3], new InterfaceConfiguration(IPv4Address.Parse("10.1.0.2"), 24, IPv4Address.Parse("10.1.0.1")));
    }

    public void Dispose()
    {
        foreach (var device in _devices) device.Dispose();
        _threadsA.Dispose();
        _threadsB.Dispose();
        _threadsC.Dispose();
    }

    private static NetKitSocket Server(InetStack stack, string address)
    {
        var socket = NetKitSocket.Create(stack, SocketType.Datagram);
        socket.Bind(SockAddr.IPv4(IPv4Address.Parse(address).Value, 7));
        socket.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        return socket;
    }

    [Fact]
    public void EachDestinationLeavesByItsSubnetsInterfaceWithThatInterfacesAddress()
    {
        using var onLeft = Server(_b, "10.0.0.2");
        using var onRight = Server(_c, "10.1.0.2");
        using var client = NetKitSocket.Create(_a, SocketType.Datagram);
        client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);

        client.SendTo(new byte[] { 1 }, SockAddr.IPv4(IPv4Address.Parse("10.0.0.2").Value, 7));
        client.SendTo(new byte[] { 2 }, SockAddr.IPv4(IPv4Address.Parse("10.1.0.2").Value, 7));
        var buffer = new byte[4];
        Assert.Equal(1, onLeft.ReceiveFrom(buffer, out var fromLeft));
        Assert.Equal(1, buffer[0]);
        Assert.Equal(IPv4Address.Parse("10.0.0.1").Value, fromLeft.IPv4Address);   // source chosen by the route
        Assert.Equal(1, onRight.ReceiveFrom(buffer, out var fromRight));
        Assert.Equal(2, buffer[0]);
        Assert.Equal(IPv4Address.Parse("10.1.0.1").Value, fromRight.IPv4Address);

        // Replies come back on each link to the same unbound-address socket.
        onLeft.SendTo(new byte[] { 3 }, fromLeft);
        onRight.SendTo(new byte[] { 4 }, fromRight);
        int seen = 0;
        for (int i = 0; i < 2; i++)
        {
            client.ReceiveFrom(buffer, out _);
            seen |= 1 << buffer[0];
        }
        Assert.Equal((1 << 3) | (1 << 4), seen);
        Assert.True(_devices[0].TransmittedFrames > 0);
        Assert.True(_devices[1].TransmittedFrames > 0);

        // Off its subnet B routes to its gateway (A is a host and does not forward; only the next hop is checked).
        Assert.True(_b.Interfaces().TryRoute(IPv4Address.Parse("10.1.0.2"), out var viaGateway));
        Assert.Equal(IPv4Address.Parse("10.0.0.1"), viaGateway.NextHop);
    }
}
