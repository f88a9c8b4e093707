using System;
using System.Threading;
using NetKit.Runtime.Interop;

namespace NetKit.Runtime.Threading;

/// <summary>
/// Parks a protocol thread when its port is empty and lets senders wake it cheaply. The owner publishes
/// <c>parked</c> with a full fence and re-checks for work before sleeping; a sender pushes (a full fence) and
/// then reads <c>parked</c>. One of them always sees the other, so a wake-up is never lost, and a sender whose
/// target is running pays only one plain read.
/// <para>
/// A thread with <see cref="IPollSource"/>s sleeps in <c>poll(2)</c> on their descriptors plus an eventfd that wakers
/// signal, so a frame arriving on a device queue wakes it as a message would. Level-triggered: a descriptor that
/// became readable before the thread went to sleep makes <c>poll</c> return at once.
/// </para>
/// </summary>
internal sealed unsafe class Parker
{
    private readonly ManualResetEventSlim _event = new(false, spinCount: 0);
    private readonly Lock _gate = new(); // AddDescriptor only
    private int[] _descriptors = [];
    // Never closed: a late waker could otherwise write to a reused descriptor number. One per thread that polls.
    private int _eventDescriptor = -1;
    private int _parked;
    private long _wakeups;

    /// <summary>Wake-ups that had to signal a sleeping thread.</summary>
    internal long Wakeups => Volatile.Read(ref _wakeups);

    internal void WakeIfParked()
    {
        if (Volatile.Read(ref _parked) != 0 && Interlocked.Exchange(ref _parked, 0) == 1)
        {
            Interlocked.Increment(ref _wakeups);
            Signal();
        }
    }

    /// <summary>Unconditional wake (stop requests, virtual clock advances).</summary>
    internal void Wake()
    {
        Interlocked.Exchange(ref _parked, 0);
        Signal();
    }

    private void Signal()
    {
        _event.Set();
        int eventDescriptor = Volatile.Read(ref _eventDescriptor);
        if (eventDescriptor >= 0) LinuxWait.Signal(eventDescriptor);
    }

    /// <summary>Adds a descriptor the thread also sleeps on (any thread); wakes it so its next sleep includes it.</summary>
    internal void AddDescriptor(int descriptor)
    {
        lock (_gate)
        {
            if (_eventDescriptor < 0)
            {
                int created = LinuxWait.CreateEvent();
                if (created < 0) throw new InvalidOperationException($"eventfd failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
                Volatile.Write(ref _eventDescriptor, created);
            }
            Volatile.Write(ref _descriptors, CopyOnWrite.Add(_descriptors, descriptor));
        }
        Wake();
    }

    /// <summary>Sleeps until woken or <paramref name="timeoutMs"/> passes, unless <paramref name="hasWork"/> says otherwise after publishing.</summary>
    /// <summary>Stops sleeping on <paramref name="descriptor"/> (any thread); wakes the thread so its next sleep leaves it out.</summary>
    internal void RemoveDescriptor(int descriptor)
    {
        lock (_gate) Volatile.Write(ref _descriptors, CopyOnWrite.Remove(_descriptors, descriptor));
        Wake();
    }

    internal void Park<TState>(int timeoutMs, TState state, System.Func<TState, bool> hasWork)
    {
        var descriptors = Volatile.Read(ref _descriptors);
        if (descriptors.Length != 0)
        {
            ParkOnDescriptors(descriptors, timeoutMs, state, hasWork);
            return;
        }
        _event.Reset();
        Interlocked.Exchange(ref _parked, 1);
        if (!hasWork(state))
            _event.Wait(timeoutMs);
        Interlocked.Exchange(ref _parked, 0);
    }

    private void ParkOnDescriptors<TState>(int[] descriptors, int timeoutMs, TState state, System.Func<TState, bool> hasWork)
    {
        int count = descriptors.Length + 1;
        var poll = stackalloc LinuxWait.PollDescriptor[count];
        poll[0] = new LinuxWait.PollDescriptor { Descriptor = _eventDescriptor, Events = LinuxWait.POLLIN };
        for (int i = 0; i < descriptors.Length; i++)
            poll[i + 1] = new LinuxWait.PollDescriptor { Descriptor = descriptors[i], Events = LinuxWait.POLLIN };
        Interlocked.Exchange(ref _parked, 1);
        if (!hasWork(state))
            LinuxWait.Poll(poll, (nuint)count, timeoutMs);
        Interlocked.Exchange(ref _parked, 0);
        if ((poll[0].ReturnedEvents & LinuxWait.POLLIN) != 0) LinuxWait.Drain(_eventDescriptor);
    }
}
