using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Interfaces;

/// <summary>Where a packet for some destination leaves: the interface, the next hop on its link, and its source address.</summary>
public readonly record struct Route(NetInterface Interface, IPv4Address NextHop, IPv4Address Source);
