using System;
using System.Collections.Generic;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Timers;

/// <summary>
/// A per-CPU hashed timing wheel, driven by its protocol thread between message batches (DragonFly's per-CPU
/// callout wheel). Arm and cancel are O(1) (doubly linked slot lists); each tick visits one slot. Callouts due on
/// the same tick fire in the order they were armed; across ticks in expiry order. When the clock jumps by more than
/// a revolution (virtual time, a stalled thread), every due callout is collected and fired in (expiry, arm) order.
/// </summary>
public sealed unsafe class CalloutWheel
{
    internal const int FiringSlot = -1;
    private const int ParkScanSlots = 64;
    private const long MaxDelayTicks = 1L << 43;

    private readonly Callout?[] _heads;
    private readonly Callout?[] _tails;
    private readonly int _mask;
    private readonly long _tickNanoseconds;
    private readonly NetClock _clock;
    private readonly List<Callout> _jumpScratch = [];
    private Callout? _firingHead, _firingTail;
    private long _currentTick;
    private long _sequence;
    private int _pending;
    private long _fired;

    /// <param name="clock">Time source.</param>
    /// <param name="tick">Resolution; delays round up to whole ticks (at least one).</param>
    /// <param name="slots">Wheel size, a power of two.</param>
    /// <param name="owner">The protocol thread that alone may arm, cancel and advance; null for a wheel driven by hand.</param>
    public CalloutWheel(NetClock clock, TimeSpan tick, int slots = 512, ProtocolThread? owner = null)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(slots), "slots must be a power of two.");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tick, TimeSpan.Zero);
        _clock = clock;
        _tickNanoseconds = tick.Ticks * 100;
        _heads = new Callout?[slots];
        _tails = new Callout?[slots];
        _mask = slots - 1;
        Owner = owner;
        _currentTick = clock.NowNanoseconds / _tickNanoseconds;
    }

    public ProtocolThread? Owner { get; }

    public NetClock Clock => _clock;

    /// <summary>The last tick processed.</summary>
    public long CurrentTick => _currentTick;

    /// <summary>Callouts armed and not yet fired or cancelled.</summary>
    public int PendingCount => _pending;

    /// <summary>Callouts fired since creation.</summary>
    public long FiredCount => _fired;

    /// <summary>Arms <paramref name="callout"/> here. Returns true if it was already pending (it is re-armed).</summary>
    public bool Arm(Callout callout, TimeSpan delay, delegate*<Callout, void> function, object? argument = null)
    {
        if (!CheckOwner("arm")) return false;
        if (callout.BoundWheel is { } bound && bound != this)
        {
            Misuse.Report(MisuseKind.NotOwnerThread, "a callout fires on the CPU that armed it; it cannot be re-armed on another thread's wheel.");
            return false;
        }
        bool wasPending = callout.Wheel is not null;
        if (wasPending) Unlink(callout);
        // In TimeSpan ticks (100 ns) so no delay overflows; absurdly long delays are capped (about 290 years of 1 ms ticks).
        long tickTicks = Math.Max(1, _tickNanoseconds / 100);
        long ticks = delay <= TimeSpan.Zero ? 1
            : Math.Clamp(delay.Ticks / tickTicks + (delay.Ticks % tickTicks != 0 ? 1 : 0), 1, MaxDelayTicks);
        long now = Math.Max(_currentTick, _clock.NowNanoseconds / _tickNanoseconds);
        callout.Function = function;
        callout.Argument = argument;
        callout.ExpireTick = now + ticks;
        callout.Sequence = ++_sequence;
        callout.Wheel = this;
        callout.BoundWheel = this;
        Append(callout, (int)(callout.ExpireTick & _mask));
        if (!wasPending) _pending++;
        return wasPending;
    }

    /// <summary>Cancels <paramref name="callout"/>. Returns true if it was pending.</summary>
    public bool Cancel(Callout callout)
    {
        if (callout.Wheel != this) return false;
        if (!CheckOwner("stop")) return false;
        Unlink(callout);
        callout.Wheel = null;
        _pending--;
        return true;
    }

    /// <summary>Advances to the clock's current tick and fires every due callout. Returns how many fired.</summary>
    public int RunDue()
    {
        // Nothing armed: skip the clock read. CurrentTick may lag; Arm measures from the clock itself.
        if (_pending == 0) return 0;
        long target = _clock.NowNanoseconds / _tickNanoseconds;
        if (target <= _currentTick) return 0;
        int fired = 0;
        if (target - _currentTick > _heads.Length)
        {
            CollectAllDue(target);
            _currentTick = target;
            fired += FireQueued();
            return fired;
        }
        while (_currentTick < target)
        {
            long tick = ++_currentTick;
            int slot = (int)(tick & _mask);
            for (var c = _heads[slot]; c is not null;)
            {
                var next = c.Next;
                if (c.ExpireTick <= tick)
                {
                    Unlink(c);
                    Append(c, FiringSlot);
                }
                c = next;
            }
            fired += FireQueued();
        }
        return fired;
    }

    /// <summary>
    /// How long the owner may sleep before a callout is due: exact within the next 64 ticks, otherwise 64 ticks
    /// (it then looks again), and <see cref="long.MaxValue"/> when nothing is pending.
    /// </summary>
    public long NanosecondsUntilNextDue()
    {
        if (_pending == 0) return long.MaxValue;
        if (_firingHead is not null) return 0; // a callback threw mid-batch: the rest are due now
        long now = _clock.NowNanoseconds;
        long nowTick = now / _tickNanoseconds;
        if (nowTick > _currentTick) return 0;
        for (long tick = _currentTick + 1; tick <= _currentTick + ParkScanSlots; tick++)
        {
            for (var c = _heads[(int)(tick & _mask)]; c is not null; c = c.Next)
            {
                if (c.ExpireTick <= tick)
                    return Math.Max(0, tick * _tickNanoseconds - now);
            }
        }
        return Math.Max(0, (_currentTick + ParkScanSlots) * _tickNanoseconds - now);
    }

    private int FireQueued()
    {
        int fired = 0;
        while (_firingHead is { } c)
        {
            Unlink(c);
            c.Wheel = null;
            _pending--;
            _fired++;
            fired++;
            c.Function(c);
        }
        return fired;
    }

    private void CollectAllDue(long target)
    {
        var due = _jumpScratch;
        due.Clear();
        for (int slot = 0; slot < _heads.Length; slot++)
        {
            for (var c = _heads[slot]; c is not null; c = c.Next)
                if (c.ExpireTick <= target) due.Add(c);
        }
        due.Sort(static (a, b) => a.ExpireTick != b.ExpireTick ? a.ExpireTick.CompareTo(b.ExpireTick) : a.Sequence.CompareTo(b.Sequence));
        foreach (var c in due)
        {
            Unlink(c);
            Append(c, FiringSlot);
        }
        due.Clear();
    }

    private void Append(Callout c, int slot)
    {
        c.Slot = slot;
        c.Next = null;
        ref Callout? head = ref slot == FiringSlot ? ref _firingHead : ref _heads[slot];
        ref Callout? tail = ref slot == FiringSlot ? ref _firingTail : ref _tails[slot];
        c.Prev = tail;
        if (tail is null) head = c;
        else tail.Next = c;
        tail = c;
    }

    private void Unlink(Callout c)
    {
        ref Callout? head = ref c.Slot == FiringSlot ? ref _firingHead : ref _heads[c.Slot];
        ref Callout? tail = ref c.Slot == FiringSlot ? ref _firingTail : ref _tails[c.Slot];
        if (c.Prev is null) head = c.Next;
        else c.Prev.Next = c.Next;
        if (c.Next is null) tail = c.Prev;
        else c.Next.Prev = c.Prev;
        c.Next = null;
        c.Prev = null;
    }

    private bool CheckOwner(string operation)
    {
        if (Owner is null || ProtocolThread.Current == Owner) return true;
        Misuse.Report(MisuseKind.NotOwnerThread, $"callout {operation} ran off the wheel's protocol thread {Owner.Index}; callouts are owner-only.");
        return false;
    }
}
