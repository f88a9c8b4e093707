namespace NetKit.Protocols.Wire;

/// <summary>The IPv4 protocol field (IANA "Assigned Internet Protocol Numbers", formerly RFC 790).</summary>
public enum IpProtocol : byte
{
    Icmp = 1,
    Igmp = 2,
    Tcp = 6,
    Udp = 17,
}
