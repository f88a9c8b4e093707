using System;
using System.Linq;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;
using TcpConnectionState = NetKit.Protocols.Tcp.TcpConnectionState;
using TcpPcb = NetKit.Protocols.Tcp.TcpPcb;

namespace NetKit.Protocols.Tests.Tcp.Scripted;

/// <summary>
/// Segment-level TCP behaviour on virtual time: the test plays the peer, segment by segment, and checks exactly what
/// the stack emits (RFC 9293 §3.10, RFC 6298, RFC 5961, RFC 7323).
/// </summary>
public sealed class TcpScriptedTests : IDisposable
{
    private readonly ScriptedPeer _peer = new();
    private const ushort PeerPort = 80;
    private const uint PeerIss = 0xFFFF_F000; // close to the wrap, on purpose

    public void Dispose() => _peer.Dispose();

    private static TcpOptions SynOptions()
    {
        var options = new TcpOptions { MaxSegmentSize = 1460, HasWindowScale = true, WindowScale = 2, SackPermitted = true };
        return options;
    }

    private NetKitSocket StartConnect()
    {
        var socket = NetKitSocket.Create(_peer.Stack, SocketType.Stream);
        socket.Blocking = false;
        Assert.Equal(Errno.EINPROGRESS, socket.TryConnect(SockAddr.IPv4(ScriptedPeer.Remote.Value, PeerPort)));
        return socket;
    }

    private TcpPcb Pcb() => _peer.Stack.State<TcpStateOf>().Tables.SelectMany(t => t.Connections()).Single();

