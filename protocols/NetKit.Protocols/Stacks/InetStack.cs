using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Stacks;

/// <summary>
/// The IPv4 host stack NetKit ships today: Ethernet, ARP, IPv4, ICMP, UDP and TCP with the standard socket options.
/// Appliances that need a different set declare their own <see cref="NetworkStackAttribute"/> class the same way.
/// </summary>
[NetworkStack(typeof(Ethernet.Ethernet), typeof(Arp.Arp), typeof(IPv4.IPv4), typeof(Icmp.Icmp), typeof(Udp.Udp), typeof(Tcp.Tcp), typeof(SocketLevelOptions))]
public sealed partial class InetStack
{
}
