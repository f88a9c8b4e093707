using System;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Impairments;

/// <summary>
/// Frames waiting for their due time: a binary min-heap on (due, sequence), so frames due together leave in the
/// order they were scheduled. The array grows by doubling and is then reused: no allocation in steady state.
/// </summary>
internal sealed class DueQueue
{
    private struct Entry
    {
        public long Due;
        public long Sequence;
        public PacketBuffer Frame;
    }

    private Entry[] _heap = new Entry[64];
    private int _count;

    public int Count => _count;

    /// <summary>Due time of the first frame, or <see cref="long.MaxValue"/> when empty.</summary>
    public long NextDue => _count == 0 ? long.MaxValue : _heap[0].Due;

    public void Push(PacketBuffer frame, long due, long sequence)
    {
        if (_count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int i = _count++;
        var entry = new Entry { Due = due, Sequence = sequence, Frame = frame };
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Less(entry, _heap[parent])) break;
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = entry;
    }

    /// <summary>Removes the first frame if it is due by <paramref name="now"/>.</summary>
    public bool TryPopDue(long now, out PacketBuffer frame)
    {
        if (_count == 0 || _heap[0].Due > now)
        {
            frame = null!;
            return false;
        }
        frame = _heap[0].Frame;
        var last = _heap[--_count];
        _heap[_count] = default; // drop the reference: the pool, not this array, keeps the buffer
        if (_count > 0) SiftDown(last);
        return true;
    }

    /// <summary>Removes every frame regardless of due time, in no particular order.</summary>
    public bool TryPopAny(out PacketBuffer frame)
    {
        if (_count == 0)
        {
            frame = null!;
            return false;
        }
        frame = _heap[--_count].Frame;
        _heap[_count] = default;
        return true;
    }

    private void SiftDown(Entry entry)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Less(_heap[child + 1], _heap[child])) child++;
            if (!Less(_heap[child], entry)) break;
            _heap[i] = _heap[child];
            i = child;
        }
        _heap[i] = entry;
    }

    private static bool Less(in Entry a, in Entry b) => a.Due < b.Due || (a.Due == b.Due && a.Sequence < b.Sequence);
}
