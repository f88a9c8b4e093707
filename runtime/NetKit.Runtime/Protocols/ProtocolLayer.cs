namespace NetKit.Runtime.Protocols;

/// <summary>Where a protocol sits; decides which number space <see cref="ProtocolAttribute.Number"/> is in.</summary>
public enum ProtocolLayer
{
    /// <summary>A link layer (Ethernet): the stack's first input; <see cref="ProtocolAttribute.Number"/> is unused.</summary>
    Link = 0,
    /// <summary>A network protocol demultiplexed by ethertype (IPv4 0x0800, ARP 0x0806, IPv6 0x86DD).</summary>
    Network = 1,
    /// <summary>A transport demultiplexed by IP protocol number (ICMP 1, TCP 6, UDP 17).</summary>
    Transport = 2,
}
