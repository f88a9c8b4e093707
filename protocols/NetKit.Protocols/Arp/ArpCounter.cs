namespace NetKit.Protocols.Arp;

/// <summary>ARP events, counted per CPU.</summary>
public enum ArpCounter
{
    RequestsReceived,
    RepliesReceived,
    RequestsSent,
    RepliesSent,
    GratuitousSent,
    Resolved,
    Invalid,
    NotForUs,
    RateLimited,
    HeldPackets,
    HoldQueueDrops,
    TimeoutDrops,
    CacheFull,
    NoBuffer,
}
