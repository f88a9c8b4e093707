using NetKit.Runtime;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// IPPROTO_TCP options (<c>tcp_ctloutput</c>), marshalled by the generated tables: copied in on the caller's
/// thread, range-checked, applied on the connection's thread. Ranges follow Linux (TCP_MAXSEG 88–32767; keepalive
/// idle and interval 1–32767 s, count 1–127), which is what applications are written against.
/// </summary>
public static partial class Tcp
{
    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpNoDelay, SockOptAccess.Set)]
    public static Errno SetNoDelay(NetSocket socket, int value)
    {
        var pcb = Pcb(socket);
        pcb.NoDelay = value != 0;
        if (pcb.NoDelay && pcb.State >= TcpConnectionState.Established)
            TcpOutput.Output(socket.Stack, socket.Stack.State<TcpState>(), pcb, pcb.Thread); // release anything Nagle held
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpNoDelay, SockOptAccess.Get)]
    public static Errno GetNoDelay(NetSocket socket, out int value)
    {
        value = Pcb(socket).NoDelay ? 1 : 0;
        return Errno.None;
    }

    /// <summary>TCP_MAXSEG: caps the MSS offered in our SYN (and so the peer's segments); takes effect on the next connection.</summary>
    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpMaxSeg, SockOptAccess.Set, Minimum = 88, Maximum = 32767)]
    public static Errno SetMaxSegment(NetSocket socket, int value)
    {
        Pcb(socket).RequestedMss = value;
        return Errno.None;
    }

    /// <summary>TCP_MAXSEG read back: the connection's send MSS once synchronized, otherwise the requested cap or the default.</summary>
    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpMaxSeg, SockOptAccess.Get)]
    public static Errno GetMaxSegment(NetSocket socket, out int value)
    {
        var pcb = Pcb(socket);
        value = pcb.IsSynchronized ? pcb.MaxSegmentSize : pcb.RequestedMss > 0 ? pcb.RequestedMss : TcpSettings.DefaultMss;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepIdle, SockOptAccess.Set, Minimum = 1, Maximum = 32767)]
    public static Errno SetKeepIdle(NetSocket socket, int value)
    {
        var pcb = Pcb(socket);
        pcb.KeepIdleSeconds = value;
        if (pcb.KeepAlive && pcb.State == TcpConnectionState.Established)
            pcb.Timers!.Reset(TcpTimers.Keepalive, TcpTimers.Micros(value * 1_000_000L));
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepIdle, SockOptAccess.Get)]
    public static Errno GetKeepIdle(NetSocket socket, out int value)
    {
        value = Pcb(socket).KeepIdleSeconds;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepInterval, SockOptAccess.Set, Minimum = 1, Maximum = 32767)]
    public static Errno SetKeepInterval(NetSocket socket, int value)
    {
        Pcb(socket).KeepIntervalSeconds = value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepInterval, SockOptAccess.Get)]
    public static Errno GetKeepInterval(NetSocket socket, out int value)
    {
        value = Pcb(socket).KeepIntervalSeconds;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepCount, SockOptAccess.Set, Minimum = 1, Maximum = 127)]
    public static Errno SetKeepCount(NetSocket socket, int value)
    {
        Pcb(socket).KeepCount = value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Tcp, SockOptName.TcpKeepCount, SockOptAccess.Get)]
    public static Errno GetKeepCount(NetSocket socket, out int value)
    {
        value = Pcb(socket).KeepCount;
        return Errno.None;
    }
}
