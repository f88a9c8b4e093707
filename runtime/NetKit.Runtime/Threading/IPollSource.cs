namespace NetKit.Runtime.Threading;

/// <summary>
/// Work a protocol thread fetches itself on every pass of its loop: a NIC queue serviced run-to-completion on its owner
/// thread (DragonFly's polling(4), Linux NAPI), with no reader thread and no hand-off. When idle the thread sleeps on
/// the source's <see cref="Descriptor"/> as well as on its port, so it wakes for either.
/// </summary>
public interface IPollSource
{
    /// <summary>A file descriptor that is readable while the source has work (level-triggered).</summary>
    int Descriptor { get; }

    /// <summary>Owner thread: does at most <paramref name="budget"/> units of work; returns how many it did.</summary>
    int Poll(int budget);
}
