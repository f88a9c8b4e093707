namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// Reassembly counters of one protocol thread (netstat -s's ip fragment lines). Written only by the owner;
/// another thread reading them sees values that may lag.
/// </summary>
public sealed class IPv4ReassemblyStatistics
{
    /// <summary>Fragments offered (every call to <see cref="IPv4Reassembler.Offer"/>).</summary>
    public long FragmentsReceived { get; internal set; }

    /// <summary>Datagrams handed back whole.</summary>
    public long DatagramsReassembled { get; internal set; }

    /// <summary>Fragments whose every byte was already held (freed, not an error).</summary>
    public long FragmentsDuplicate { get; internal set; }

    /// <summary>Malformed fragments (<see cref="ReassemblyResult.Invalid"/>).</summary>
    public long FragmentsInvalid { get; internal set; }

    /// <summary>Datagrams dropped because a fragment conflicted with held data.</summary>
    public long DatagramsDroppedOverlap { get; internal set; }

    /// <summary>Datagrams dropped for needing too many fragments.</summary>
    public long DatagramsDroppedTooManyFragments { get; internal set; }

    /// <summary>Fragments of an already dropped (poisoned) datagram.</summary>
    public long FragmentsDroppedPoisoned { get; internal set; }

    /// <summary>Fragments dropped at <see cref="IPv4ReassemblyOptions.MaxReassemblies"/>.</summary>
    public long FragmentsDroppedReassemblyLimit { get; internal set; }

    /// <summary>Fragments dropped at <see cref="IPv4ReassemblyOptions.MaxBytes"/>.</summary>
    public long FragmentsDroppedMemoryLimit { get; internal set; }

    /// <summary>Datagrams discarded incomplete at their timeout.</summary>
    public long DatagramsTimedOut { get; internal set; }

    /// <summary>Held fragments freed with them (after trimming, a held piece may be part of a fragment).</summary>
    public long FragmentsTimedOut { get; internal set; }
}
