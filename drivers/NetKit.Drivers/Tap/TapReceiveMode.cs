namespace NetKit.Drivers.Tap;

/// <summary>Who reads a TAP queue (see <see cref="TapQueue"/>; docs/PERFORMANCE.md has the measurements).</summary>
public enum TapReceiveMode
{
    /// <summary>The queue's protocol thread polls it and sleeps on its descriptor: no extra thread, no hand-off.</summary>
    ProtocolThread,
    /// <summary>A reader thread per queue hands frames to the protocol threads through their receive rings.</summary>
    ReaderThread,
}
