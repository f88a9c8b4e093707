using System;
using System.Threading;
using NetKit.Protocols.Icmp;
using NetKit.Protocols.IPv4;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using IcmpProtocol = NetKit.Protocols.Icmp.Icmp;
using IPv4Protocol = NetKit.Protocols.IPv4.IPv4;
using UdpProtocol = NetKit.Protocols.Udp.Udp;
using UdpStateAlias = NetKit.Protocols.Udp.UdpState;
using EthernetStateAlias = NetKit.Protocols.Ethernet.EthernetState;
using ArpStateAlias = NetKit.Protocols.Arp.ArpState;

namespace NetKit.Protocols.Tests.EndToEnd;

public sealed class IcmpAndFragmentationTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) Thread.Sleep(1);
        Assert.True(condition());
    }

    [Fact]
    public void EchoRequestsAreAnswered()
    {
        for (ushort sequence = 1; sequence <= 3; sequence++)
        {
            ushort s = sequence;
            Assert.Equal(Errno.None, OnThread.Do(_hosts.ThreadsA, 0, () =>
                IcmpProtocol.SendEchoRequest(_hosts.A, TwoHosts.AddressB, 0x1234, s, new byte[56])));
        }
        var icmpA = _hosts.A.State<IcmpState>().Counters;
        var icmpB = _hosts.B.State<IcmpState>().Counters;
        WaitUntil(() => icmpA[IcmpCounter.EchoRepliesReceived] == 3);
        Assert.Equal(3, icmpB[IcmpCounter.EchoRequests]);
        Assert.Equal(3, icmpB[IcmpCounter.EchoReplies]);
    }

    [Fact]
    public void DatagramsLargerThanTheMtuAreFragmentedAndReassembled()
    {
        using var server = NetKitSocket.Create(_hosts.B, SocketType.Datagram);
        server.Bind(SockAddr.IPv4(TwoHosts.AddressB.Value, 9000));
        server.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);
        using var client = NetKitSocket.Create(_hosts.A, SocketType.Datagram);
        client.Handle.ReceiveTimeout = TimeSpan.FromSeconds(10);

        var payload = new byte[5000];
        new Random(7).NextBytes(payload);
        client.SendTo(payload, SockAddr.IPv4(TwoHosts.AddressB.Value, 9000));
        var buffer = new byte[8000];
        var error = server.TryReceiveFrom(buffer, out int received, out _, out var from);
        Assert.True(error == Errno.None, $"{error}: {Describe(_hosts.A)} || {Describe(_hosts.B)}");
        Assert.Equal(payload.Length, received);
        Assert.True(buffer.AsSpan(0, received).SequenceEqual(payload));
        Assert.True(_hosts.A.State<IPv4State>().Counters[IPv4Counter.FragmentsCreated] >= 4);
        Assert.Equal(1, _hosts.B.State<IPv4State>().Counters[IPv4Counter.Reassembled]);

        // And back, the largest datagram UDP carries (the receive ring must hold twice it: SO_RCVBUF 1 MiB).
        client.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, 1 << 20);
        var largest = new byte[UdpProtocol.MaxPayload];
        new Random(8).NextBytes(largest);
        server.SendTo(largest, from);
        var back = new byte[70000];
        Assert.Equal(largest.Length, client.ReceiveFrom(back, out _));
        Assert.True(back.AsSpan(0, largest.Length).SequenceEqual(largest));
    }

    private static string Describe(Runtime.Protocols.NetStack stack) =>
        $"{stack.State<IPv4State>().Counters} {stack.State<UdpStateAlias>().Counters} {stack.State<EthernetStateAlias>().Counters} " +
        $"{stack.State<ArpStateAlias>().Counters} reasm[{stack.State<IPv4State>().Reassemblers[0].Statistics}|{stack.State<IPv4State>().Reassemblers[1].Statistics}]";

    [Fact]
    public void DontFragmentWouldBeEmsgsize()
    {
        // IPv4.Output refuses a datagram over the MTU with DF set; sockets expose DF with path-MTU discovery (TCP).
        var result = Errno.None;
        Assert.Equal(Errno.None, OnThread.Do(_hosts.ThreadsA, 0, () =>
        {
            var packet = Runtime.Threading.ProtocolThread.Current!.Buffers.TryRentChain(3000, 128)!;
            result = IPv4Protocol.Output(_hosts.A, packet, default, TwoHosts.AddressB, NetKit.Protocols.Wire.IpProtocol.Udp, dontFragment: true);
            return Errno.None;
        }));
        Assert.Equal(Errno.EMSGSIZE, result);
    }
}
