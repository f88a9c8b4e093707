namespace NetKit.Runtime.Messaging;

/// <summary>Where a message is in its lifecycle. Only the runtime changes it.</summary>
public enum MessageState
{
    /// <summary>Not in flight: never sent, or replied (DragonFly sets MSGF_DONE on unsent messages too).</summary>
    Done = 0,
    /// <summary>On a port's inbox, waiting for its owner thread.</summary>
    Queued = 1,
    /// <summary>Taken by the owner thread; its handler must reply, forward or drop it exactly once.</summary>
    Running = 2,
}
