using System;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// The connection-oriented half of <see cref="NetKitSocket"/>: listen, accept, and byte-stream send and receive
/// through the socket's rings. The application thread copies straight into the send ring and out of the receive
/// ring (DragonFly's sosendtcp/sorecvtcp without the mbufs); the protocol thread hears about new data or new room
/// through one coalesced posted request (<see cref="NetSocket.TryClaimOutputPost"/>).
/// One application thread at a time may send, and one may receive (each ring has one application side).
/// </summary>
public sealed partial class NetKitSocket
{
    private bool IsStream => _socket.Type == SocketType.Stream;

    // ---------------- listening ----------------

    /// <summary><c>listen</c>: the socket accepts connections, up to <paramref name="backlog"/> waiting at once.</summary>
    public Errno TryListen(int backlog = 128) => Closed ? Errno.EBADF : _stack.Listen(_socket, backlog);

    public void Listen(int backlog = 128) => Throw(TryListen(backlog), "listen");

    /// <summary>
    /// <c>accept</c>: the oldest established connection, waiting for one while blocking (up to SO_RCVTIMEO: EAGAIN).
    /// The connection lives on the protocol thread its 4-tuple hashes to.
    /// </summary>
    public Errno TryAccept(out NetKitSocket? accepted)
    {
        accepted = null;
        if (Closed) return Errno.EBADF;
        if (_socket.Accepts is not { } queue) return Errno.EINVAL; // not listening
        long deadline = Deadline(_socket.ReceiveTimeout);
        while (true)
        {
            if (queue.TryDequeue(out var connection))
            {
                accepted = new NetKitSocket(_stack, connection!);
                return Errno.None;
            }
            if (queue.IsClosed) return Errno.ECONNABORTED;
            if (!Blocking) return Errno.EAGAIN;
            if (ProtocolThread.Current is not null) return Errno.EDEADLK;
            if (!WaitUntil(deadline, out int remaining)) return Errno.EAGAIN;
            queue.Wait(remaining);
        }
    }

    public NetKitSocket Accept()
    {
        Throw(TryAccept(out var accepted), "accept");
        return accepted!;
    }

    /// <summary>Accepts asynchronously.</summary>
    public async ValueTask<NetKitSocket> AcceptAsync(CancellationToken token = default)
    {
        var queue = _socket.Accepts ?? throw new NetKitSocketException("accept", Errno.EINVAL);
        while (true)
        {
            if (Closed) throw new NetKitSocketException("accept", Errno.EBADF);
            if (queue.TryDequeue(out var connection)) return new NetKitSocket(_stack, connection!);
            if (queue.IsClosed) throw new NetKitSocketException("accept", Errno.ECONNABORTED);
            await queue.WaitAsync(token).ConfigureAwait(false);
        }
    }

    // ---------------- connecting ----------------

    /// <summary>Connects a stream socket asynchronously: completes when established, throws when refused or timed out.</summary>
    public async ValueTask ConnectAsync(SockAddr address, CancellationToken token = default)
    {
        if (Closed) throw new NetKitSocketException("connect", Errno.EBADF);
        var error = _stack.Connect(_socket, address);
        if (error == Errno.None && IsStream)
        {
            await _socket.WaitForStateAsync(static s => (s & (SocketStates.Connected | SocketStates.Disconnected)) != 0, token).ConfigureAwait(false);
            error = ConnectOutcome();
        }
        if (error != Errno.None) throw new NetKitSocketException($"connect {address}", error);
    }

    private Errno ConnectOutcome()
    {
        var state = _socket.State;
        if ((state & SocketStates.Connected) != 0) return Errno.None;
        var error = _socket.TakeError();
        if (error != Errno.None) return error;
        return (state & SocketStates.Disconnected) != 0 ? Errno.ECONNREFUSED : Errno.EALREADY;
    }

    // ---------------- byte streams ----------------

