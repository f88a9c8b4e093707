using System;
using System.Collections.Generic;

namespace NetKit.Protocols.Tests.IPv4;

/// <summary>A fragment's payload range within its datagram.</summary>
internal readonly record struct ByteRange(int Start, int End)
{
    public int Length => End - Start;

    /// <summary>MF: every fragment but one ending the datagram.</summary>
    public bool More(int total) => End != total;
}

/// <summary>Random fragmentations and the outcome a correct reassembler must produce for them.</summary>
internal static class FragmentRanges
{
    /// <summary>[0, total) cut at multiples of 8 into pieces of 1 to <paramref name="maxBlocks"/> 8-byte blocks.</summary>
    public static List<ByteRange> Partition(int total, int maxBlocks, Random rng)
    {
        var ranges = new List<ByteRange>();
        int start = 0;
        while (start < total)
        {
            int end = Math.Min(total, start + 8 * rng.Next(1, maxBlocks + 1));
            ranges.Add(new ByteRange(start, end));
            start = end;
        }
        return ranges;
    }

    /// <summary>Any valid fragment of the datagram: an 8-aligned start, an 8-aligned end or the datagram's end
    /// (a re-fragmented retransmission would overlap held pieces like this).</summary>
    public static ByteRange Any(int total, int maxBlocks, Random rng)
    {
        int start = 8 * rng.Next(0, (total - 1) / 8 + 1);
        int end = Math.Min(total, start + 8 * rng.Next(1, maxBlocks + 1));
        return new ByteRange(start, end);
    }

    public static void Shuffle<T>(IList<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    /// <summary>
    /// The index of the arrival that completes the datagram (the first whose union with the earlier ones covers
    /// [0, total)), or -1; <paramref name="duplicate"/> marks arrivals whose bytes were all held already.
    /// </summary>
    public static int CompletionIndex(IReadOnlyList<ByteRange> arrivals, int total, out bool[] duplicate)
    {
        var held = new bool[total];
        int heldCount = 0;
        duplicate = new bool[arrivals.Count];
        for (int i = 0; i < arrivals.Count; i++)
        {
            bool fresh = false;
            for (int p = arrivals[i].Start; p < arrivals[i].End; p++)
            {
                if (held[p]) continue;
                held[p] = true;
                heldCount++;
                fresh = true;
            }
            duplicate[i] = !fresh;
            if (heldCount == total) return i;
        }
        return -1;
    }
}
