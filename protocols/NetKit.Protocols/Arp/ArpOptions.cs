using System;

namespace NetKit.Protocols.Arp;

/// <summary>ARP timers and bounds (Linux's neighbour defaults in spirit: reachable for a minute, one request a second).</summary>
public sealed class ArpOptions
{
    /// <summary>How long a resolved entry is used before it must be confirmed again.</summary>
    public TimeSpan ReachableTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum interval between requests for one address (request rate limit, RFC 1122 2.3.2.1).</summary>
    public TimeSpan RequestInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests sent before an unresolved address is given up and its waiting packets dropped.</summary>
    public int MaxRequests { get; init; } = 3;

    /// <summary>Packets kept per unresolved address while waiting for the reply.</summary>
    public int HoldCapacity { get; init; } = 16;

    /// <summary>Entries per protocol thread and cache.</summary>
    public int MaxEntries { get; init; } = 4096;
}