    /// <summary>Completes an active open: our SYN, their SYN-ACK (window 1000 × 4), our ACK.</summary>
    private (NetKitSocket Socket, ScriptedPeer.Sent Syn) Establish(ushort window = 1000)
    {
        var socket = StartConnect();
        var syn = _peer.Next()!.Value;
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, syn.Tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, window, 0, SynOptions(), 0));
        var ack = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Ack, ack.Tcp.Flags);
        Assert.Equal(PeerIss + 1, ack.Tcp.AcknowledgmentNumber);
        Assert.True((socket.Handle.State & SocketStates.Connected) != 0);
        return (socket, syn);
    }

    [Fact]
    public void AnActiveOpenOffersItsOptionsAndRetransmitsTheSynWithBackoff()
    {
        using var socket = StartConnect();
        var syn = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Syn, syn.Tcp.Flags);
        Assert.Equal(1460, syn.Tcp.Options.MaxSegmentSize);
        Assert.True(syn.Tcp.Options.HasWindowScale);
        Assert.True(syn.Tcp.Options.SackPermitted);
        Assert.True(syn.Tcp.Options.HasTimestamps);
        Assert.True(_peer.Quiet());

        _peer.Advance(TimeSpan.FromMilliseconds(1001)); // RFC 6298 §2.1: initial RTO 1 s
        var again = _peer.Next()!.Value;
        Assert.Equal(syn.Tcp.SequenceNumber, again.Tcp.SequenceNumber);
        _peer.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.True(_peer.Quiet()); // backed off to 2 s (§5.5)
        _peer.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(TcpFlags.Syn, _peer.Next()!.Value.Tcp.Flags);
    }

    [Fact]
    public void ARefusedSynEndsTheConnectWithEconnrefused()
    {
        using var socket = StartConnect();
        var syn = _peer.Next()!.Value;
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, 0, syn.Tcp.SequenceNumber + 1, TcpFlags.Rst | TcpFlags.Ack, 0, 0, default, 0));
        _peer.Threads.Sync();
        Assert.True((socket.Handle.State & SocketStates.Disconnected) != 0);
        Assert.Equal(Errno.ECONNREFUSED, socket.Handle.TakeError());
    }

    [Fact]
    public void SimultaneousOpenGoesThroughSynReceived()
    {
        using var socket = StartConnect();
        var syn = _peer.Next()!.Value;
        // Their SYN crosses ours (RFC 9293 §3.5 figure 8).
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, 0, TcpFlags.Syn, 1000, 0, SynOptions(), 0));
        var synAck = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Tcp.Flags);
        Assert.Equal(syn.Tcp.SequenceNumber, synAck.Tcp.SequenceNumber);
        Assert.Equal(PeerIss + 1, synAck.Tcp.AcknowledgmentNumber);
        Assert.Equal(TcpConnectionState.SynReceived, Pcb().State);
        // Their SYN-ACK for our SYN completes it.
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, syn.Tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, 1000, 0, SynOptions(), 0));
        _peer.Threads.Sync();
        Assert.Equal(TcpConnectionState.Established, Pcb().State);
        Assert.True((socket.Handle.State & SocketStates.Connected) != 0);
    }

    [Fact]
    public void OnlyAnExactResetResetsOthersInTheWindowGetAChallengeAck()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 500, 0, TcpFlags.Rst, 0, 0, default, 0));
        var challenge = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Ack, challenge.Tcp.Flags);
        Assert.Equal(PeerIss + 1, challenge.Tcp.AcknowledgmentNumber);
        Assert.Equal(TcpConnectionState.Established, Pcb().State);

        // A SYN on an established connection: challenge ACK too (RFC 5961 §4), never a reset. (Half a second later:
        // a connection sends at most one such ACK per 500 ms, RFC 5961 §7.)
        _peer.Advance(TimeSpan.FromMilliseconds(500));
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 77, 0, TcpFlags.Syn, 1000, 0, SynOptions(), 0));
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
        Assert.Equal(TcpConnectionState.Established, Pcb().State);

        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, 0, TcpFlags.Rst, 0, 0, default, 0));
        _peer.Threads.Sync();
        Assert.Equal(Errno.ECONNRESET, socket.TryReceive(new byte[4], out _));
    }

    [Fact]
    public void AFloodOfSpoofedResetsGetsOneChallengeAckPerHalfSecond()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        for (int i = 0; i < 100; i++)
            _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 10 + (uint)i, 0, TcpFlags.Rst, 0, 0, default, 0));
        _peer.Threads.Sync();
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
        Assert.True(_peer.Quiet()); // RFC 5961 §7: the other 99 are not answered
        var state = _peer.Stack.State<TcpStateOf>();
        Assert.Equal(1, state.Counters[NetKit.Protocols.Tcp.TcpCounter.ChallengeAcks]);
        Assert.Equal(99, state.Counters[NetKit.Protocols.Tcp.TcpCounter.InvalidAcksThrottled]);
        Assert.Equal(TcpConnectionState.Established, Pcb().State);

        _peer.Advance(TimeSpan.FromMilliseconds(500));
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 10, 0, TcpFlags.Rst, 0, 0, default, 0));
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
    }

    [Fact]
    public void OneSegmentIsAcknowledgedAfterTheDelayTwoAtOnce()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        uint ourNext = syn.Tcp.SequenceNumber + 1;
        var data = new byte[1000];
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack | TcpFlags.Psh, 1000, 0, default, data.Length), data);
        Assert.True(_peer.Quiet()); // delayed
        _peer.Advance(TimeSpan.FromMilliseconds(41));
        var delayed = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 1 + 1000, delayed.Tcp.AcknowledgmentNumber);

        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1001, ourNext, TcpFlags.Ack, 1000, 0, default, data.Length), data);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 2001, ourNext, TcpFlags.Ack, 1000, 0, default, data.Length), data);
        var immediate = _peer.Next()!.Value; // every second segment (RFC 5681 §4.2)
        Assert.Equal(PeerIss + 3001, immediate.Tcp.AcknowledgmentNumber);
    }

    [Fact]
    public void OutOfOrderDataGetsAnImmediateDuplicateAckAndIsDeliveredWhenTheHoleFills()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        uint ourNext = syn.Tcp.SequenceNumber + 1;
        var first = Enumerable.Range(0, 500).Select(i => (byte)i).ToArray();
        var second = Enumerable.Range(0, 500).Select(i => (byte)(i + 7)).ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1 + 500, ourNext, TcpFlags.Ack, 1000, 0, default, 500), second);
        var duplicate = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 1, duplicate.Tcp.AcknowledgmentNumber);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 1000, 0, default, 500), first);
        var cumulative = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 1001, cumulative.Tcp.AcknowledgmentNumber);
        var buffer = new byte[2000];
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out int n));
        Assert.Equal(first.Concat(second).ToArray(), buffer[..n]);
    }

    [Fact]
    public void AZeroWindowIsProbedOneByteAtATime()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        uint ourNext = syn.Tcp.SequenceNumber + 1;
        // They close their window.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 0, 0, default, 0));
        _peer.Threads.Sync();
        Assert.Equal(Errno.None, socket.TrySend(new byte[3000], out int sent));
        Assert.Equal(3000, sent);
        Assert.True(_peer.Quiet()); // nothing fits
        _peer.Advance(TimeSpan.FromMilliseconds(1100)); // persist: RTO-based, at least 200 ms
        var probe = _peer.Next()!.Value;
        Assert.Single(probe.Payload);
        Assert.Equal(ourNext, probe.Tcp.SequenceNumber);
        // The window opens: the data flows.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 1000, 0, default, 0));
        var data = _peer.Next()!.Value;
        Assert.Equal(ourNext, data.Tcp.SequenceNumber);
        Assert.True(data.Payload.Length > 1);
    }

    [Fact]
    public void AProbeByteTheReceiverTakesIsAcknowledgedAndTheStreamGoesOn()
    {
        var (socket, syn) = Establish();
        using var owned = socket;
        ushort local = syn.Tcp.SourcePort;
        uint ourNext = syn.Tcp.SequenceNumber + 1;
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 0, 0, default, 0));
        _peer.Threads.Sync();
        var payload = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        Assert.Equal(Errno.None, socket.TrySend(payload, out _));
        Assert.True(_peer.Quiet()); // nothing fits
        _peer.Advance(TimeSpan.FromMilliseconds(1100));
        var probe = _peer.Next()!.Value;
        Assert.Single(probe.Payload);

        // Their window had just opened: they keep the byte, acknowledge it and offer room. That ACK covers data we
        // sent, so it must be taken (a stall regression: it used to be dropped as acknowledging unsent data).
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + 1, TcpFlags.Ack, 1000, 0, default, 0));
        var data = _peer.Next()!.Value;
        Assert.Equal(ourNext + 1, data.Tcp.SequenceNumber);
        Assert.Equal(payload.AsSpan(1, data.Payload.Length).ToArray(), data.Payload);
    }

    [Fact]
    public void AnActiveCloseGoesThroughTimeWaitForTwoMsl()
    {
        var (socket, syn) = Establish();
        ushort local = syn.Tcp.SourcePort;
        uint ourNext = syn.Tcp.SequenceNumber + 1;
        socket.Dispose(); // close(): FIN
        var fin = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, fin.Tcp.Flags);
        Assert.Equal(ourNext, fin.Tcp.SequenceNumber);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + 1, TcpFlags.Ack, 1000, 0, default, 0));
        _peer.Threads.Sync();
        Assert.Equal(TcpConnectionState.FinWait2, Pcb().State);
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext + 1, TcpFlags.Fin | TcpFlags.Ack, 1000, 0, default, 0));
        var last = _peer.Next()!.Value;
        Assert.Equal(PeerIss + 2, last.Tcp.AcknowledgmentNumber);
        Assert.Equal(TcpConnectionState.TimeWait, Pcb().State);
        _peer.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(TcpConnectionState.TimeWait, Pcb().State);
        _peer.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(_peer.Stack.State<TcpStateOf>().Tables.SelectMany(t => t.Connections()));
    }

    [Fact]
    public void ANewSynReopensAFourTupleInTimeWait()
    {
        using var listener = NetKitSocket.Create(_peer.Stack, SocketType.Stream);
        listener.Bind(SockAddr.IPv4(ScriptedPeer.Local.Value, 8080));
        listener.Listen();
        const ushort clientPort = 40000;
        _peer.Inject(new TcpRepr(clientPort, 8080, 1000, 0, TcpFlags.Syn, 1000, 0, SynOptions(), 0));
        var synAck = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Tcp.Flags);
        uint serverNext = synAck.Tcp.SequenceNumber + 1;
        _peer.Inject(new TcpRepr(clientPort, 8080, 1001, serverNext, TcpFlags.Ack, 1000, 0, default, 0));
        _peer.Threads.Sync();
        var server = listener.Accept();
        server.Dispose(); // the server closes first: it will hold TIME-WAIT
        var fin = _peer.Next()!.Value;
        if (!fin.Has(TcpFlags.Fin)) fin = _peer.Next()!.Value; // a window update for the now scaled window may come first
        Assert.True(fin.Has(TcpFlags.Fin), fin.ToString());
        _peer.Inject(new TcpRepr(clientPort, 8080, 1001, serverNext + 1, TcpFlags.Fin | TcpFlags.Ack, 1000, 0, default, 0));
        Assert.Equal(1002u, _peer.Next()!.Value.Tcp.AcknowledgmentNumber);
        Assert.Equal(TcpConnectionState.TimeWait, Pcb().State);

        // An old duplicate SYN (sequence not beyond the old connection) is not a new incarnation: challenge ACK.
        _peer.Inject(new TcpRepr(clientPort, 8080, 1000, 0, TcpFlags.Syn, 1000, 0, SynOptions(), 0));
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
        // A SYN beyond it reopens the 4-tuple at once.
        _peer.Inject(new TcpRepr(clientPort, 8080, 500_000, 0, TcpFlags.Syn, 1000, 0, SynOptions(), 0));
        var reopened = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, reopened.Tcp.Flags);
        Assert.Equal(500_001u, reopened.Tcp.AcknowledgmentNumber);
        Assert.Equal(1, _peer.Stack.State<TcpStateOf>().Counters[NetKit.Protocols.Tcp.TcpCounter.TimeWaitReused]);
    }

    [Fact]
    public async System.Threading.Tasks.Task ABlockingSendOnAConnectingSocketWaitsForTheHandshake()
    {
        using var socket = StartConnect();
        var syn = _peer.Next()!.Value;
        socket.Blocking = true;
        var send = System.Threading.Tasks.Task.Run(() => socket.TrySend(new byte[100], out int n) == Errno.None ? n : -1);
        await System.Threading.Tasks.Task.Delay(100);
        Assert.False(send.IsCompleted);
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, syn.Tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, 1000, 0, SynOptions(), 0));
        Assert.Equal(100, await send.WaitAsync(TimeSpan.FromSeconds(10)));
        var first = _peer.Next()!.Value;
        var data = first.Payload.Length > 0 ? first : _peer.Next()!.Value; // the handshake's ACK may come first
        Assert.Equal(100, data.Payload.Length);
    }

    [Fact]
    public void ASegmentForNoConnectionIsAnsweredWithAReset()
    {
        _peer.Inject(new TcpRepr(4321, 9999, 1234, 0, TcpFlags.Syn, 1000, 0, default, 0));
        var reset = _peer.Next()!.Value;
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, reset.Tcp.Flags);
        Assert.Equal(1235u, reset.Tcp.AcknowledgmentNumber);
        _peer.Inject(new TcpRepr(4321, 9999, 1234, 0, TcpFlags.Rst, 1000, 0, default, 0));
        Assert.True(_peer.Quiet()); // never a reset for a reset
    }
}
