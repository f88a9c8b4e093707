using System;
using System.Threading;
using NetKit.Protocols.Arp;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>ARP between two stacks: every thread learns, unanswered addresses hold a bounded queue and give up.</summary>
public sealed class ArpTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static void WaitUntil(Func<bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition() && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.True(condition());
    }

    [Fact]
    public void EveryThreadLearnsTheNeighbourFromOneExchange()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.SendTo(new byte[] { 1 }, SockAddr.IPv4(TwoHosts.AddressB.Value, 7));
        server.Receive(new byte[4]);

        var arpA = _hosts.A.State<ArpState>();
        var arpB = _hosts.B.State<ArpState>();
        // A asked once; B answered from thread 0 and learned A from the request; both copied it to every thread.
        WaitUntil(() => arpA.CacheCount(0) >= 1 && arpA.CacheCount(1) >= 1 && arpB.CacheCount(0) >= 1 && arpB.CacheCount(1) >= 1);
        Assert.Equal(1, arpA.Counters[ArpCounter.RequestsSent]);
        Assert.Equal(1, arpB.Counters[ArpCounter.RepliesSent]);
    }

    [Fact]
    public void AnUnansweredAddressHoldsABoundedQueueThenDropsItOnTimeout()
    {
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Connect(SockAddr.IPv4(0x0A000063, 9)); // 10.0.0.99: on the link, nobody there
        var arp = _hosts.A.State<ArpState>();
        var options = arp.Options;
        int sent = options.HoldCapacity + 4;
        for (int i = 0; i < sent; i++) client.Send(new byte[] { (byte)i });

        Assert.Equal(sent, arp.Counters[ArpCounter.HeldPackets]);
        Assert.Equal(4, arp.Counters[ArpCounter.HoldQueueDrops]);           // oldest dropped when full
        Assert.Equal(1, arp.Counters[ArpCounter.RequestsSent]);             // the rest were rate limited
        Assert.Equal(sent - 1, arp.Counters[ArpCounter.RateLimited]);
        // Retries once a second up to MaxRequests, then gives up and drops what waited.
        WaitUntil(() => arp.Counters[ArpCounter.TimeoutDrops] == options.HoldCapacity, seconds: 15);
        Assert.Equal(options.MaxRequests, arp.Counters[ArpCounter.RequestsSent]);
    }
}
