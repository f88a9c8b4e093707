using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// The application's socket: BSD semantics with .NET manners, over any stack. Every operation comes in a
/// <c>Try…</c> form returning an <see cref="Errno"/> (BSD style) and a plain form that throws
/// <see cref="NetKitSocketException"/> (a <see cref="SocketException"/> with the errno and the operation). Receives
/// are blocking (honouring SO_RCVTIMEO), non-blocking (<see cref="Blocking"/> false → EAGAIN) or asynchronous
/// (<see cref="ReceiveFromAsync"/>). Requests travel to the socket's owner protocol thread as netmsgs; received
/// datagrams are read straight from the socket's rings on the calling thread.
/// One application thread at a time may receive from a socket (the rings have one reader).
/// </summary>
public sealed partial class NetKitSocket : IDisposable
{
    private readonly NetStack _stack;
    private readonly NetSocket _socket;
    private PacketBufferPool? _sendBuffers; // datagram sends only: created on the first one
    // Renting is serialised: the pool's fast path belongs to one thread and its foreign path takes the whole free
    // list at once, so two application threads renting together would see it empty (frees stay lock-free).
    private readonly object _rentGate = new();
    private int _closed;

    private NetKitSocket(NetStack stack, NetSocket socket)
    {
        _stack = stack;
        _socket = socket;
        // Datagram payloads are copied into buffers from this socket's own pool (the caller's side of DragonFly's
        // sosend copy); protocol threads free them back through the pool's lock-free inbox. Stream sockets copy
        // into their send ring instead and never need it.
    }

    /// <summary>Creates a socket (<c>socket(2)</c>) or returns the errno.</summary>
    public static Errno TryCreate(NetStack stack, SocketType type, int protocol, out NetKitSocket? socket)
    {
        ArgumentNullException.ThrowIfNull(stack);
        socket = null;
        var error = stack.CreateSocket(type, protocol, out var handle);
        if (error != Errno.None) return error;
        socket = new NetKitSocket(stack, handle!);
        return Errno.None;
    }

    /// <summary>Creates a socket or throws.</summary>
    public static NetKitSocket Create(NetStack stack, SocketType type, int protocol = 0)
    {
        NetKitSocketException.ThrowIfError(TryCreate(stack, type, protocol, out var socket), $"socket({type}, {protocol})");
        return socket!;
    }

    /// <summary>Largest payload one send can carry (the IPv4 total length bounds every datagram).</summary>
    public const int MaxDatagram = 65535;

    /// <summary>The protocol-side socket (for generated stack calls and diagnostics).</summary>
    public NetSocket Handle => _socket;

    /// <summary>False makes receives and sends return EAGAIN instead of waiting, and a lingering close not wait (see <see cref="TryClose"/>).</summary>
    public bool Blocking { get; set; } = true;

    /// <summary>
    /// Serves this socket's datagrams on the protocol threads with <paramref name="handler"/> (run to completion, no
    /// application thread involved), or, with null, goes back to queueing them for <c>ReceiveFrom</c>. Set it before
    /// <c>Bind</c> so no datagram reaches the queue first. Datagram sockets only (EOPNOTSUPP otherwise).
    /// </summary>
    public Errno TrySetDatagramHandler(IDatagramHandler? handler)
    {
        if (Closed) return Errno.EBADF;
        if (_socket.Type != SocketType.Datagram) return Errno.EOPNOTSUPP;
        _socket.DatagramHandler = handler;
        return Errno.None;
    }

    /// <inheritdoc cref="TrySetDatagramHandler"/>
    public void SetDatagramHandler(IDatagramHandler? handler) => Throw(TrySetDatagramHandler(handler), "set datagram handler");

    /// <summary>Datagrams this socket's receive queue dropped because it was full.</summary>
    public long ReceiveDrops => _socket.Datagrams?.Drops ?? 0;

    // ---------------- addresses ----------------

    public Errno TryBind(in SockAddr address) => Closed ? Errno.EBADF : _stack.Bind(_socket, address);

    public void Bind(SockAddr address) => Throw(TryBind(address), "bind", address);

