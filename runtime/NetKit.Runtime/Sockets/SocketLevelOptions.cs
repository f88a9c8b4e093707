using System;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// The SOL_SOCKET options every stack offers, declared like any option table and compiled by the generator. They
/// run in the caller's context and change only the socket's own state, as DragonFly's <c>sosetopt</c> does; the
/// protocol is then notified through its ControlOutput handler. List this class in a stack's
/// <see cref="NetworkStackAttribute"/>.
/// </summary>
[SocketOptionTable]
public static partial class SocketLevelOptions
{
    private const int Level = SockOptLevel.Socket;

    private static Errno Flag(NetSocket socket, SocketOptionFlags flag, bool on)
    {
        socket.SetOption(flag, on);
        return Errno.None;
    }

    private static bool Has(NetSocket socket, SocketOptionFlags flag) => (socket.Options & flag) != 0;

    [SockOpt(Level, SockOptName.ReuseAddress, SockOptAccess.Set)]
    public static Errno SetReuseAddress(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.ReuseAddress, value);

    [SockOpt(Level, SockOptName.ReuseAddress, SockOptAccess.Get)]
    public static Errno GetReuseAddress(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.ReuseAddress);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.ReusePort, SockOptAccess.Set)]
    public static Errno SetReusePort(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.ReusePort, value);

    [SockOpt(Level, SockOptName.ReusePort, SockOptAccess.Get)]
    public static Errno GetReusePort(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.ReusePort);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.Broadcast, SockOptAccess.Set)]
    public static Errno SetBroadcast(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.Broadcast, value);

    [SockOpt(Level, SockOptName.Broadcast, SockOptAccess.Get)]
    public static Errno GetBroadcast(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.Broadcast);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.KeepAlive, SockOptAccess.Set)]
    public static Errno SetKeepAlive(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.KeepAlive, value);

    [SockOpt(Level, SockOptName.KeepAlive, SockOptAccess.Get)]
    public static Errno GetKeepAlive(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.KeepAlive);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.DontRoute, SockOptAccess.Set)]
    public static Errno SetDontRoute(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.DontRoute, value);

    [SockOpt(Level, SockOptName.DontRoute, SockOptAccess.Get)]
    public static Errno GetDontRoute(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.DontRoute);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.OutOfBandInline, SockOptAccess.Set)]
    public static Errno SetOutOfBandInline(NetSocket socket, bool value) => Flag(socket, SocketOptionFlags.OutOfBandInline, value);

    [SockOpt(Level, SockOptName.OutOfBandInline, SockOptAccess.Get)]
    public static Errno GetOutOfBandInline(NetSocket socket, out bool value)
    {
        value = Has(socket, SocketOptionFlags.OutOfBandInline);
        return Errno.None;
    }

    /// <summary>SO_SNDBUF: below 1 → EINVAL (declared range), above <see cref="NetSocket.MaxBufferSize"/> → ENOBUFS (<c>ssb_reserve</c>).</summary>
    [SockOpt(Level, SockOptName.SendBuffer, SockOptAccess.Set, Minimum = 1)]
    public static Errno SetSendBuffer(NetSocket socket, int value)
    {
        if (value > NetSocket.MaxBufferSize) return Errno.ENOBUFS;
        socket.SendBufferSize = value;
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.SendBuffer, SockOptAccess.Get)]
    public static Errno GetSendBuffer(NetSocket socket, out int value)
    {
        value = socket.SendBufferSize;
        return Errno.None;
    }

    /// <summary>SO_RCVBUF: as SO_SNDBUF.</summary>
    [SockOpt(Level, SockOptName.ReceiveBuffer, SockOptAccess.Set, Minimum = 1)]
    public static Errno SetReceiveBuffer(NetSocket socket, int value)
    {
        if (value > NetSocket.MaxBufferSize) return Errno.ENOBUFS;
        socket.ReceiveBufferSize = value;
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.ReceiveBuffer, SockOptAccess.Get)]
    public static Errno GetReceiveBuffer(NetSocket socket, out int value)
    {
        value = socket.ReceiveBufferSize;
        return Errno.None;
    }

    /// <summary>SO_ERROR: the pending asynchronous error, cleared by reading it.</summary>
    [SockOpt(Level, SockOptName.Error, SockOptAccess.Get)]
    public static Errno GetError(NetSocket socket, out int value)
    {
        value = (int)socket.TakeError();
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.Type, SockOptAccess.Get)]
    public static Errno GetSocketType(NetSocket socket, out int value)
    {
        value = (int)socket.Type;
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.Linger, SockOptAccess.Set)]
    public static Errno SetLinger(NetSocket socket, in Linger value)
    {
        if (value.Seconds < 0) return Errno.EINVAL;
        socket.Linger = (value.OnOff != 0, value.Seconds);
        socket.SetOption(SocketOptionFlags.Linger, value.OnOff != 0);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.Linger, SockOptAccess.Get)]
    public static Errno GetLinger(NetSocket socket, out Linger value)
    {
        var (on, seconds) = socket.Linger;
        value = new Linger { OnOff = on ? 1 : 0, Seconds = seconds };
        return Errno.None;
    }

    /// <summary>SO_RCVTIMEO: a bad timeval → EDOM, as DragonFly's <c>sosetopt</c>.</summary>
    [SockOpt(Level, SockOptName.ReceiveTimeout, SockOptAccess.Set)]
    public static Errno SetReceiveTimeout(NetSocket socket, in TimeVal value)
    {
        if (value.ToTimeSpan() is not { } timeout) return Errno.EDOM;
        socket.ReceiveTimeout = timeout;
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.ReceiveTimeout, SockOptAccess.Get)]
    public static Errno GetReceiveTimeout(NetSocket socket, out TimeVal value)
    {
        value = TimeVal.From(socket.ReceiveTimeout);
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.SendTimeout, SockOptAccess.Set)]
    public static Errno SetSendTimeout(NetSocket socket, in TimeVal value)
    {
        if (value.ToTimeSpan() is not { } timeout) return Errno.EDOM;
        socket.SendTimeout = timeout;
        return Errno.None;
    }

    [SockOpt(Level, SockOptName.SendTimeout, SockOptAccess.Get)]
    public static Errno GetSendTimeout(NetSocket socket, out TimeVal value)
    {
        value = TimeVal.From(socket.SendTimeout);
        return Errno.None;
    }
}
