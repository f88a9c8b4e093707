using System;
using System.Threading;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Impairments;

/// <summary>
/// Applies <see cref="ImpairmentOptions"/> to the frames of one transmit queue. Single-threaded: its queue's protocol
/// thread alone offers and releases. Deterministic: its PRNG is its own, seeded from the options, and time only enters
/// through the <c>now</c> arguments (nanoseconds of a <see cref="NetKit.Runtime.Timers.NetClock"/>), so the same seed,
/// the same frames and the same clock readings give the same output, frame for frame and byte for byte.
/// <para>
/// A driver offers each frame (<see cref="Offer{TSink}"/>); frames already due go to the sink at once, the rest are
/// held until a <see cref="Release{TSink}"/> at or after <see cref="NextDue"/>, which the driver schedules with a
/// callout. Frames it drops are freed, never leaked; <see cref="Flush"/> frees what it still holds.
/// </para>
/// </summary>
public sealed class Impairer : IDisposable
{
    private struct HeldFrame
    {
        public PacketBuffer Frame;
        public long Due;
        public long Deadline;
        public int Remaining;
    }

    private readonly bool _passThrough;
    private readonly double _loss, _duplication, _reorder, _corruption;
    private readonly long _delay, _jitter, _reorderHold, _rate;
    private readonly int _reorderDistance, _queueLimit;
    private Xoshiro256StarStar _random;
    private readonly DueQueue _due = new();
    private readonly long[] _rateFinish = [];   // ring of serialization finish times of frames in the rate queue
    private int _rateHead, _rateCount;
    private long _linkFreeAt;
    private HeldFrame[] _held = [];              // reordered frames in arrival order (few: rare and short-lived)
    private int _heldCount;
    private long _sequence;
    private long _offered, _delivered, _lost, _duplicated, _duplicationFailures, _corrupted, _delayed, _reordered,
        _rateDrops, _queueDrops, _flushed;

    /// <param name="options">What to do to frames.</param>
    /// <param name="stream">
    /// Distinguishes impairers sharing one options object (one per transmit queue): each gets its own reproducible
    /// random stream derived from <see cref="ImpairmentOptions.Seed"/>; stream 0 uses the seed itself.
    /// </param>
    public Impairer(ImpairmentOptions options, int stream = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _passThrough = options.IsPassThrough;
        _loss = options.LossProbability;
        _duplication = options.DuplicationProbability;
        _reorder = options.ReorderProbability;
        _corruption = options.CorruptionProbability;
        _delay = ToNanoseconds(options.Delay);
        _jitter = ToNanoseconds(options.Jitter);
        _reorderHold = ToNanoseconds(options.ReorderHoldLimit);
        _rate = options.RateBitsPerSecond;
        _reorderDistance = options.ReorderDistance;
        _queueLimit = options.QueueLimit;
        if (_rate > 0) _rateFinish = new long[options.RateQueueLimit];
        if (_reorder > 0) _held = new HeldFrame[8];
        _random = new Xoshiro256StarStar(options.Seed ^ ((ulong)(uint)stream * 0x9E3779B97F4A7C15UL));
    }

    public ImpairmentOptions Options { get; }

    /// <summary>True when nothing is impaired: <see cref="Offer{TSink}"/> hands every frame straight to the sink.</summary>
    public bool IsPassThrough => _passThrough;

    /// <summary>Frames held (delayed, rate-queued or reordered).</summary>
    public int HeldFrames => _due.Count + _heldCount;

    /// <summary>When the next held frame is due (clock nanoseconds), or <see cref="long.MaxValue"/> when none is held.</summary>
    public long NextDue
    {
        get
        {
            long next = _due.NextDue;
            for (int i = 0; i < _heldCount; i++) next = Math.Min(next, _held[i].Deadline);
            return next;
        }
    }

    /// <summary>A snapshot of the counters (safe to read from any thread; values written by the owner).</summary>
    public ImpairmentCounters Counters => new(
        Volatile.Read(ref _offered), Volatile.Read(ref _delivered), Volatile.Read(ref _lost),
        Volatile.Read(ref _duplicated), Volatile.Read(ref _duplicationFailures), Volatile.Read(ref _corrupted),
        Volatile.Read(ref _delayed), Volatile.Read(ref _reordered), Volatile.Read(ref _rateDrops),
        Volatile.Read(ref _queueDrops), Volatile.Read(ref _flushed));

    /// <summary>
    /// Takes <paramref name="frame"/> over at time <paramref name="now"/>: it (and any duplicate) is dropped, handed to
    /// <paramref name="sink"/> now, or held until due. Frames held earlier and due by now are handed on first.
    /// </summary>
    public void Offer<TSink>(PacketBuffer frame, long now, ref TSink sink) where TSink : IFrameSink
    {
        ArgumentNullException.ThrowIfNull(frame);
        _offered++;
        if (_passThrough)
        {
            _delivered++;
            sink.Deliver(frame);
            return;
        }
        if (_due.Count != 0 || _heldCount != 0) Release(now, ref sink);
        if (_loss > 0 && _random.Chance(_loss))
        {
            _lost++;
            frame.Free();
            return;
        }
        PacketBuffer? duplicate = null;
        if (_duplication > 0 && _random.Chance(_duplication))
        {
            // Copied before corruption touches the original: the two are impaired independently from here on.
            duplicate = FrameCopy.Clone(frame);
            if (duplicate is null) _duplicationFailures++;
            else _duplicated++;
        }
        Process(frame, now, ref sink);
        if (duplicate is not null) Process(duplicate, now, ref sink);
    }