    /// <summary>
    /// <c>connect</c>. A datagram socket just records its peer. A stream socket starts the handshake and, when blocking,
    /// waits for it to finish (or fail: ECONNREFUSED, ETIMEDOUT…); non-blocking it returns EINPROGRESS and the
    /// outcome shows in <see cref="NetSocket.State"/> and SO_ERROR.
    /// </summary>
    public Errno TryConnect(in SockAddr address)
    {
        if (Closed) return Errno.EBADF;
        var error = _stack.Connect(_socket, address);
        if (error != Errno.None || !IsStream) return error;
        if (!Blocking) return Errno.EINPROGRESS;
        if (Threading.ProtocolThread.Current is not null) return Errno.EDEADLK;
        _socket.WaitForState(static s => (s & (SocketStates.Connected | SocketStates.Disconnected)) != 0, Timeout.Infinite);
        return ConnectOutcome();
    }

    public void Connect(SockAddr address) => Throw(TryConnect(address), "connect", address);

    /// <summary>Dissolves a datagram socket's association (<c>connect(AF_UNSPEC)</c>).</summary>
    public Errno TryDisconnect() => Closed ? Errno.EBADF : _stack.Disconnect(_socket);

    public SockAddr LocalEndPoint
    {
        get
        {
            SockAddr address = default;
            Throw(Closed ? Errno.EBADF : _stack.GetSocketAddress(_socket, out address), "getsockname");
            return address;
        }
    }

    public SockAddr RemoteEndPoint
    {
        get
        {
            SockAddr address = default;
            Throw(Closed ? Errno.EBADF : _stack.GetPeerAddress(_socket, out address), "getpeername");
            return address;
        }
    }

    // ---------------- sending ----------------

    /// <summary>Sends one datagram to <paramref name="destination"/> (<c>sendto</c>); <paramref name="sent"/> is its length.</summary>
    public Errno TrySendTo(ReadOnlySpan<byte> payload, in SockAddr destination, out int sent)
    {
        sent = 0;
        if (Closed) return Errno.EBADF;
        var error = _socket.TakeError();
        if (error != Errno.None) return error;
        if (payload.Length > MaxDatagram) return Errno.EMSGSIZE;
        if (CopyToSendBuffer(payload) is not { } buffer) return Errno.ENOBUFS;
        error = _stack.Send(_socket, buffer, destination, 0);
        if (error == Errno.None) sent = payload.Length;
        return error;
    }

    public int SendTo(ReadOnlySpan<byte> payload, SockAddr destination)
    {
        Throw(TrySendTo(payload, destination, out int sent), "sendto", destination);
        return sent;
    }

    /// <summary>
    /// Sends one datagram without waiting for the protocol thread (DragonFly's asynchronous send): the payload is
    /// copied here and the request posted. Errors the protocol finds (no route, EACCES, …) are reported by this
    /// socket's next call, as BSD reports asynchronous errors through <c>so_error</c>. Use it where latency matters.
    /// </summary>
    public Errno TryPostSendTo(ReadOnlySpan<byte> payload, in SockAddr destination)
    {
        if (Closed) return Errno.EBADF;
        var error = _socket.TakeError();
        if (error != Errno.None) return error;
        if (payload.Length > MaxDatagram) return Errno.EMSGSIZE;
        if (CopyToSendBuffer(payload) is not { } buffer) return Errno.ENOBUFS;
        return _stack.PostSend(_socket, buffer, destination, 0);
    }

    /// <summary>
    /// The caller's side of the sosend copy: <paramref name="payload"/> in buffers from this socket's own pool
    /// (created on the first send; protocol threads free into its lock-free inbox), or null when it is exhausted.
    /// </summary>
    private PacketBuffer? CopyToSendBuffer(ReadOnlySpan<byte> payload)
    {
        PacketBuffer? buffer;
        lock (_rentGate)
        {
            var pool = _sendBuffers ??= new PacketBufferPool(new PacketBufferPoolOptions { MaxBuffers = 4096, BuffersPerSlab = 16 });
            buffer = pool.TryRentChain(payload.Length, pool.Options.DefaultHeadroom);
        }
        buffer?.CopyIntoChain(payload);
        return buffer;
    }

    /// <summary>Posted send on a connected socket.</summary>
    public Errno TryPostSend(ReadOnlySpan<byte> payload) => TryPostSendTo(payload, default);

    /// <summary>Sends on a connected socket (<c>send</c>).</summary>
    public Errno TrySend(ReadOnlySpan<byte> payload, out int sent) =>
        IsStream ? TrySendStream(payload, out sent) : TrySendTo(payload, default, out sent);

