using System;
using System.Threading;

namespace NetKit.Runtime.Timers;

/// <summary>
/// Virtual time for protocol tests: it stands still until <see cref="Advance"/> is called, which wakes every
/// protocol thread that uses it so their callouts fire.
/// </summary>
public sealed class ManualClock : NetClock
{
    private long _now;
    private Action[] _subscribers = [];
    private readonly object _subscribersGate = new();

    public ManualClock(long startNanoseconds = 0) => _now = startNanoseconds;

    public override long NowNanoseconds => Volatile.Read(ref _now);

    public override bool IsVirtual => true;

    /// <summary>Moves time forward and wakes subscribed threads.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _now, by.Ticks * 100);
        foreach (var wake in Volatile.Read(ref _subscribers)) wake();
    }

    // Subscription happens when threads start and stop: a short lock there is fine.
    internal override void Subscribe(Action onAdvance)
    {
        lock (_subscribersGate) _subscribers = [.. _subscribers, onAdvance];
    }

    internal override void Unsubscribe(Action onAdvance)
    {
        lock (_subscribersGate) _subscribers = Array.FindAll(_subscribers, a => a != onAdvance);
    }
}
