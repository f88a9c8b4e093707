using System;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Timers;

/// <summary>
/// A timer embedded in its owner (a pcb, an ARP entry, a reassembly queue). It is armed on the current
/// protocol thread's <see cref="CalloutWheel"/> and fires there, on the CPU that armed it (DragonFly
/// <c>callout_reset</c>/<c>callout_stop</c> with <c>callout_init_mp</c>). Arm and stop are O(1) and owner-only,
/// so firing and cancelling never race across threads.
/// </summary>
public sealed unsafe class Callout
{
    internal Callout? Next;
    internal Callout? Prev;
    internal long ExpireTick;
    internal long Sequence;
    internal int Slot;                 // slot index, or CalloutWheel.FiringSlot while queued to fire
    internal CalloutWheel? Wheel;      // non-null while pending
    internal delegate*<Callout, void> Function;

    /// <summary>The wheel this callout last armed on; it stays bound to that wheel's thread.</summary>
    public CalloutWheel? BoundWheel { get; internal set; }

    /// <summary>Whatever the callback needs (usually the owning pcb).</summary>
    public object? Argument { get; set; }

    /// <summary>True while armed and not yet fired or stopped.</summary>
    public bool IsPending => Wheel is not null;

    /// <summary>
    /// Arms (or re-arms) the callout on the current protocol thread's wheel to call <paramref name="function"/>
    /// after <paramref name="delay"/>. Returns true if it was already pending.
    /// </summary>
    public bool Reset(TimeSpan delay, delegate*<Callout, void> function, object? argument = null)
    {
        var wheel = BoundWheel ?? ProtocolThread.Current?.Callouts;
        if (wheel is null)
        {
            Misuse.Report(MisuseKind.NotOwnerThread, "a callout can only be armed on a protocol thread (or on an explicit CalloutWheel).");
            return false;
        }
        return wheel.Arm(this, delay, function, argument);
    }

    /// <summary>
    /// Releases the binding to its wheel so the owner can arm it on another thread after migrating (DragonFly
    /// creates a pcb's timers on its new CPU in <c>tcp_connect_oncpu</c>). Only when not pending; returns false otherwise.
    /// </summary>
    public bool Unbind()
    {
        if (IsPending) return false;
        BoundWheel = null;
        return true;
    }

    /// <summary>Cancels the callout if pending. Returns true if it was pending.</summary>
    public bool Stop() => Wheel is { } wheel && wheel.Cancel(this);
}