    public int Send(ReadOnlySpan<byte> payload)
    {
        Throw(TrySend(payload, out int sent), "send");
        return sent;
    }

    /// <summary>
    /// Asynchronous send. The request itself completes on the owner thread in microseconds, so this runs it
    /// synchronously and returns a completed task.
    /// </summary>
    public ValueTask<int> SendToAsync(ReadOnlyMemory<byte> payload, SockAddr destination, CancellationToken token = default)
    {
        if (token.IsCancellationRequested) return ValueTask.FromCanceled<int>(token);
        var error = TrySendTo(payload.Span, destination, out int sent);
        return error == Errno.None ? new ValueTask<int>(sent) : ValueTask.FromException<int>(new NetKitSocketException($"sendto {destination}", error));
    }

    // ---------------- receiving ----------------

    /// <summary>
    /// Receives one datagram (<c>recvfrom</c>): copies up to the buffer's length (the rest of a longer datagram is
    /// discarded; <paramref name="datagramLength"/> says how long it was). Waits while blocking, up to SO_RCVTIMEO
    /// (EAGAIN when it expires); a pending asynchronous error (an ICMP port unreachable) is reported once.
    /// </summary>
    public Errno TryReceiveFrom(Span<byte> buffer, out int received, out int datagramLength, out SockAddr source)
    {
        received = datagramLength = 0;
        source = default;
        if (Closed) return Errno.EBADF;
        var queue = _socket.Datagrams;
        if (queue is null) return Errno.EOPNOTSUPP;
        var timeout = _socket.ReceiveTimeout;
        long deadline = timeout > TimeSpan.Zero ? Environment.TickCount64 + Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds)) : long.MaxValue;
        while (true)
        {
            if (queue.TryRead(buffer, out source, out received, out datagramLength)) return Errno.None;
            var error = _socket.TakeError();
            if (error != Errno.None) return error;
            if (queue.IsCompleted) return Errno.EBADF;
            if (!Blocking) return Errno.EAGAIN;
            // A protocol thread never sleeps on a socket: its own input would be the one to wake it.
            if (Threading.ProtocolThread.Current is not null) return Errno.EDEADLK;
            long remaining = deadline == long.MaxValue ? Timeout.Infinite : deadline - Environment.TickCount64;
            if (remaining <= 0 && deadline != long.MaxValue) return Errno.EAGAIN;
            queue.WaitForData((int)Math.Min(remaining, int.MaxValue));
        }
    }

    public int ReceiveFrom(Span<byte> buffer, out SockAddr source)
    {
        Throw(TryReceiveFrom(buffer, out int received, out _, out source), "recvfrom");
        return received;
    }

    /// <summary>Receives from a connected socket: one datagram, or the bytes available of a stream (0 at its end).</summary>
    public int Receive(Span<byte> buffer)
    {
        if (!IsStream) return ReceiveFrom(buffer, out _);
        Throw(TryReceive(buffer, out int received), "recv");
        return received;
    }

    /// <summary>Asynchronous send on a connected socket (see <see cref="SendToAsync"/>; a stream waits for buffer space).</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> payload, CancellationToken token = default) =>
        IsStream ? SendStreamAsync(payload, token) : SendToAsync(payload, default, token);

    /// <summary>Receives asynchronously on a connected socket; returns the bytes copied (0 at the end of a stream).</summary>
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken token = default) =>
        IsStream ? await ReceiveStreamAsync(buffer, token).ConfigureAwait(false)
                 : (await ReceiveFromAsync(buffer, token).ConfigureAwait(false)).Received;

    /// <summary>Receives one datagram asynchronously; the wait allocates nothing once pooled.</summary>
    public async ValueTask<DatagramReceiveResult> ReceiveFromAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        var queue = _socket.Datagrams ?? throw new NetKitSocketException("recvfrom", Errno.EOPNOTSUPP);
        while (true)
        {
            if (Closed) throw new NetKitSocketException("recvfrom", Errno.EBADF);
            if (queue.TryRead(buffer.Span, out var source, out int received, out int length))
                return new DatagramReceiveResult(received, length, source);
            var error = _socket.TakeError();
            if (error != Errno.None) throw new NetKitSocketException("recvfrom", error);
            if (queue.IsCompleted) throw new NetKitSocketException("recvfrom", Errno.EBADF);
            await queue.WaitForDataAsync(token).ConfigureAwait(false);
        }
    }

    // ---------------- options ----------------

    public Errno TrySetOption(int level, int name, ReadOnlySpan<byte> value) =>
        Closed ? Errno.EBADF : _stack.SetSocketOption(_socket, level, name, value);

    public Errno TryGetOption(int level, int name, Span<byte> buffer, out int length)
    {
        length = 0;
        return Closed ? Errno.EBADF : _stack.GetSocketOption(_socket, level, name, buffer, out length);
    }

    /// <summary>Sets a typed option (an int, a bool as a C int, a struct such as <see cref="Linger"/>).</summary>
    public void SetOption<T>(int level, int name, T value) where T : unmanaged =>
        Throw(TrySetOption(level, name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value))), $"setsockopt({level}, {name})");

    public void SetOption(int level, int name, bool value) => SetOption(level, name, value ? 1 : 0);

    /// <summary>Gets a typed option.</summary>
    public T GetOption<T>(int level, int name) where T : unmanaged
    {
        T value = default;
        var bytes = MemoryMarshal.AsBytes(new Span<T>(ref value));
        Throw(TryGetOption(level, name, bytes, out _), $"getsockopt({level}, {name})");
        return value;
    }

    // ---------------- closing ----------------

    /// <summary>Shuts down sending (SHUT_WR: EPIPE afterwards), receiving (SHUT_RD: reads end), or both.</summary>
    public Errno TryShutdown(SocketShutdown how)
    {
        if (Closed) return Errno.EBADF;
        if (how is SocketShutdown.Receive or SocketShutdown.Both)
        {
            _socket.Datagrams?.CompleteWriting();
            _socket.ReceiveBuffer?.CompleteReading();
        }
        return how is SocketShutdown.Send or SocketShutdown.Both ? _stack.Shutdown(_socket) : Errno.None;
    }

    public void Shutdown(SocketShutdown how) => Throw(TryShutdown(how), "shutdown");

    /// <summary>
    /// Closes the socket (<c>close(2)</c>): the protocol forgets it and its port is free again; a connection sends
    /// what is still queued, then its FIN, and finishes in the background. With SO_LINGER on and a timeout it first
    /// lingers (see <see cref="TryClose"/>); with SO_LINGER on and a zero timeout it resets the connection.
    /// Like Linux's <c>close</c>, it reports nothing: <see cref="TryClose"/> tells how a lingering close ended.
    /// Calling it again does nothing.
    /// </summary>
    public void Dispose() => TryClose();

    /// <inheritdoc cref="Dispose"/>
    public void Close() => TryClose();

    /// <summary>
    /// Closes the socket and tells how a lingering close ended. With SO_LINGER on and a timeout above zero, a
    /// connected stream socket first shuts down sending (its FIN follows the queued data) and waits until the peer
    /// has acknowledged everything, FIN included, or the connection ends, or the linger time runs out (socket(7):
    /// "close(2) … will not return until all queued messages for the socket have been successfully sent or the
    /// linger timeout has been reached"; BSD <c>soclose</c>, Linux <c>sk_stream_wait_close</c>); then it closes as
    /// <see cref="Dispose"/> does. Either way the connection is not reset by the timeout: what is left is sent in the
    /// background.
    /// <para>Returns <see cref="Errno.None"/> when the peer acknowledged everything (or no linger applied);
    /// <see cref="Errno.EWOULDBLOCK"/> when the socket was closed before that was known: the linger time ran out
    /// (as BSD's <c>soclose</c> returns the <c>tsleep</c> timeout), or the close did not wait at all, because the
    /// socket is non-blocking (<see cref="Blocking"/> false, as BSD skips the wait for SS_NBIO) or the caller is a
    /// protocol thread, which never sleeps on a socket; the error that ended the connection while lingering
    /// (ECONNRESET, ETIMEDOUT) when the peer never acknowledged everything; <see cref="Errno.EBADF"/> when the socket
    /// was already closed. The socket is closed in every case.</para>
    /// <para>No linger happens when the socket is not a connected stream, its connection has already ended, or
    /// received data lies unread: closing then resets the connection at once, as Linux's <c>tcp_close</c> does.</para>
    /// </summary>
    public Errno TryClose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return Errno.EBADF;
        var outcome = Errno.None;
        if (LingerTimeout() is int timeoutMs)
        {
            if (!Blocking || Threading.ProtocolThread.Current is not null)
            {
                outcome = LingerOutcome(); // the FIN goes with the detach; the rest finishes in the background
            }
            else
            {
                _stack.Shutdown(_socket); // the FIN after the queued data (an error means the connection is over)
                long deadline = Environment.TickCount64 + timeoutMs;
                while (!LingerOver())
                {
                    long remaining = deadline - Environment.TickCount64;
                    if (remaining <= 0) break;
                    _socket.WaitForState(LingerDone, (int)remaining);
                }
                outcome = LingerOutcome();
            }
        }
        Release();
        return outcome;
    }

    /// <summary>
    /// <see cref="TryClose"/> without blocking a thread: the linger is awaited. <paramref name="token"/> ends the wait
    /// early, as if the linger time had run out (EWOULDBLOCK); the socket is closed in every case. A non-blocking
    /// socket lingers here too (asynchronous calls wait regardless of <see cref="Blocking"/>).
    /// </summary>
    public async ValueTask<Errno> TryCloseAsync(CancellationToken token = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return Errno.EBADF;
        var outcome = Errno.None;
        if (LingerTimeout() is int timeoutMs)
        {
            _stack.Shutdown(_socket);
            if (!LingerOver())
            {
                using var linger = CancellationTokenSource.CreateLinkedTokenSource(token);
                linger.CancelAfter(timeoutMs);
                try
                {
                    await _socket.WaitForStateAsync(LingerDone, linger.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (linger.IsCancellationRequested)
                {
                    // The linger time ran out (or the caller gave up): close anyway.
                }
            }
            outcome = LingerOutcome();
        }
        Release();
        return outcome;
    }

    /// <summary>
    /// The linger time in milliseconds when a close should wait: SO_LINGER on with a timeout, a connected stream
    /// whose connection has not ended, and nothing unread (that resets at once). Null otherwise.
    /// </summary>
    private int? LingerTimeout()
    {
        if (!IsStream) return null;
        var (on, seconds) = _socket.Linger;
        if (!on || seconds <= 0) return null;
        var state = _socket.State;
        if ((state & SocketStates.Connected) == 0 || (state & (SocketStates.Disconnected | SocketStates.Listening)) != 0) return null;
        if (_socket.ReceiveBuffer is { ReadableCount: > 0 }) return null;
        return (int)Math.Min(seconds * 1000L, int.MaxValue);
    }

    private static bool LingerDone(SocketStates state) => (state & (SocketStates.SendAcknowledged | SocketStates.Disconnected)) != 0;

    // A pending error ends the wait too: the protocol posts one only as the connection ends.
    private bool LingerOver() => LingerDone(_socket.State) || _socket.PendingError != Errno.None;

    /// <summary>What a lingering close reports, from the state when it stopped waiting.</summary>
    private Errno LingerOutcome()
    {
        var state = _socket.State;
        if ((state & SocketStates.SendAcknowledged) != 0) return Errno.None;
        var error = _socket.TakeError();
        if (error != Errno.None) return error;
        // Ended without our FIN acknowledged and without an error: a reset in LAST-ACK or CLOSING.
        return (state & SocketStates.Disconnected) != 0 ? Errno.ECONNRESET : Errno.EWOULDBLOCK;
    }

    /// <summary>The protocol forgets the socket, waiting readers see the end, unaccepted connections are reset.</summary>
    private void Release()
    {
        _stack.Detach(_socket);
        _socket.Datagrams?.CompleteWriting();
        _socket.ReceiveBuffer?.CompleteReading();
        if (_socket.Accepts is { } queue)
        {
            // Connections established but never accepted are reset, as BSD's soclose aborts so_comp.
            foreach (var pending in queue.Close())
            {
                _stack.Abort(pending);
                _stack.Detach(pending);
                pending.ReleaseStreamBuffers();
            }
        }
        _socket.ReleaseStreamBuffers();
    }

    private bool Closed => Volatile.Read(ref _closed) != 0;

    private static void Throw(Errno error, string operation) => NetKitSocketException.ThrowIfError(error, operation);

    private static void Throw(Errno error, string operation, SockAddr address)
    {
        if (error != Errno.None) throw new NetKitSocketException($"{operation} {address}", error);
    }

    public override string ToString() => $"NetKitSocket({_socket})";
}
