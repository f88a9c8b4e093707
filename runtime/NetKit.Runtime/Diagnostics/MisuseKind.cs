namespace NetKit.Runtime.Diagnostics;

/// <summary>The API misuses the runtime detects. Each has its own counter in <see cref="Misuse"/>.</summary>
public enum MisuseKind
{
    /// <summary>A message was replied to more than once, or replied while not being processed.</summary>
    DoubleReply,
    /// <summary>A message that must never be replied to (packet-embedded) was replied to.</summary>
    ReplyToMustNotReply,
    /// <summary>A message still queued or being processed was sent again.</summary>
    SendWhileInFlight,
    /// <summary>A message was forwarded while it was not being processed by the caller.</summary>
    ForwardNotRunning,
    /// <summary>A protocol thread tried to wait synchronously on another protocol thread.</summary>
    CrossProtocolThreadWait,
    /// <summary>A port-owned operation (drop, callout arm/stop, local pool access) ran on the wrong thread.</summary>
    NotOwnerThread,
    /// <summary>A packet buffer was returned to its pool twice.</summary>
    DoubleFree,
    /// <summary>A socket-buffer ring was committed or released beyond what was available.</summary>
    RingOverrun,
    /// <summary>A handler threw; the protocol thread caught it, counted it and kept running.</summary>
    HandlerException,
}
