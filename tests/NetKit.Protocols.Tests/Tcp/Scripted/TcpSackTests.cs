using System;
using System.Collections.Generic;
using System.Linq;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpCounter = NetKit.Protocols.Tcp.TcpCounter;
using TcpPcb = NetKit.Protocols.Tcp.TcpPcb;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.Tcp.Scripted;

/// <summary>
/// SACK on virtual time (RFC 2018, RFC 6675, RFC 8985 §7 tail loss probe, RFC 3522 Eifel): the receiver reports
/// its out-of-order ranges, and the sender repairs losses from the scoreboard — also when the peer's ACKs ride on
/// its own data, which RFC 5681 never counts as duplicates.
/// </summary>
public sealed class TcpSackTests : IDisposable
{
    private readonly ScriptedPeer _peer = new();
    private const ushort PeerPort = 80;
    private const uint PeerIss = 0x7000_0000;
    private const int PeerMss = 1000;
    /// <summary>Our data per segment: the peer's MSS less the timestamp option.</summary>
    private const int Mss = PeerMss - 12;
    private uint _tsval = 1;

    public void Dispose() => _peer.Dispose();

    private TcpStateOf State => _peer.Stack.State<TcpStateOf>();

    private TcpPcb Pcb() => State.Tables.SelectMany(t => t.Connections()).Single();

    private TcpOptions PeerOptions(uint echo = 0, params TcpSackBlock[] blocks)
    {
        var options = new TcpOptions { HasTimestamps = true, TimestampValue = _tsval++, TimestampEcho = echo };
        foreach (var block in blocks) options.AddSackBlock(block);
        return options;
    }

