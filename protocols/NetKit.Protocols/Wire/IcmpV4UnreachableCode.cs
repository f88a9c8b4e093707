namespace NetKit.Protocols.Wire;

/// <summary>Destination-unreachable codes: 0-5 from RFC 792, 6-12 from RFC 1122 §3.2.2.1, 13-15 from RFC 1812 §5.2.7.1.</summary>
public enum IcmpV4UnreachableCode : byte
{
    NetUnreachable = 0,
    HostUnreachable = 1,
    ProtocolUnreachable = 2,
    PortUnreachable = 3,
    /// <summary>Fragmentation needed and DF set; the next-hop MTU is in the header (RFC 1191 §4).</summary>
    FragmentationNeeded = 4,
    SourceRouteFailed = 5,
    DestinationNetworkUnknown = 6,
    DestinationHostUnknown = 7,
    SourceHostIsolated = 8,
    NetworkProhibited = 9,
    HostProhibited = 10,
    NetUnreachableForTos = 11,
    HostUnreachableForTos = 12,
    CommunicationProhibited = 13,
    HostPrecedenceViolation = 14,
    PrecedenceCutoff = 15,
}
