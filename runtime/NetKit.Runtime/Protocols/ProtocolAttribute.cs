using System;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Sockets;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Declares a protocol: a <c>static partial class</c> whose methods marked <see cref="UserRequestAttribute"/>,
/// <see cref="PacketInputAttribute"/>, <see cref="ControlInputAttribute"/>, <see cref="FlowClassifierAttribute"/> and
/// <see cref="SockOptAttribute"/> form its handler table (DragonFly's <c>struct protosw</c> plus
/// <c>struct pr_usrreqs</c>). The source generator turns the table into netmsg dispatch; a stack that lists the
/// protocol in its <see cref="NetworkStackAttribute"/> links it in.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ProtocolAttribute : Attribute
{
    /// <param name="name">Short name used in generated identifiers and logs ("udp").</param>
    /// <param name="layer">Link, network or transport.</param>
    /// <param name="number">Ethertype for a network protocol, IP protocol number for a transport, 0 for a link.</param>
    public ProtocolAttribute(string name, ProtocolLayer layer, int number)
    {
        Name = name;
        Layer = layer;
        Number = number;
    }

    public string Name { get; }

    public ProtocolLayer Layer { get; }

    public int Number { get; }

    /// <summary>
    /// How packets and sockets of this protocol are spread over protocol threads (DragonFly's per-protocol
    /// <c>ip_hashfn</c> branch): by 4-tuple (TCP, UDP), by address pair, or all on thread 0.
    /// </summary>
    public FlowHashKind FlowHash { get; set; } = FlowHashKind.Thread0;

    /// <summary>Socket type this protocol serves (<c>pr_type</c>); <see cref="SocketType.None"/> if it has no sockets.</summary>
    public SocketType SocketType { get; set; } = SocketType.None;

    /// <summary>
    /// True when this protocol is the default for its <see cref="SocketType"/> (socket(AF_INET, SOCK_DGRAM, 0) picks
    /// UDP).
    /// </summary>
    public bool IsDefaultForType { get; set; }
}
