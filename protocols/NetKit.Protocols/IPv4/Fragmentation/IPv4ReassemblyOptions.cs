using System;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>Limits of one protocol thread's <see cref="IPv4Reassembler"/>.</summary>
public sealed class IPv4ReassemblyOptions
{
    /// <summary>How long a datagram may take to reassemble, from its first fragment. RFC 791 suggests 15 s;
    /// 30 s is Linux's <c>ipfrag_time</c> and BSD's <c>IPFRAGTTL</c> (60 half-second slow ticks).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Datagrams in reassembly at once (poisoned keys count too); fragments of further new datagrams
    /// are dropped.</summary>
    public int MaxReassemblies { get; set; } = 1024;

    /// <summary>Buffer memory held, counted by buffer capacity (Linux counts <c>truesize</c> the same way, so
    /// tiny fragments in big buffers cannot hide); 4 MiB is Linux's <c>ipfrag_high_thresh</c>.</summary>
    public long MaxBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Fragments held per datagram (FreeBSD's <c>maxfragsperpacket</c> idea): 64 covers a 64 KiB
    /// datagram over a 1280-byte path, and bounds the per-datagram segment table.</summary>
    public int MaxFragmentsPerDatagram { get; set; } = 64;

    internal void Validate()
    {
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "must be positive.");
        if (MaxReassemblies < 1) throw new ArgumentOutOfRangeException(nameof(MaxReassemblies), MaxReassemblies, "must be at least 1.");
        if (MaxBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "must be at least 1.");
        if (MaxFragmentsPerDatagram < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxFragmentsPerDatagram), MaxFragmentsPerDatagram, "must be at least 1.");
    }
}
