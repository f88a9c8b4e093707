namespace NetKit.Protocols.Ethernet;

/// <summary>Ethernet input and output events, counted per CPU.</summary>
public enum EthernetCounter
{
    Received,
    Sent,
    Truncated,
    NotForUs,
    Multicast,
    VlanTagged,
    UnknownInterface,
    TransmitDrops,
    NoHeadroom,
}
