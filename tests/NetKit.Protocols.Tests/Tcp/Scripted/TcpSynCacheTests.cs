using System;
using System.Linq;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;
using TcpCounter = NetKit.Protocols.Tcp.TcpCounter;
using TcpSynCache = NetKit.Protocols.Tcp.TcpSynCache;

namespace NetKit.Protocols.Tests.Tcp.Scripted;

/// <summary>The per-thread SYN cache: half-open connections cost an entry, are bounded, retransmit and expire; the backlog counts established connections.</summary>
public sealed class TcpSynCacheTests : IDisposable
{
    private readonly ScriptedPeer _peer = new();
    private readonly NetKitSocket _listener;

    public TcpSynCacheTests()
    {
        _listener = NetKitSocket.Create(_peer.Stack, SocketType.Stream);
        _listener.Bind(SockAddr.IPv4(ScriptedPeer.Local.Value, 8080));
        _listener.Listen(backlog: 1);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _peer.Dispose();
    }

    private TcpStateOf State => _peer.Stack.State<TcpStateOf>();

    private static TcpRepr Syn(ushort port, uint sequence) =>
        new(port, 8080, sequence, 0, TcpFlags.Syn, 1000, 0, new TcpOptions { MaxSegmentSize = 1460 }, 0);

    [Fact]
    public void AHalfOpenConnectionIsAnEntryThatRetransmitsItsSynAckAndExpires()
    {
        _peer.Inject(Syn(40000, 100));
        var synAck = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Tcp.Flags);
        Assert.Equal(101u, synAck.Tcp.AcknowledgmentNumber);
        Assert.Equal(1, State.SynCaches.Sum(c => c.Count));
        Assert.Equal(0, State.Tables.Sum(t => t.ConnectionCount)); // no socket, no pcb yet

        foreach (int seconds in new[] { 1, 2, 4 })
        {
            _peer.Advance(TimeSpan.FromSeconds(seconds) + TimeSpan.FromMilliseconds(250));
            var again = _peer.Next()!.Value;
            Assert.Equal(synAck.Tcp.SequenceNumber, again.Tcp.SequenceNumber);
        }
        _peer.Advance(TimeSpan.FromSeconds(9));
        Assert.True(_peer.Quiet());
        Assert.Equal(0, State.SynCaches.Sum(c => c.Count)); // given up after 3 retransmissions
    }

    [Fact]
    public void TheBacklogCountsEstablishedConnectionsOnly()
    {
        // Two handshakes complete; the backlog of 1 takes the first, the second's ACK is dropped and its entry kept.
        _peer.Inject(Syn(40001, 1000));
        var first = _peer.Next()!.Value;
        _peer.Inject(Syn(40002, 2000));
        var second = _peer.Next()!.Value;
        _peer.Inject(new TcpRepr(40001, 8080, 1001, first.Tcp.SequenceNumber + 1, TcpFlags.Ack, 1000, 0, default, 0));
        _peer.Inject(new TcpRepr(40002, 8080, 2001, second.Tcp.SequenceNumber + 1, TcpFlags.Ack, 1000, 0, default, 0));
        _peer.Threads.Sync();
        Assert.Equal(1, State.Counters[TcpCounter.ListenOverflows]);
        Assert.Equal(1, State.SynCaches.Sum(c => c.Count));
        using var accepted = _listener.Accept();
        Assert.Equal(SockAddr.IPv4(ScriptedPeer.Remote.Value, 40001), accepted.RemoteEndPoint);
        // Room again: the second peer's retransmitted ACK now completes its connection.
        _peer.Inject(new TcpRepr(40002, 8080, 2001, second.Tcp.SequenceNumber + 1, TcpFlags.Ack, 1000, 0, default, 0));
        _peer.Threads.Sync();
        using var next = _listener.Accept();
        Assert.Equal(SockAddr.IPv4(ScriptedPeer.Remote.Value, 40002), next.RemoteEndPoint);
    }

    [Fact]
    public void AFloodOfSynsIsBoundedByEvictingTheOldest()
    {
        int flood = TcpSynCache.DefaultCapacity + 200;
        for (int i = 0; i < flood; i++) _peer.Inject(Syn((ushort)(20000 + i), (uint)i * 1000));
        _peer.Threads.Sync();
        Assert.Equal(TcpSynCache.DefaultCapacity, State.SynCaches.Sum(c => c.Count));
        Assert.Equal(200, State.SynCaches.Sum(c => c.Evicted));
        Assert.Equal(0, State.Tables.Sum(t => t.ConnectionCount));
        // An evicted peer's ACK finds nothing and gets a reset.
        while (_peer.Next(50) is not null) { }
        _peer.Inject(new TcpRepr(20000, 8080, 1, 12345, TcpFlags.Ack, 1000, 0, default, 0));
        var reset = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Rst, reset.Tcp.Flags);
    }
}