    /// <summary>An active open with SACK and timestamps; the peer offers MSS 1000 and a 256 KiB window.</summary>
    private (NetKitSocket Socket, ushort Local, uint OurNext) Establish()
    {
        var socket = NetKitSocket.Create(_peer.Stack, SocketType.Stream);
        socket.Blocking = false;
        socket.SetOption(SockOptLevel.Tcp, SockOptName.TcpNoDelay, 1);
        Assert.Equal(Errno.EINPROGRESS, socket.TryConnect(SockAddr.IPv4(ScriptedPeer.Remote.Value, PeerPort)));
        var syn = _peer.Next()!.Value;
        var options = new TcpOptions
        {
            MaxSegmentSize = PeerMss, HasWindowScale = true, WindowScale = 2, SackPermitted = true,
            HasTimestamps = true, TimestampValue = _tsval++, TimestampEcho = syn.Tcp.Options.TimestampValue,
        };
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, syn.Tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, 65535, 0, options, 0));
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
        return (socket, syn.Tcp.SourcePort, syn.Tcp.SequenceNumber + 1);
    }

    private List<ScriptedPeer.Sent> Drain(int waitMs = 200)
    {
        var list = new List<ScriptedPeer.Sent>();
        while (_peer.Next(waitMs) is { } sent) list.Add(sent);
        return list;
    }

    [Fact]
    public void OutOfOrderDataIsReportedInSackBlocksTheLatestFirst()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        var data = new byte[500];
        // A hole of 500, then 500 held: the immediate duplicate ACK carries the held range.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 500, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(), data.Length), data);
        var first = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 1, first.Tcp.AcknowledgmentNumber);
        Assert.Equal(1, first.Tcp.Options.SackBlockCount);
        Assert.Equal(new TcpSackBlock(PeerIss + 501, PeerIss + 1001), first.Tcp.Options.GetSackBlock(0));

        // A second island further on: it is reported first (RFC 2018 §4), the older one after it.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 2000, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(), data.Length), data);
        var second = _peer.Next()!.Value;
        Assert.Equal(2, second.Tcp.Options.SackBlockCount);
        Assert.Equal(new TcpSackBlock(PeerIss + 2001, PeerIss + 2501), second.Tcp.Options.GetSackBlock(0));
        Assert.Equal(new TcpSackBlock(PeerIss + 501, PeerIss + 1001), second.Tcp.Options.GetSackBlock(1));

        // The hole filled: everything delivered, no block left.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(), data.Length), data);
        var filled = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 1001, filled.Tcp.AcknowledgmentNumber);
        Assert.Equal(1, filled.Tcp.Options.SackBlockCount); // the island at 2001 is still held
        Assert.Equal(new TcpSackBlock(PeerIss + 2001, PeerIss + 2501), filled.Tcp.Options.GetSackBlock(0));
    }

    [Fact]
    public void DataBearingAcksWithSackBlocksTriggerTheRetransmissionOfTheHole()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        Assert.Equal(Errno.None, socket.TrySend(new byte[6 * Mss], out int sent));
        Assert.Equal(6 * Mss, sent);
        var segments = Drain();
        Assert.Equal(6, segments.Count);
        Assert.All(segments, s => Assert.Equal(Mss, s.Payload.Length));

        // The first segment is lost. The peer is sending data of its own, so every ACK carries data: none is an
        // RFC 5681 duplicate, but the SACK blocks say three segments above the hole have arrived.
        uint peerSeq = PeerIss + 1;
        var payload = new byte[100];
        for (int i = 1; i <= 3; i++)
        {
            var block = new TcpSackBlock(ourNext + Mss, ourNext + (uint)((i + 1) * Mss));
            _peer.Inject(new TcpRepr(PeerPort, local, peerSeq, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(0, block), payload.Length), payload);
            peerSeq += (uint)payload.Length;
        }
        var retransmission = Drain().First(s => s.Payload.Length > 0);
        Assert.Equal(ourNext, retransmission.Tcp.SequenceNumber);
        Assert.Equal(Mss, retransmission.Payload.Length);
        Assert.Equal(1, State.Counters[TcpCounter.FastRetransmits]);
        Assert.Equal(0, State.Counters[TcpCounter.RetransmitTimeouts]);
    }

    [Fact]
    public void SackInformationThatContradictsTheCumulativeAckIsNotTrusted()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        Assert.Equal(Errno.None, socket.TrySend(new byte[6 * Mss], out _));
        Assert.Equal(6, Drain().Count);
        var pcb = Pcb();

        // A block that claims SND.UNA's own byte (stale, or a D-SACK): ignored, nothing is marked received.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(0, new TcpSackBlock(ourNext, ourNext + 2 * Mss)), 0));
        _peer.Threads.Sync();
        Assert.True(pcb.Scoreboard is null || pcb.Scoreboard.IsEmpty);

        // A valid block, then a cumulative ACK that lands inside it: the peer dropped what it had SACKed (reneging,
        // RFC 2018 §8), so the scoreboard is forgotten rather than trusted.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(0, new TcpSackBlock(ourNext + Mss, ourNext + 3 * Mss)), 0));
        _peer.Threads.Sync();
        Assert.Equal(2L * Mss, pcb.Scoreboard!.SackedBytes);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + 2 * Mss, TcpFlags.Ack, 65535, 0, PeerOptions(), 0));
        _peer.Threads.Sync();
        Assert.True(pcb.Scoreboard.IsEmpty);
    }

    [Fact]
    public void ATailLossIsProbedAfterTwoRoundTripsNotAnRto()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        // One exchange gives an RTT sample of 10 ms.
        Assert.Equal(Errno.None, socket.TrySend(new byte[Mss], out _));
        var first = _peer.Next()!.Value;
        _peer.Advance(TimeSpan.FromMilliseconds(10));
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + Mss, TcpFlags.Ack, 65535, 0, PeerOptions(first.Tcp.Options.TimestampValue), 0));
        _peer.Threads.Sync();
        long pto = Math.Max(2 * Pcb().Rtt.SmoothedRtt, 10_000);
        Assert.True(pto < Pcb().Rtt.Rto);

        // Three segments, all lost at the tail: nothing comes back.
        Assert.Equal(Errno.None, socket.TrySend(new byte[3 * Mss], out _));
        var flight = Drain();
        Assert.Equal(3, flight.Count);
        uint last = flight[^1].Tcp.SequenceNumber;

        // PTO = max(2·SRTT, 10 ms) (RFC 8985 §7.2), far before the 200 ms minimum RTO: the last segment is sent again.
        _peer.Advance(TimeSpan.FromMicroseconds(pto - 1_000));
        Assert.True(_peer.Quiet(50));
        _peer.Advance(TimeSpan.FromMilliseconds(2));
        var probe = _peer.Next()!.Value;
        Assert.Equal(last, probe.Tcp.SequenceNumber);
        Assert.Equal(Mss, probe.Payload.Length);
        Assert.Equal(1, State.Counters[TcpCounter.TailLossProbes]);
        Assert.Equal(0, State.Counters[TcpCounter.RetransmitTimeouts]);

        // The probe's SACK shows the two before it missing, though sent a PTO earlier: lost by RACK's time rule,
        // so the first is resent at once, without three SACKs and without the RTO.
        var sack = new TcpSackBlock(last, last + Mss);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + Mss, TcpFlags.Ack, 65535, 0, PeerOptions(0, sack), 0));
        var repair = _peer.Next()!.Value;
        Assert.Equal(ourNext + Mss, repair.Tcp.SequenceNumber);
        Assert.Equal(0, State.Counters[TcpCounter.RetransmitTimeouts]);
    }

    [Fact]
    public void ARecoveryTheTimestampsProveSpuriousIsUndone()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        Assert.Equal(Errno.None, socket.TrySend(new byte[6 * Mss], out _));
        var segments = Drain();
        Assert.Equal(6, segments.Count);
        uint originalTs = segments[0].Tcp.Options.TimestampValue;
        var pcb = Pcb();
        uint cwndBefore = pcb.Congestion.CongestionWindow;

        // Five milliseconds later, SACKs for segments 2–4 (the first was only delayed): the sender resends it.
        _peer.Advance(TimeSpan.FromMilliseconds(5));
        for (int i = 1; i <= 3; i++)
        {
            var block = new TcpSackBlock(ourNext + Mss, ourNext + (uint)((i + 1) * Mss));
            _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 65535, 0, PeerOptions(originalTs, block), 0));
        }
        var retransmission = Drain().First(s => s.Payload.Length > 0);
        Assert.Equal(ourNext, retransmission.Tcp.SequenceNumber);
        Assert.True(pcb.Congestion.InRecovery);
        Assert.True(pcb.Congestion.CongestionWindow < cwndBefore);

        // The original arrives after all: its ACK echoes the original's timestamp, older than the retransmission's.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + 6 * Mss, TcpFlags.Ack, 65535, 0, PeerOptions(originalTs), 0));
        _peer.Threads.Sync();
        Assert.Equal(1, State.Counters[TcpCounter.SpuriousRecoveries]);
        Assert.False(pcb.Congestion.InRecovery);
        Assert.True(pcb.Congestion.CongestionWindow >= cwndBefore);
    }
}
