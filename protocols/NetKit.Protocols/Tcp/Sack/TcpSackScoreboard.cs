using System;
using NetKit.Protocols.Tcp.Algorithms;

namespace NetKit.Protocols.Tcp.Sack;

/// <summary>
/// The sender's SACK scoreboard (RFC 6675 §3; BSD <c>tcp_sack.c</c>, Linux's sacked bits): which bytes above SND.UNA
/// the peer reports holding, as sorted, disjoint, non-adjacent ranges [Start, End). The gaps between them are the
/// holes a SACK recovery retransmits. Advisory only: the send ring still releases bytes on the cumulative ACK alone,
/// so a receiver that reneges (drops SACKed data) costs a retransmission, never data (RFC 2018 §8).
/// <para>
/// Owner-thread only, no locks; the range array is allocated on the first SACK and grows up to
/// <see cref="MaxRanges"/>, so steady state allocates nothing. Beyond that the highest range is forgotten (its bytes
/// would only be sent again). Sequence numbers compare modulo 2^32 (every range lies within one window of SND.UNA).
/// </para>
/// </summary>
public sealed class TcpSackScoreboard
{
    /// <summary>Most ranges remembered (a window of 1500-byte segments with every other one lost has far more holes
    /// than 3 SACK blocks per ACK can describe anyway; the BSDs cap their hole list similarly).</summary>
    public const int MaxRanges = 256;

    /// <summary>RFC 6675 §2 DupThresh.</summary>
    public const int DuplicateThreshold = 3;

    private Range[] _ranges = Array.Empty<Range>();
    private int _count;
    private long _sackedBytes;

    private struct Range
    {
        public uint Start;
        public uint End;
    }

    public bool IsEmpty => _count == 0;

    /// <summary>Ranges held.</summary>
    public int RangeCount => _count;

    /// <summary>Bytes SACKed above SND.UNA.</summary>
    public long SackedBytes => _sackedBytes;

    /// <summary>One past the highest SACKed byte (meaningful when not empty).</summary>
    public uint HighestSacked => _count == 0 ? 0 : _ranges[_count - 1].End;

