using System;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// One datagram being reassembled (BSD <c>struct ipq</c>): its held pieces as a fixed-capacity table of
/// non-overlapping [start, end) payload ranges sorted by start, each a buffer chain trimmed to exactly those bytes.
/// Pooled by <see cref="IPv4Reassembler"/>, so a new datagram allocates nothing once the pool is warm.
/// </summary>
internal sealed class ReassemblyQueue
{
    public readonly int[] Starts;
    public readonly int[] Ends;
    public readonly PacketBuffer?[] Pieces;

    public FragmentKey Key;
    public long DeadlineNanoseconds;
    public int Count;
    public int TotalLength;         // -1 until the last fragment (MF clear) arrives
    public int ReceivedBytes;       // sum of the ranges: complete when it reaches TotalLength
    public long MemoryBytes;        // capacities of the held buffers
    public int HeaderOffset;        // data offset fragment zero's head buffer had when offered; -1 if gone
    public bool Poisoned;

    // Age list, oldest first: every queue has the same timeout, so arrival order is deadline order.
    public ReassemblyQueue? Older;
    public ReassemblyQueue? Newer;

    public ReassemblyQueue(int capacity)
    {
        Starts = new int[capacity];
        Ends = new int[capacity];
        Pieces = new PacketBuffer?[capacity];
    }

    public int Capacity => Pieces.Length;

    /// <summary>Highest byte held plus one (0 when empty).</summary>
    public int HighestEnd => Count == 0 ? 0 : Ends[Count - 1];

    public void Reset(in FragmentKey key, long deadlineNanoseconds)
    {
        Key = key;
        DeadlineNanoseconds = deadlineNanoseconds;
        Count = 0;
        TotalLength = -1;
        ReceivedBytes = 0;
        MemoryBytes = 0;
        HeaderOffset = -1;
        Poisoned = false;
        Older = null;
        Newer = null;
    }

    /// <summary>Index of the first piece ending after <paramref name="offset"/> (ends are sorted too).</summary>
    public int FirstEndingAfter(int offset)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Ends[mid] <= offset) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    public void Insert(int index, int start, int end, PacketBuffer piece, long memory)
    {
        int tail = Count - index;
        if (tail > 0)
        {
            Array.Copy(Starts, index, Starts, index + 1, tail);
            Array.Copy(Ends, index, Ends, index + 1, tail);
            Array.Copy(Pieces, index, Pieces, index + 1, tail);
        }
        Starts[index] = start;
        Ends[index] = end;
        Pieces[index] = piece;
        Count++;
        ReceivedBytes += end - start;
        MemoryBytes += memory;
    }

    /// <summary>Frees the pieces [index, index+count) and closes the gap; returns the memory released.</summary>
    public long FreeRange(int index, int count)
    {
        long released = 0;
        for (int i = index; i < index + count; i++)
        {
            var piece = Pieces[i]!;
            released += PacketChain.Capacity(piece);
            ReceivedBytes -= Ends[i] - Starts[i];
            piece.Free();
        }
        int tail = Count - index - count;
        if (tail > 0)
        {
            Array.Copy(Starts, index + count, Starts, index, tail);
            Array.Copy(Ends, index + count, Ends, index, tail);
            Array.Copy(Pieces, index + count, Pieces, index, tail);
        }
        Count -= count;
        Array.Clear(Pieces, Count, count);
        MemoryBytes -= released;
        return released;
    }

    /// <summary>Links the pieces into one chain in offset order and forgets them (the caller owns it).</summary>
    public PacketBuffer TakeChain()
    {
        var head = Pieces[0]!;
        var tail = PacketChain.Last(head);
        for (int i = 1; i < Count; i++)
        {
            var piece = Pieces[i]!;
            tail.Next = piece;
            tail = PacketChain.Last(piece);
        }
        Array.Clear(Pieces, 0, Count);
        Count = 0;
        ReceivedBytes = 0;
        MemoryBytes = 0;
        return head;
    }

    /// <summary>Takes piece zero out of the table (the caller owns it); the rest stay.</summary>
    public PacketBuffer TakeFirst()
    {
        var first = Pieces[0]!;
        MemoryBytes -= PacketChain.Capacity(first);
        ReceivedBytes -= Ends[0] - Starts[0];
        int tail = Count - 1;
        if (tail > 0)
        {
            Array.Copy(Starts, 1, Starts, 0, tail);
            Array.Copy(Ends, 1, Ends, 0, tail);
            Array.Copy(Pieces, 1, Pieces, 0, tail);
        }
        Pieces[tail] = null;
        Count--;
        return first;
    }
}
