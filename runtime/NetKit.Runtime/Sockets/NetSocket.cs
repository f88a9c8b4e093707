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
