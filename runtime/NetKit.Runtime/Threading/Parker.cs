using System.Threading;

namespace NetKit.Runtime.Threading;

/// <summary>
/// Parks a protocol thread when its port is empty and lets senders wake it cheaply. The owner publishes
/// <c>parked</c> with a full fence and re-checks for work before sleeping; a sender pushes (a full fence) and
/// then reads <c>parked</c>. One of them always sees the other, so a wake-up is never lost, and a sender whose
/// target is running pays only one plain read.
/// </summary>
internal sealed class Parker
{
    private readonly ManualResetEventSlim _event = new(false, spinCount: 0);
    private int _parked;
    private long _wakeups;

    /// <summary>Wake-ups that had to signal a sleeping thread.</summary>
    internal long Wakeups => Volatile.Read(ref _wakeups);

    internal void WakeIfParked()
    {
        if (Volatile.Read(ref _parked) != 0 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            Interlocked.Increment(ref _wakeups);
            _event.Set();
        }
    }

    /// <summary>Unconditional wake (stop requests, virtual clock advances).</summary>
    internal void Wake()
    {
        Interlocked.Exchange(ref _parked, 0);
        _event.Set();
    }

    /// <summary>Sleeps until woken or <paramref name="timeoutMs"/> passes, unless <paramref name="hasWork"/> says otherwise after publishing.</summary>
    internal void Park<TState>(int timeoutMs, TState state, System.Func<TState, bool> hasWork)
    {
        _event.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (!hasWork(state))
            _event.Wait(timeoutMs);
        Interlocked.Exchange(ref _parked, 0);
    }
}
