using NetKit.Protocols.Common;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Udp;

/// <summary>
/// A UDP protocol control block (DragonFly's inpcb for UDP). Its addresses are written only on the socket's owner
/// thread; other protocol threads hold references to it in their wildcard tables and reuseport groups, which they
/// change only through messages, so no field is ever written by two threads.
/// </summary>
public sealed class UdpPcb : IPv4.IIPv4Options
{
    public UdpPcb(NetSocket? socket) => Socket = socket;

    public NetSocket? Socket { get; }

    public uint LocalAddress { get; set; }
    public ushort LocalPort { get; set; }
    public uint ForeignAddress { get; set; }
    public ushort ForeignPort { get; set; }

    /// <summary>SO_REUSEPORT was set when the pcb was bound: it joins its port's local group.</summary>
    public bool ReusePort { get; set; }

    /// <summary>SO_REUSEADDR was set when the pcb was bound.</summary>
    public bool ReuseAddress { get; set; }

    /// <summary>Position in its reuseport group (<c>inp_lgrpindex</c>); -1 outside a group.</summary>
    public int LocalGroupIndex { get; set; } = -1;

    /// <summary>In every thread's wildcard table (bound, unconnected); written on the owner thread only.</summary>
    public bool Wildcarded { get; set; }

    /// <summary>Detach ran: every later request for this pcb (a resumed bind, a migrating connect) is refused.</summary>
    public bool Detached { get; set; }

    /// <summary>SHUT_WR was requested: sends fail with EPIPE.</summary>
    public bool SendShutdown { get; set; }

    /// <summary>IP_TTL for this socket's datagrams; 0 is the stack default.</summary>
    public byte TimeToLive { get; set; }

    /// <summary>IP_TOS for this socket's datagrams.</summary>
    public byte TypeOfService { get; set; }

    public bool IsBound => LocalPort != 0;

    public bool IsConnected => ForeignPort != 0;

    public LocalEndpointKey LocalKey => new(LocalAddress, LocalPort);

    public EndpointKey ConnectionKey => new(LocalAddress, LocalPort, ForeignAddress, ForeignPort);

    public override string ToString() =>
        IsConnected ? $"udp {ConnectionKey}" : $"udp {LocalKey}{(ReusePort ? " reuseport" : "")}";
}
