using System;
using System.Threading;
using NetKit.Drivers.Impairments;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;

namespace NetKit.Drivers.Queues;

/// <summary>
/// Transmit queue <i>i</i> of a device, used only by protocol thread <i>i</i>: counts, applies the queue's
/// <see cref="Impairer"/> and hands due frames to the driver's sink. Frames the impairer holds are released by a
/// callout armed on the same thread's wheel for the earliest due time, so release is deterministic under a
/// <see cref="ManualClock"/> and never needs a lock. With no impairments the clock is not even read.
/// </summary>
internal sealed unsafe class TransmitQueue<TSink> where TSink : struct, IFrameSink
{
    private readonly Impairer _impairer;
    private readonly NetClock _clock;
    private readonly long _tick;            // the wheel's resolution in nanoseconds
    private readonly Callout _release = new();
    private TSink _sink;
    private long _armedFor = long.MaxValue; // due time the pending callout was armed for
    private long _transmitted;              // owner thread only
    private long _drops;                    // owner thread only

    public TransmitQueue(ProtocolThread thread, Impairer impairer, TSink sink)
    {
        Thread = thread;
        _impairer = impairer;
        _sink = sink;
        _clock = thread.Group.Options.Clock;
        _tick = Math.Max(1, thread.Group.Options.CalloutTick.Ticks * 100);
    }

    public ProtocolThread Thread { get; }

    /// <summary>The calling protocol thread's own queue among <paramref name="queues"/>, or null when it owns none of them.</summary>
    public static TransmitQueue<TSink>? OfCurrentThread(TransmitQueue<TSink>[] queues)
    {
        var current = ProtocolThread.Current;
        if (current is null) return null;
        int index = current.Index;
        return index < queues.Length && queues[index].Thread == current ? queues[index] : null;
    }

    /// <summary>Owner thread: transmits the frame, or drops and counts it when <paramref name="accepted"/> is false.</summary>
    public bool TransmitOrDrop(PacketBuffer frame, bool accepted)
    {
        if (!accepted)
        {
            Drop(frame);
            return false;
        }
        Transmit(frame);
        return true;
    }

    public Impairer Impairer => _impairer;

    public long Transmitted => Volatile.Read(ref _transmitted);

    public long Drops => Volatile.Read(ref _drops);

    /// <summary>Owner thread: takes the frame over.</summary>
    public void Transmit(PacketBuffer frame)
    {
        _transmitted++;
        if (_impairer.IsPassThrough)
        {
            _sink.Deliver(frame);
            return;
        }
        long now = _clock.NowNanoseconds;
        _impairer.Offer(frame, now, ref _sink);
        Arm(now);
    }

    /// <summary>Owner thread: drops and counts a frame the device refused.</summary>
    public void Drop(PacketBuffer frame)
    {
        _drops++;
        frame.Free();
    }

    /// <summary>Owner thread: stops the release callout and frees held frames.</summary>
    public int Flush()
    {
        _release.Stop();
        _armedFor = long.MaxValue;
        return _impairer.Flush();
    }

    /// <summary>Any thread, once the owner thread has stopped: frees held frames (the callout never fires again).</summary>
    public int FlushStopped() => _impairer.Flush();

    private void Arm(long now)
    {
        long due = _impairer.NextDue;
        if (due == long.MaxValue) return;                      // nothing held; a pending callout just finds nothing
        if (_release.IsPending && _armedFor <= due) return;    // already armed early enough
        // The wheel counts the delay from the start of the current tick: measure from there too, so the callout fires
        // at the first tick boundary at or after the due time, not a tick early.
        long delay = Math.Max(0, due - (now - now % _tick));
        _release.Reset(TimeSpan.FromTicks((delay + 99) / 100), &OnRelease, this);
        _armedFor = due;
    }

    private static void OnRelease(Callout callout)
    {
        var queue = (TransmitQueue<TSink>)callout.Argument!;
        queue._armedFor = long.MaxValue;
        long now = queue._clock.NowNanoseconds;
        queue._impairer.Release(now, ref queue._sink);
        queue.Arm(now);
    }
}
