using System;
using System.Threading;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A socket as the stack sees it (DragonFly <c>struct socket</c>): which protocol of which stack serves it, the
/// port of the protocol thread that owns it (<c>so_port</c>), that protocol's control block, and the socket-level
/// options that are set in the caller's context. Requests reach the owner as <see cref="SocketRequest"/> netmsgs
/// built by the stack's generated code.
/// </summary>
public class NetSocket
{
    private int _options;
    private int _sendBufferSize;
    private int _receiveBufferSize;

    private int _error;
    private long _receiveTimeoutTicks;
    private long _sendTimeoutTicks;
    private long _linger;

    public NetSocket(NetStack stack, int protocolIndex, MessagePort home)
        : this(stack, protocolIndex, home, SocketType.None)
    {
    }

    public NetSocket(NetStack stack, int protocolIndex, MessagePort home, SocketType type)
    {
        Stack = stack;
        ProtocolIndex = protocolIndex;
        Home = new HomePort(home);
        Type = type;
        _sendBufferSize = DefaultBufferSize;
        _receiveBufferSize = DefaultBufferSize;
    }

    /// <summary>Default SO_SNDBUF / SO_RCVBUF in bytes.</summary>
    public const int DefaultBufferSize = 256 * 1024;

    /// <summary>Largest SO_SNDBUF / SO_RCVBUF accepted (DragonFly <c>sb_max</c>); above it a set fails with ENOBUFS.</summary>
    public const int MaxBufferSize = 16 * 1024 * 1024;

    /// <summary>The socket type it was created with (SO_TYPE).</summary>
    public SocketType Type { get; }

    /// <summary>
    /// Records an asynchronous error for the application (<c>so_error</c>: an ICMP error on a UDP socket, a failed
    /// asynchronous connect). The next operation or SO_ERROR reports it once.
    /// </summary>
    public void SetError(Errno error) => Volatile.Write(ref _error, (int)error);

    /// <summary>Reads and clears the pending error (SO_ERROR).</summary>
    public Errno TakeError() => (Errno)Interlocked.Exchange(ref _error, 0);

    /// <summary>The pending error without clearing it.</summary>
    public Errno PendingError => (Errno)Volatile.Read(ref _error);