    /// <summary>
    /// Stream send: copies as much as fits into the send ring and tells the protocol thread; while blocking, waits
    /// for room until everything is copied (up to SO_SNDTIMEO: then the bytes copied so far, or EAGAIN).
    /// </summary>
    private Errno TrySendStream(ReadOnlySpan<byte> payload, out int sent)
    {
        sent = 0;
        if (Closed) return Errno.EBADF;
        if (_socket.SendBuffer is not { } ring) return Errno.ENOTCONN;
        long deadline = Deadline(_socket.SendTimeout);
        while (true)
        {
            var problem = SendProblem();
            if (problem == Errno.ENOTCONN && Blocking && (_socket.State & SocketStates.Connecting) != 0 && ProtocolThread.Current is null)
            {
                // sosend on a connecting socket waits for the handshake (SS_ISCONNECTING).
                if (!WaitUntil(deadline, out int left)) return Errno.EAGAIN;
                _socket.WaitForState(static s => (s & (SocketStates.Connected | SocketStates.Disconnected)) != 0, left);
                continue;
            }
            if (problem != Errno.None) return sent > 0 ? Errno.None : problem;
            int written = ring.Write(payload[sent..]);
            if (written > 0)
            {
                sent += written;
                PostOutput();
            }
            if (sent == payload.Length) return Errno.None;
            if (!Blocking) return sent > 0 ? Errno.None : Errno.EAGAIN;
            if (ProtocolThread.Current is not null) return sent > 0 ? Errno.None : Errno.EDEADLK;
            if (!WaitUntil(deadline, out int remaining)) return sent > 0 ? Errno.None : Errno.EAGAIN;
            WaitForSendRoom(ring, remaining);
        }
    }

    private void WaitForSendRoom(ByteRing ring, int timeoutMs)
    {
        // The ring's writer wait wakes when the protocol thread releases acknowledged bytes; a state change (reset)
        // completes the ring's reading side, which wakes it too.
        ring.WaitForSpace(Math.Min(ring.Capacity / 4, 64 * 1024), timeoutMs);
    }

    private async ValueTask<int> SendStreamAsync(ReadOnlyMemory<byte> payload, CancellationToken token)
    {
        if (Closed) throw new NetKitSocketException("send", Errno.EBADF);
        var ring = _socket.SendBuffer ?? throw new NetKitSocketException("send", Errno.ENOTCONN);
        int sent = 0;
        while (true)
        {
            var problem = SendProblem();
            if (problem != Errno.None)
            {
                if (sent > 0) return sent;
                throw new NetKitSocketException("send", problem);
            }
            int written = ring.Write(payload.Span[sent..]);
            if (written > 0)
            {
                sent += written;
                PostOutput();
            }
            if (sent == payload.Length) return sent;
            await ring.WaitForSpaceAsync(Math.Min(ring.Capacity / 4, 64 * 1024), token).ConfigureAwait(false);
        }
    }

    private Errno SendProblem()
    {
        var error = _socket.TakeError();
        if (error != Errno.None) return error;
        var state = _socket.State;
        if ((state & SocketStates.CantSendMore) != 0) return Errno.EPIPE;
        if ((state & SocketStates.Connected) == 0) return Errno.ENOTCONN;
        return Errno.None;
    }

    /// <summary>
    /// Stream receive: the bytes available now, up to the buffer; 0 at the end of the stream (the peer's FIN, once
    /// everything before it was read); waits while blocking (SO_RCVTIMEO: EAGAIN). A reset reports ECONNRESET once.
    /// </summary>
    public Errno TryReceive(Span<byte> buffer, out int received)
    {
        received = 0;
        if (Closed) return Errno.EBADF;
        if (!IsStream)
        {
            return TryReceiveFrom(buffer, out received, out _, out _);
        }
        if (_socket.ReceiveBuffer is not { } ring) return Errno.ENOTCONN;
        if (buffer.IsEmpty) return Errno.None;
        long deadline = Deadline(_socket.ReceiveTimeout);
        while (true)
        {
            received = ring.Read(ClipAtMark(ring, buffer));
            if (received > 0)
            {
                PostOutput(); // room made: the protocol decides whether the window moved enough to say so
                return Errno.None;
            }
            var error = _socket.TakeError();
            if (error != Errno.None) return error;
            // End of stream, unless a reset completed the ring after the error check above (it posts the error first).
            if (ring.IsCompleted) return _socket.TakeError();
            if (!Blocking) return Errno.EAGAIN;
            if (ProtocolThread.Current is not null) return Errno.EDEADLK;
            if (!WaitUntil(deadline, out int remaining)) return Errno.EAGAIN;
            if ((_socket.State & SocketStates.Connected) == 0 && (_socket.State & SocketStates.Connecting) == 0)
                return Errno.ENOTCONN;
            ring.WaitForData(1, remaining);
        }
    }

