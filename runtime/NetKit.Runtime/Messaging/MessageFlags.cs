using System;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// Caller-chosen message flags (DragonFly <c>MSGF_*</c> that a sender sets). Lifecycle state
/// (queued, running, done) is kept separately by the runtime.
/// </summary>
[Flags]
public enum MessageFlags
{
    None = 0,
    /// <summary>Queue on the port's priority inbox, served before ordinary messages (MSGF_PRIORITY).</summary>
    Priority = 1 << 0,
    /// <summary>The owner thread may remove the message while it is queued (MSGF_DROPABLE).</summary>
    Dropable = 1 << 1,
    /// <summary>Do not chase the owner's home port: run on the port the message was sent to (MSGF_IGNSOPORT).</summary>
    IgnoreHome = 1 << 2,
    /// <summary>First flag bit free for protocols (MSGF_PROTO1 and up).</summary>
    Protocol0 = 1 << 16,
    Protocol1 = 1 << 17,
    Protocol2 = 1 << 18,
    Protocol3 = 1 << 19,
}
