using System;
using System.Diagnostics.CodeAnalysis;
using System.Threading;

namespace NetKit.Drivers.Queues;

/// <summary>
/// A bounded lock-free ring with many producers and one consumer (Vyukov's bounded queue, consumer side without
/// atomics). Each cell carries a sequence number: a producer claims a cell with one compare-exchange on the enqueue
/// position, writes the item and publishes it by setting the sequence; the consumer takes cells in order and hands
/// them back one lap ahead. A full ring refuses (the caller drops and counts), it never blocks or grows.
/// <para>
/// A producer that claimed a cell but has not published it yet makes the consumer see the ring as empty at that
/// cell; that producer's own post-publish check (see <see cref="ReceiveQueue"/>) covers the wake-up.
/// </para>
/// </summary>
internal sealed class MpscRing<T> where T : class
{
    private struct Cell
    {
        public long Sequence;
        public T? Item;
    }

    private readonly Cell[] _cells;
    private readonly int _mask;
    private PaddedPosition _enqueue;  // producers' contended position, on cache lines of its own
    private PaddedPosition _dequeue;

    /// <param name="capacity">A power of two, at least 2.</param>
    public MpscRing(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be a power of two, at least 2.");
        _cells = new Cell[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < capacity; i++) _cells[i].Sequence = i;
    }

    public int Capacity => _cells.Length;

    /// <summary>Items queued (a snapshot; exact when no producer is mid-enqueue).</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _enqueue.Value) - Volatile.Read(ref _dequeue.Value), 0, _cells.Length);

    /// <summary>Any thread. False when the ring is full.</summary>
    public bool TryEnqueue(T item)
    {
        long position = Volatile.Read(ref _enqueue.Value);
        while (true)
        {
            ref Cell cell = ref _cells[position & _mask];
            long difference = Volatile.Read(ref cell.Sequence) - position;
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref _enqueue.Value, position + 1, position);
                if (seen == position)
                {
                    cell.Item = item;
                    Volatile.Write(ref cell.Sequence, position + 1); // publish
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                return false; // the cell still holds the item of the previous lap: full
            }
            else
            {
                position = Volatile.Read(ref _enqueue.Value); // another producer took this cell
            }
        }
    }

    /// <summary>Consumer only. False when the next cell is not published yet (empty, or a producer mid-enqueue).</summary>
    public bool TryDequeue([NotNullWhen(true)] out T? item)
    {
        long position = _dequeue.Value;
        ref Cell cell = ref _cells[position & _mask];
        if (Volatile.Read(ref cell.Sequence) != position + 1)
        {
            item = null;
            return false;
        }
        item = cell.Item!;
        cell.Item = null;
        Volatile.Write(ref cell.Sequence, position + _cells.Length); // free for the producers' next lap
        Volatile.Write(ref _dequeue.Value, position + 1);
        return true;
    }

    /// <summary>Consumer only: true when the next cell holds no published item.</summary>
    public bool IsEmpty
    {
        get
        {
            long position = _dequeue.Value;
            return Volatile.Read(ref _cells[position & _mask].Sequence) != position + 1;
        }
    }
}
