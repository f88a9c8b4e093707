namespace NetKit.Protocols.IPv4;

/// <summary>IPv4 events, counted per CPU (<c>ipstat</c>).</summary>
public enum IPv4Counter
{
    Received,
    Delivered,
    Truncated,
    BadVersion,
    BadHeaderLength,
    BadTotalLength,
    BadChecksum,
    BadSource,
    NotForUs,
    Fragments,
    Reassembled,
    FragmentDrops,
    ReassemblyTimeouts,
    Sent,
    Fragmented,
    FragmentsCreated,
    NoRoute,
    MessageTooLong,
    NoHeadroom,
    NoBuffer,
    Looped,
}