    private async ValueTask<int> ReceiveStreamAsync(Memory<byte> buffer, CancellationToken token)
    {
        if (Closed) throw new NetKitSocketException("recv", Errno.EBADF);
        var ring = _socket.ReceiveBuffer ?? throw new NetKitSocketException("recv", Errno.ENOTCONN);
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            int received = ring.Read(ClipAtMark(ring, buffer.Span));
            if (received > 0)
            {
                PostOutput();
                return received;
            }
            var error = _socket.TakeError();
            if (error != Errno.None) throw new NetKitSocketException("recv", error);
            if (ring.IsCompleted)
            {
                error = _socket.TakeError(); // a reset that completed the ring after the check above
                return error == Errno.None ? 0 : throw new NetKitSocketException("recv", error);
            }
            await ring.WaitForDataAsync(1, token).ConfigureAwait(false);
        }
    }

    /// <summary>A read stops at the urgent mark (sorecvtcp), so the application can tell what came before it.</summary>
    private Span<byte> ClipAtMark(ByteRing ring, Span<byte> buffer)
    {
        long mark = _socket.OutOfBandMark;
        if (mark < 0) return buffer;
        long before = mark - ring.TotalRead;
        return before > 0 && before < buffer.Length ? buffer[..(int)before] : buffer;
    }

    /// <summary>SIOCATMARK: true when the next byte read is the first after the urgent mark.</summary>
    public bool AtOutOfBandMark => _socket.ReceiveBuffer is { } ring && _socket.OutOfBandMark >= 0 && ring.TotalRead == _socket.OutOfBandMark;

    /// <summary>
    /// <c>recv(MSG_OOB)</c>: the urgent byte, unless SO_OOBINLINE left it in the stream (EINVAL), it has not arrived
    /// (EAGAIN) or was already read (EINVAL).
    /// </summary>
    public Errno TryReceiveOutOfBand(out byte value, bool peek = false)
    {
        value = 0;
        if (Closed) return Errno.EBADF;
        if (!IsStream) return Errno.EOPNOTSUPP;
        return _socket.TakeOutOfBandByte(peek, out value);
    }

    /// <summary>
    /// <c>send(MSG_OOB)</c> of one byte: it joins the stream and the urgent pointer is set past it (BSD convention),
    /// synchronously, as DragonFly always sends MSG_OOB.
    /// </summary>
    public Errno TrySendOutOfBand(byte value)
    {
        if (Closed) return Errno.EBADF;
        if (!IsStream) return Errno.EOPNOTSUPP;
        var problem = SendProblem();
        if (problem != Errno.None) return problem;
        // The byte travels in the request and the protocol thread appends it to the send ring itself, setting the
        // urgent pointer in the same step (tcp_usr_send with PRUS_OOB): no output can send it as ordinary data
        // first. This thread, the ring's writer, waits in the request meanwhile, so the ring keeps one writer.
        if (CopyToSendBuffer([value]) is not { } buffer) return Errno.ENOBUFS;
        return _stack.Send(_socket, buffer, default, MessageFlagOutOfBand);
    }

    /// <summary>MSG_OOB.</summary>
    public const int MessageFlagOutOfBand = 0x1;

    /// <summary>Tells the protocol thread about new data or room, unless a notice is already on its way.</summary>
    private void PostOutput()
    {
        if (_socket.TryClaimOutputPost()) _stack.PostSend(_socket, null, default, 0);
    }

    private static long Deadline(TimeSpan timeout) =>
        timeout > TimeSpan.Zero ? Environment.TickCount64 + Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds)) : long.MaxValue;

    private static bool WaitUntil(long deadline, out int remainingMs)
    {
        if (deadline == long.MaxValue)
        {
            remainingMs = Timeout.Infinite;
            return true;
        }
        long remaining = deadline - Environment.TickCount64;
        remainingMs = (int)Math.Clamp(remaining, 0, int.MaxValue);
        return remaining > 0;
    }
}
