namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>What <see cref="IPv4Reassembler.Offer"/> did with a fragment. Every outcome but
/// <see cref="Completed"/> and <see cref="Queued"/> freed the fragment.</summary>
public enum ReassemblyResult
{
    /// <summary>The datagram is whole; its payload was handed back.</summary>
    Completed,

    /// <summary>The fragment is held until the rest arrives.</summary>
    Queued,

    /// <summary>Every byte of the fragment was already held, with the same contents (tolerated, freed).</summary>
    Duplicate,

    /// <summary>Malformed: a non-last fragment whose length is not a multiple of 8 (or is 0), an offset that is
    /// not a multiple of 8, a datagram past 65535 bytes, or a payload window outside the buffer.</summary>
    Invalid,

    /// <summary>The fragment conflicts with what is held (different bytes where they overlap, or a different
    /// end of datagram); the whole datagram was dropped and its key poisoned until it times out.</summary>
    DroppedOverlap,

    /// <summary>The datagram was dropped earlier (conflict or too many fragments); its later fragments are too.</summary>
    DroppedPoisoned,

    /// <summary>The datagram needs more fragments than <see cref="IPv4ReassemblyOptions.MaxFragmentsPerDatagram"/>;
    /// it was dropped and its key poisoned.</summary>
    DroppedTooManyFragments,

    /// <summary>A new datagram while <see cref="IPv4ReassemblyOptions.MaxReassemblies"/> are in progress.</summary>
    DroppedReassemblyLimit,

    /// <summary>Holding the fragment would pass <see cref="IPv4ReassemblyOptions.MaxBytes"/>.</summary>
    DroppedMemoryLimit,
}
