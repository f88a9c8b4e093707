using System;
using System.Linq;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Protocols.Tests.Tcp.Scripted;

/// <summary>Urgent data (RFC 9293 §3.8.5, DragonFly §7): the mark, the pulled-out byte, SO_OOBINLINE, and MSG_OOB sends.</summary>
public sealed class TcpUrgentTests : IDisposable
{
    private readonly ScriptedPeer _peer = new();
    private const ushort PeerPort = 80;
    private const uint PeerIss = 5000;

    public void Dispose() => _peer.Dispose();

    private (NetKitSocket Socket, ushort LocalPort, uint OurNext) Establish(bool inline = false)
    {
        var socket = NetKitSocket.Create(_peer.Stack, SocketType.Stream);
        if (inline) socket.SetOption(SockOptLevel.Socket, SockOptName.OutOfBandInline, 1);
        socket.Blocking = false;
        Assert.Equal(Errno.EINPROGRESS, socket.TryConnect(SockAddr.IPv4(ScriptedPeer.Remote.Value, PeerPort)));
        var syn = _peer.Next()!.Value;
        _peer.Inject(new TcpRepr(PeerPort, syn.Tcp.SourcePort, PeerIss, syn.Tcp.SequenceNumber + 1, TcpFlags.Syn | TcpFlags.Ack, 8000, 0, new TcpOptions { MaxSegmentSize = 1460 }, 0));
        Assert.Equal(TcpFlags.Ack, _peer.Next()!.Value.Tcp.Flags);
        return (socket, syn.Tcp.SourcePort, syn.Tcp.SequenceNumber + 1);
    }

    [Fact]
    public void TheUrgentByteIsPulledOutAndReadsStopAtTheMark()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        Assert.Equal(Errno.EINVAL, socket.TryReceiveOutOfBand(out _)); // no mark yet
        // "abc" then urgent "!" then "def": the urgent pointer points past the '!' (BSD convention).
        var data = "abc!def"u8.ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Psh, 8000, 4, default, data.Length), data);
        _peer.Threads.Sync();

        var buffer = new byte[16];
        Assert.False(socket.AtOutOfBandMark);
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out int n));
        Assert.Equal("abc"u8.ToArray(), buffer[..n]); // stops at the mark
        Assert.True(socket.AtOutOfBandMark);
        Assert.Equal(Errno.None, socket.TryReceiveOutOfBand(out byte urgent, peek: true));
        Assert.Equal((byte)'!', urgent);
        Assert.Equal(Errno.None, socket.TryReceiveOutOfBand(out urgent));
        Assert.Equal((byte)'!', urgent);
        Assert.Equal(Errno.EINVAL, socket.TryReceiveOutOfBand(out _)); // read once
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out n));
        Assert.Equal("def"u8.ToArray(), buffer[..n]); // the urgent byte is not in the stream
    }

    [Fact]
    public void AnUrgentByteThatArrivesOutOfOrderIsStillPulledOut()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        // "!def" with the urgent pointer past '!' arrives before "abc": it waits in the reassembly queue.
        var tail = "!def"u8.ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 4, ourNext, TcpFlags.Ack | TcpFlags.Urg, 8000, 1, default, tail.Length), tail);
        var head = "abc"u8.ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack, 8000, 0, default, head.Length), head);
        _peer.Threads.Sync();

        var buffer = new byte[16];
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out int n));
        Assert.Equal("abc"u8.ToArray(), buffer[..n]);
        Assert.True(socket.AtOutOfBandMark);
        Assert.Equal(Errno.None, socket.TryReceiveOutOfBand(out byte urgent));
        Assert.Equal((byte)'!', urgent);
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out n));
        Assert.Equal("def"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public void AnUrgentPointerAheadOfTheDataMeansTheByteHasNotArrived()
    {
        var (socket, local, ourNext) = Establish();
        using var owned = socket;
        var data = "xy"u8.ToArray();
        // The pointer says the urgent byte is the 5th byte from here; only 2 bytes came.
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack | TcpFlags.Urg, 8000, 5, default, data.Length), data);
        _peer.Threads.Sync();
        Assert.Equal(Errno.EAGAIN, socket.TryReceiveOutOfBand(out _));
        var rest = "zw!"u8.ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 3, ourNext, TcpFlags.Ack, 8000, 0, default, rest.Length), rest);
        _peer.Threads.Sync();
        Assert.Equal(Errno.None, socket.TryReceiveOutOfBand(out byte urgent));
        Assert.Equal((byte)'!', urgent);
        var buffer = new byte[16];
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out int n));
        Assert.Equal("xyzw"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public void WithOobInlineTheByteStaysInTheStreamAtTheMark()
    {
        var (socket, local, ourNext) = Establish(inline: true);
        using var owned = socket;
        var data = "ab!c"u8.ToArray();
        _peer.Inject(new TcpRepr(PeerPort, local, PeerIss + 1, ourNext, TcpFlags.Ack | TcpFlags.Urg, 8000, 3, default, data.Length), data);
        _peer.Threads.Sync();
        Assert.Equal(Errno.EINVAL, socket.TryReceiveOutOfBand(out _));
        var buffer = new byte[16];
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out int n));
        Assert.Equal("ab"u8.ToArray(), buffer[..n]);
        Assert.True(socket.AtOutOfBandMark);
        Assert.Equal(Errno.None, socket.TryReceive(buffer, out n));
        Assert.Equal("!c"u8.ToArray(), buffer[..n]);
    }

    [Fact]
    public void AnOutOfBandSendSetsTheUrgentPointerPastTheByte()
    {
        var (socket, _, ourNext) = Establish();
        using var owned = socket;
        Assert.Equal(Errno.None, socket.TrySend("hello"u8, out _));
        var first = _peer.Next()!.Value;
        Assert.Equal(5, first.Payload.Length);
        Assert.False(first.Has(TcpFlags.Urg));
        Assert.Equal(Errno.None, socket.TrySendOutOfBand((byte)'!'));
        var withByte = _peer.Next()!.Value; // not held by Nagle although "hello" is unacknowledged
        Assert.True(withByte.Has(TcpFlags.Urg));
        Assert.Equal(ourNext + 5, withByte.Tcp.SequenceNumber);
        Assert.Equal((byte)'!', withByte.Payload[0]);
        Assert.Equal(1, withByte.Tcp.UrgentPointer); // one past the urgent byte, relative to this segment
    }
}