    /// <summary>SO_RCVTIMEO for blocking receives; zero waits forever.</summary>
    public TimeSpan ReceiveTimeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _receiveTimeoutTicks));
        set => Volatile.Write(ref _receiveTimeoutTicks, value.Ticks);
    }

    /// <summary>SO_SNDTIMEO for blocking sends; zero waits forever.</summary>
    public TimeSpan SendTimeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _sendTimeoutTicks));
        set => Volatile.Write(ref _sendTimeoutTicks, value.Ticks);
    }

    /// <summary>SO_LINGER: on, and seconds (l_onoff, l_linger).</summary>
    public (bool On, int Seconds) Linger
    {
        get
        {
            long value = Volatile.Read(ref _linger);
            return (value >> 32 != 0, (int)value);
        }
        set => Volatile.Write(ref _linger, (value.On ? 1L << 32 : 0) | (uint)value.Seconds);
    }

    /// <summary>The stack this socket belongs to.</summary>
    public NetStack Stack { get; }

    /// <summary>The protocol serving it: an index into its stack's generated protocol list.</summary>
    public int ProtocolIndex { get; }

    /// <summary>The owner protocol thread's port; moves when the protocol migrates the socket (connect).</summary>
    public HomePort Home { get; }

    /// <summary>The protocol's control block (pcb). Touched only on the owner thread.</summary>
    public object? ProtocolControlBlock { get; set; }

    /// <summary>Receive buffer of a datagram socket, created by its protocol on attach.</summary>
    public SocketBuffers.DatagramReceiveQueue? Datagrams { get; set; }

    // ---------------- connection-oriented sockets ----------------

    private int _state;
    private int _outputPosted;
    private readonly SocketBuffers.RingSignal _stateChanged = new();

    /// <summary>Send buffer of a stream socket (<c>so_snd</c>): the application writes, the protocol thread sends from it and releases acknowledged bytes.</summary>
    public SocketBuffers.ByteRing? SendBuffer { get; set; }

    /// <summary>Receive buffer of a stream socket (<c>so_rcv</c>): the protocol thread writes in-order data, the application reads.</summary>
    public SocketBuffers.ByteRing? ReceiveBuffer { get; set; }

    private int _streamBufferHolders;

    /// <summary>
    /// Gives the socket its stream rings from <see cref="SocketBuffers.ByteRingPool.Shared"/>, held by two parties:
    /// the protocol (until its connection is closed) and the application (until it closes the socket).
    /// </summary>
    public void AttachStreamBuffers(int sendCapacity, int receiveCapacity)
    {
        if (SendBuffer is not null) return;
        ReceiveBuffer = SocketBuffers.ByteRingPool.Shared.Rent(receiveCapacity);
        SendBuffer = SocketBuffers.ByteRingPool.Shared.Rent(sendCapacity);
        Volatile.Write(ref _streamBufferHolders, 2);
    }

    /// <summary>One party is done with the rings; the second to say so returns them to the pool.</summary>
    public void ReleaseStreamBuffers()
    {
        if (SendBuffer is null || Interlocked.Decrement(ref _streamBufferHolders) != 0) return;
        var send = SendBuffer;
        var receive = ReceiveBuffer!;
        SendBuffer = null;
        ReceiveBuffer = null;
        SocketBuffers.ByteRingPool.Shared.Return(send);
        SocketBuffers.ByteRingPool.Shared.Return(receive);
    }

    // ---------------- urgent data (DragonFly §7: so_oobmark, t_iobc, TCPOOB_HAVEDATA/HADDATA) ----------------

    private long _outOfBandMark = -1;
    private int _outOfBandState; // 0 none, 1 the byte is held, 2 it was read
    private byte _outOfBandByte;

    /// <summary>
    /// Receive-stream position of the urgent mark (<c>so_oobmark</c> as an absolute offset: the bytes before it are
    /// the ones sent before the urgent byte); −1 when there is none. Reads stop at it.
    /// </summary>
    public long OutOfBandMark => Volatile.Read(ref _outOfBandMark);

    /// <summary>Protocol thread: a new urgent mark at stream position <paramref name="position"/>; no byte held yet.</summary>
    public void SetOutOfBandMark(long position)
    {
        Volatile.Write(ref _outOfBandState, 0);
        Volatile.Write(ref _outOfBandMark, position);
    }

    /// <summary>Protocol thread: the urgent byte, pulled out of the stream (<c>tcp_pulloutofband</c>).</summary>
    public void HoldOutOfBandByte(byte value)
    {
        _outOfBandByte = value;
        Volatile.Write(ref _outOfBandState, 1);
    }

    /// <summary>
    /// <c>tcp_usr_rcvoob</c>: the held urgent byte. EINVAL when there is no mark, the byte is inline
    /// (SO_OOBINLINE) or was already read; EAGAIN when it has not arrived yet.
    /// </summary>
    public Errno TakeOutOfBandByte(bool peek, out byte value)
    {
        value = 0;
        if ((Options & SocketOptionFlags.OutOfBandInline) != 0 || OutOfBandMark < 0) return Errno.EINVAL;
        int state = Volatile.Read(ref _outOfBandState);
        if (state == 2) return Errno.EINVAL;
        if (state == 0) return Errno.EAGAIN;
        value = _outOfBandByte;
        if (!peek) Volatile.Write(ref _outOfBandState, 2);
        return Errno.None;
    }

    /// <summary>Established connections waiting for accept, on a listening socket (<c>so_comp</c>).</summary>
    public AcceptQueue? Accepts { get; set; }

    /// <summary>The connection state (<c>so_state</c>), read by application threads.</summary>
    public SocketStates State => (SocketStates)Volatile.Read(ref _state);

    /// <summary>Sets and clears state bits atomically and wakes an application thread waiting for a change (<c>sosetstate</c>).</summary>
    public void ChangeState(SocketStates set, SocketStates clear = SocketStates.None)
    {
        int current = Volatile.Read(ref _state);
        while (true)
        {
            int next = (current | (int)set) & ~(int)clear;
            int seen = Interlocked.CompareExchange(ref _state, next, current);
            if (seen == current) break;
            current = seen;
        }
        Interlocked.MemoryBarrier();
        _stateChanged.Signal(0, force: true);
    }

    /// <summary>Wakes a thread waiting for a state change without changing it (an error was posted).</summary>
    public void WakeStateWaiter()
    {
        Interlocked.MemoryBarrier();
        _stateChanged.Signal(0, force: true);
    }

    /// <summary>Waits (one waiter at a time) until <paramref name="condition"/> holds for the state or an error is pending; false on timeout.</summary>
    public bool WaitForState(Func<SocketStates, bool> condition, int timeoutMs, CancellationToken token = default) =>
        _stateChanged.Wait(0, (this, condition), static s => s.condition(s.Item1.State) || s.Item1.PendingError != Errno.None, timeoutMs, token);

    /// <summary>Asynchronous <see cref="WaitForState"/>.</summary>
    public async System.Threading.Tasks.ValueTask WaitForStateAsync(Func<SocketStates, bool> condition, CancellationToken token = default)
    {
        while (!condition(State) && PendingError == Errno.None)
            await _stateChanged.WaitAsync(0, (this, condition), static s => s.condition(s.Item1.State) || s.Item1.PendingError != Errno.None, token).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims the right to post one "output" request (new data in the send buffer, or room made in the receive
    /// buffer): true for the first caller until the protocol thread takes it with <see cref="TakeOutputPost"/>, so a
    /// burst of writes costs one message (DragonFly's embedded async <c>rcvd</c> message, used for sends too).
    /// </summary>
    public bool TryClaimOutputPost() => Interlocked.Exchange(ref _outputPosted, 1) == 0;

    /// <summary>
    /// The protocol thread takes the posted output request before it reads the buffers (full fence), so a write
    /// that lands after this posts a new one and none is lost (the reply-before-output order of 96c6eb29).
    /// </summary>
    public void TakeOutputPost() => Interlocked.Exchange(ref _outputPosted, 0);

    /// <summary>
    /// A run-to-completion service that takes this socket's datagrams on the protocol thread instead of the receive
    /// queue (<see cref="IDatagramHandler"/>); null for an ordinary socket. Published with a release store.
    /// </summary>
    public IDatagramHandler? DatagramHandler
    {
        get => System.Threading.Volatile.Read(ref _datagramHandler);
        set => System.Threading.Volatile.Write(ref _datagramHandler, value);
    }

    private IDatagramHandler? _datagramHandler;

    /// <summary>Socket-level boolean options (<c>so_options</c>); written in the caller's context.</summary>
    public SocketOptionFlags Options
    {
        get => (SocketOptionFlags)Volatile.Read(ref _options);
        set => Volatile.Write(ref _options, (int)value);
    }

    /// <summary>Sets or clears one socket-level flag without losing a concurrent change to another.</summary>
    public void SetOption(SocketOptionFlags flag, bool on)
    {
        if (on) Interlocked.Or(ref _options, (int)flag);
        else Interlocked.And(ref _options, ~(int)flag);
    }

    /// <summary>Send buffer size in bytes (<c>SO_SNDBUF</c>); the socket layer sizes its ring from it.</summary>
    public int SendBufferSize
    {
        get => Volatile.Read(ref _sendBufferSize);
        set => Volatile.Write(ref _sendBufferSize, value);
    }

    /// <summary>Receive buffer size in bytes (<c>SO_RCVBUF</c>).</summary>
    public int ReceiveBufferSize
    {
        get => Volatile.Read(ref _receiveBufferSize);
        set => Volatile.Write(ref _receiveBufferSize, value);
    }

    /// <summary>
    /// From inside a request handler on the owner thread: moves the socket, with the running request, to
    /// <paramref name="port"/> (DragonFly <c>tcp_connect</c> forwarding its netmsg to the 4-tuple's CPU). The
    /// request runs again there, where the handler finishes it; later requests follow the new home. Return the
    /// result from the handler.
    /// </summary>
    public Errno MigrateTo(MessagePort port)
    {
        var request = SocketRequest.Current;
        if (request is null || !ReferenceEquals(request.Socket, this) || !Home.Port.IsOwnerThread)
        {
            Misuse.Report(MisuseKind.ForwardNotRunning, "MigrateTo is only valid inside a request handler running on the socket's owner thread.");
            return Errno.EINVAL;
        }
        SocketRequest.Current = null;
        request.ForwardAndRehome(port);
        return Errno.EJUSTRETURN;
    }

    public override string ToString() => $"socket(protocol {ProtocolIndex}) on {Home.Port}";
}