    /// <summary>Range <paramref name="index"/> in ascending order.</summary>
    public (uint Start, uint End) this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return (_ranges[index].Start, _ranges[index].End);
        }
    }

    /// <summary>
    /// Records one SACK block [<paramref name="left"/>, <paramref name="right"/>) from an ACK. Only the part inside
    /// [<paramref name="sndUna"/>, <paramref name="sndMax"/>) counts: a block below SND.UNA (a D-SACK, RFC 2883) or
    /// beyond what was sent is ignored, as is an inverted one. Returns the bytes the block newly SACKed (when the
    /// board is full and the highest range is forgotten to make room, <see cref="SackedBytes"/> may still fall).
    /// </summary>
    public int Add(uint left, uint right, uint sndUna, uint sndMax)
    {
        if (TcpSequence.Lt(left, sndUna)) left = sndUna;
        if (TcpSequence.Gt(right, sndMax)) right = sndMax;
        if (!TcpSequence.Lt(left, right)) return 0;

        // First range that ends at or after left (it may touch or overlap the new one).
        int first = 0;
        while (first < _count && TcpSequence.Lt(_ranges[first].End, left)) first++;
        // Ranges [first, last) touch or overlap [left, right) and merge with it.
        int last = first;
        long covered = 0;
        uint start = left, end = right;
        while (last < _count && TcpSequence.Leq(_ranges[last].Start, right))
        {
            var r = _ranges[last];
            covered += Overlap(r.Start, r.End, left, right);
            start = TcpSequence.Min(start, r.Start);
            end = TcpSequence.Max(end, r.End);
            last++;
        }
        int added = (int)(TcpSequence.Distance(left, right) - covered);
        if (added == 0 && last - first == 1) return 0; // inside one range already

        int merged = last - first;
        if (merged == 0)
        {
            if (_count == MaxRanges)
            {
                if (first == _count) return 0; // above everything held: forget it rather than the ranges below
                _sackedBytes -= TcpSequence.Distance(_ranges[_count - 1].Start, _ranges[_count - 1].End);
                _count--; // forget the highest range to make room
            }
            EnsureCapacity(_count + 1);
            Array.Copy(_ranges, first, _ranges, first + 1, _count - first);
            _count++;
        }
        else if (merged > 1)
        {
            Array.Copy(_ranges, last, _ranges, first + 1, _count - last);
            _count -= merged - 1;
        }
        _ranges[first] = new Range { Start = start, End = end };
        _sackedBytes += added;
        return added;
    }

    /// <summary>The cumulative ACK moved to <paramref name="sndUna"/>: forget what it covers.</summary>
    public void Advance(uint sndUna)
    {
        int drop = 0;
        while (drop < _count && TcpSequence.Leq(_ranges[drop].End, sndUna))
        {
            _sackedBytes -= TcpSequence.Distance(_ranges[drop].Start, _ranges[drop].End);
            drop++;
        }
        if (drop > 0)
        {
            Array.Copy(_ranges, drop, _ranges, 0, _count - drop);
            _count -= drop;
        }
        if (_count > 0 && TcpSequence.Lt(_ranges[0].Start, sndUna))
        {
            _sackedBytes -= TcpSequence.Distance(_ranges[0].Start, sndUna);
            _ranges[0].Start = sndUna;
        }
    }

    /// <summary>Forgets every range (after repeated timeouts, when the receiver may have reneged, RFC 2018 §8).</summary>
    public void Clear()
    {
        _count = 0;
        _sackedBytes = 0;
    }

    /// <summary>True when <paramref name="sequence"/> is SACKed; <paramref name="end"/> is then where its range ends.</summary>
    public bool IsSacked(uint sequence, out uint end)
    {
        for (int i = 0; i < _count; i++)
        {
            if (TcpSequence.Lt(sequence, _ranges[i].Start)) break;
            if (TcpSequence.Lt(sequence, _ranges[i].End))
            {
                end = _ranges[i].End;
                return true;
            }
        }
        end = sequence;
        return false;
    }

    /// <summary>The start of the first SACKed range above <paramref name="sequence"/>, or <paramref name="limit"/> if none is below it.</summary>
    public uint NextSackedAfter(uint sequence, uint limit)
    {
        for (int i = 0; i < _count; i++)
            if (TcpSequence.Gt(_ranges[i].Start, sequence)) return TcpSequence.Min(_ranges[i].Start, limit);
        return limit;
    }

    /// <summary>
    /// The first hole at or above <paramref name="from"/> (and at or above <paramref name="sndUna"/>) that lies below
    /// the highest SACKed byte: the unSACKed bytes [start, end) between two SACKed ranges (or SND.UNA and the first).
    /// </summary>
    public bool TryGetHole(uint from, uint sndUna, out uint start, out uint end)
    {
        uint cursor = TcpSequence.Max(from, sndUna);
        uint holeStart = sndUna;
        for (int i = 0; i < _count; i++)
        {
            var r = _ranges[i];
            // Hole [holeStart, r.Start): its part at or above the cursor.
            if (TcpSequence.Lt(cursor, r.Start))
            {
                start = TcpSequence.Max(holeStart, cursor);
                end = r.Start;
                if (TcpSequence.Lt(start, end)) return true;
            }
            holeStart = r.End;
        }
        start = end = 0;
        return false;
    }

    /// <summary>
    /// RFC 6675 §4 IsLost for a hole ending at <paramref name="holeEnd"/>: DupThresh discontiguous SACKed ranges
    /// above it, or more than (DupThresh − 1)·SMSS SACKed bytes above it. <paramref name="threshold"/> is DupThresh,
    /// raised on a path that reorders.
    /// </summary>
    public bool IsLost(uint holeEnd, int mss, int threshold = DuplicateThreshold)
    {
        int rangesAbove = 0;
        long bytesAbove = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            var r = _ranges[i];
            if (TcpSequence.Leq(r.End, holeEnd)) break;
            rangesAbove++;
            bytesAbove += TcpSequence.Distance(TcpSequence.Max(r.Start, holeEnd), r.End);
        }
        return rangesAbove >= threshold || bytesAbove > (long)(threshold - 1) * mss;
    }

    /// <summary>
    /// The bytes SACKed above <paramref name="sequence"/> and the count of ranges there: enough to tell whether
    /// segments sent after a mark have arrived (lost-retransmission detection).
    /// </summary>
    public long SackedAbove(uint sequence, out int ranges)
    {
        ranges = 0;
        long bytes = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            var r = _ranges[i];
            if (TcpSequence.Leq(r.End, sequence)) break;
            ranges++;
            bytes += TcpSequence.Distance(TcpSequence.Max(r.Start, sequence), r.End);
        }
        return bytes;
    }

    /// <summary>SACKed bytes inside [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public long SackedWithin(uint start, uint end)
    {
        long bytes = 0;
        for (int i = 0; i < _count; i++)
        {
            var r = _ranges[i];
            if (TcpSequence.Geq(r.Start, end)) break;
            bytes += Overlap(r.Start, r.End, start, end);
        }
        return bytes;
    }

    private static long Overlap(uint aStart, uint aEnd, uint bStart, uint bEnd)
    {
        uint s = TcpSequence.Max(aStart, bStart), e = TcpSequence.Min(aEnd, bEnd);
        return TcpSequence.Lt(s, e) ? TcpSequence.Distance(s, e) : 0;
    }

    private void EnsureCapacity(int needed)
    {
        if (_ranges.Length >= needed) return;
        int size = Math.Min(MaxRanges, Math.Max(8, _ranges.Length * 2));
        Array.Resize(ref _ranges, size);
    }
}