    /// <summary>Hands every held frame due by <paramref name="now"/> to <paramref name="sink"/>, in due order. Returns how many.</summary>
    public int Release<TSink>(long now, ref TSink sink) where TSink : IFrameSink
    {
        if (_heldCount != 0) ExpireHeld(now);
        int released = 0;
        while (_due.TryPopDue(now, out var frame))
        {
            released++;
            _delivered++;
            sink.Deliver(frame);
        }
        return released;
    }

    /// <summary>Frees every held frame (a driver stopping), counting them as flushed. Returns how many.</summary>
    public int Flush()
    {
        int freed = 0;
        while (_due.TryPopAny(out var frame))
        {
            frame.Free();
            freed++;
        }
        for (int i = 0; i < _heldCount; i++)
        {
            _held[i].Frame.Free();
            _held[i] = default;
            freed++;
        }
        _heldCount = 0;
        _flushed += freed;
        return freed;
    }

    public void Dispose() => Flush();

    private void Process<TSink>(PacketBuffer frame, long now, ref TSink sink) where TSink : IFrameSink
    {
        if (_due.Count + _heldCount >= _queueLimit)
        {
            _queueDrops++;
            frame.Free();
            return;
        }
        if (_corruption > 0 && _random.Chance(_corruption) && FlipRandomBit(frame))
        {
            _corrupted++;
            // A damaged frame must not be vouched for by a checksum offload: the receiver verifies (and drops) it.
            frame.ChecksumState = ChecksumState.None;
        }
        long departure = now;
        if (_rate > 0 && !TryQueueForRate(frame, now, out departure))
        {
            _rateDrops++;
            frame.Free();
            return;
        }
        long due = departure + _delay;
        if (_jitter > 0)
        {
            due += (long)_random.NextBounded((ulong)_jitter * 2 + 1) - _jitter;
            if (due < departure) due = departure; // no frame arrives before it has left
        }
        if (_reorder > 0 && _random.Chance(_reorder))
        {
            _reordered++;
            Hold(frame, due);
            return;
        }
        Schedule(frame, due, now, ref sink);
        if (_heldCount != 0) Pass(due, now, ref sink);
    }

    private void Schedule<TSink>(PacketBuffer frame, long due, long now, ref TSink sink) where TSink : IFrameSink
    {
        if (due <= now)
        {
            // Everything held that was due by now left at the start of Offer, so nothing is overtaken unfairly.
            _delivered++;
            sink.Deliver(frame);
            return;
        }
        _delayed++;
        _due.Push(frame, due, ++_sequence);
    }

    // Serialization at the link rate behind a bounded FIFO: a frame starts when the link is free and the queue of
    // frames not yet fully sent (the one on the wire included) is under its limit, else it is tail-dropped.
    private bool TryQueueForRate(PacketBuffer frame, long now, out long finish)
    {
        var ring = _rateFinish;
        while (_rateCount > 0 && ring[_rateHead] <= now)
        {
            _rateHead = _rateHead + 1 == ring.Length ? 0 : _rateHead + 1;
            _rateCount--;
        }
        if (_rateCount == ring.Length)
        {
            finish = 0;
            return false;
        }
        long bits = (long)frame.ChainLength * 8;
        long transmit = (bits * 1_000_000_000L + _rate - 1) / _rate;
        finish = Math.Max(now, _linkFreeAt) + transmit;
        _linkFreeAt = finish;
        int tail = _rateHead + _rateCount;
        if (tail >= ring.Length) tail -= ring.Length;
        ring[tail] = finish;
        _rateCount++;
        return true;
    }

    private void Hold(PacketBuffer frame, long due)
    {
        if (_heldCount == _held.Length) Array.Resize(ref _held, _held.Length * 2);
        _held[_heldCount++] = new HeldFrame
        {
            Frame = frame,
            Due = due,
            Deadline = due > long.MaxValue - _reorderHold ? long.MaxValue : due + _reorderHold,
            Remaining = _reorderDistance,
        };
    }

    // A frame due at passingDue was scheduled: each reordered frame has been overtaken once more, and one overtaken
    // ReorderDistance times leaves right behind it.
    private void Pass<TSink>(long passingDue, long now, ref TSink sink) where TSink : IFrameSink
    {
        int kept = 0;
        for (int i = 0; i < _heldCount; i++)
        {
            var held = _held[i];
            _held[i] = default;
            if (--held.Remaining > 0)
            {
                _held[kept++] = held;
                continue;
            }
            Schedule(held.Frame, Math.Max(held.Due, passingDue), now, ref sink);
        }
        _heldCount = kept;
    }

    // Reordered frames nobody overtook in time leave at their deadline.
    private void ExpireHeld(long now)
    {
        int kept = 0;
        for (int i = 0; i < _heldCount; i++)
        {
            var held = _held[i];
            _held[i] = default;
            if (held.Deadline > now)
            {
                _held[kept++] = held;
                continue;
            }
            _due.Push(held.Frame, held.Deadline, ++_sequence);
        }
        _heldCount = kept;
    }

    private bool FlipRandomBit(PacketBuffer frame)
    {
        long bits = (long)frame.ChainLength * 8;
        if (bits == 0) return false;
        long bit = (long)_random.NextBounded((ulong)bits);
        for (var b = frame; b is not null; b = b.Next)
        {
            long here = (long)b.Length * 8;
            if (bit < here)
            {
                b.Data[(int)(bit >> 3)] ^= (byte)(1 << (int)(bit & 7));
                return true;
            }
            bit -= here;
        }
        return false;
    }

    private static long ToNanoseconds(TimeSpan span) => span.Ticks * 100;
}
