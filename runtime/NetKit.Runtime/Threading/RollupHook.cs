using System;

namespace NetKit.Runtime.Threading;

/// <summary>
/// Work a protocol thread runs after each message batch, highest priority first (DragonFly
/// <c>netisr_register_rollup</c>): flush aggregated ACKs, kick driver transmit.
/// </summary>
/// <param name="Priority">Higher runs earlier.</param>
/// <param name="Name">For diagnostics.</param>
/// <param name="Run">The hook.</param>
public sealed record RollupHook(int Priority, string Name, Action<ProtocolThread> Run)
{
    /// <summary>TCP's ACK-aggregation flush (DragonFly <c>NETISR_ROLLUP_PRIO_TCP</c>).</summary>
    public const int PriorityTcp = 200;

    /// <summary>Driver transmit kick (DragonFly's ifstart rollup).</summary>
    public const int PriorityTransmit = 50;
}
