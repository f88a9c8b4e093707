using System;
using NetKit.Protocols.Tcp.Algorithms;

namespace NetKit.Protocols.Tcp.Sack;

/// <summary>
/// The retransmissions of one SACK recovery, each with SND.MAX at the moment it left, so that a lost retransmission
/// is found without waiting for the RTO: when the peer SACKs enough data sent after a retransmission (the same
/// DupThresh rule as RFC 6675 IsLost, applied above the mark) while the retransmitted bytes are still missing, they
/// were lost again and go out once more. This is Linux's <c>tcp_mark_lost_retrans</c> idea (the precursor of RACK,
/// RFC 8985, which does the same with send times). Owner-thread only; bounded, and nothing is allocated after the
/// first recovery: an entry that does not fit is simply not tracked (its loss falls back to the RTO).
/// </summary>
public sealed class TcpRetransmitLog
{
    public const int Capacity = 256;

    private Entry[] _entries = Array.Empty<Entry>();
    private int _count;

    private struct Entry
    {
        public uint Start;
        public uint End;
        public uint Mark;
        public long SentMicros;
        public bool LostAgain;
    }

    public int Count => _count;

    public void Clear() => _count = 0;

    /// <summary>Records a retransmission of [<paramref name="start"/>, <paramref name="end"/>) sent while SND.MAX was <paramref name="sndMax"/>.</summary>
    public void Add(uint start, uint end, uint sndMax, long nowMicros)
    {
        if (_count == Capacity) return;
        if (_entries.Length == _count) Array.Resize(ref _entries, Math.Min(Capacity, Math.Max(16, _count * 2)));
        _entries[_count++] = new Entry { Start = start, End = end, Mark = sndMax, SentMicros = nowMicros };
    }

    /// <summary>Puts back the unsent rest of a retransmission already known lost (it goes out before any hole).</summary>
    public void AddLost(uint start, uint end)
    {
        if (_count == Capacity) return;
        if (_entries.Length == _count) Array.Resize(ref _entries, Math.Min(Capacity, Math.Max(16, _count * 2)));
        _entries[_count++] = new Entry { Start = start, End = end, LostAgain = true };
    }

    /// <summary>
    /// Forgets what is acknowledged or SACKed and marks as lost again every retransmission with data sent after it
    /// SACKed — DupThresh segments' worth, or any at all once <paramref name="reorderWindowMicros"/> has passed since
    /// it left (RACK's time rule, RFC 8985 §6.2, which lets a single probe reveal the loss). Returns how many were
    /// newly marked.
    /// </summary>
    public int Update(uint sndUna, TcpSackScoreboard scoreboard, int mss, int threshold, long nowMicros, long reorderWindowMicros)
    {
        int marked = 0;
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i];
            if (TcpSequence.Lt(e.Start, sndUna)) e.Start = sndUna;
            if (!TcpSequence.Lt(e.Start, e.End)) continue; // cumulatively acknowledged
            if (scoreboard.SackedWithin(e.Start, e.End) >= TcpSequence.Distance(e.Start, e.End)) continue; // arrived
            if (!e.LostAgain)
            {
                long above = scoreboard.SackedAbove(e.Mark, out int ranges);
                if (ranges >= threshold || above > (long)(threshold - 1) * mss ||
                    (above > 0 && nowMicros - e.SentMicros >= reorderWindowMicros))
                {
                    e.LostAgain = true;
                    marked++;
                }
            }
            _entries[kept++] = e;
        }
        _count = kept;
        return marked;
    }

    /// <summary>The lowest retransmission found lost again, removed from the log (the caller sends it and logs it anew).</summary>
    public bool TryTakeLostAgain(out uint start, out uint end)
    {
        int best = -1;
        for (int i = 0; i < _count; i++)
            if (_entries[i].LostAgain && (best < 0 || TcpSequence.Lt(_entries[i].Start, _entries[best].Start))) best = i;
        if (best < 0)
        {
            start = end = 0;
            return false;
        }
        start = _entries[best].Start;
        end = _entries[best].End;
        Array.Copy(_entries, best + 1, _entries, best, _count - best - 1);
        _count--;
        return true;
    }

    /// <summary>Retransmitted bytes still in the network (RFC 6675 SetPipe's second count): logged, not lost again, not yet acknowledged or SACKed.</summary>
    public long BytesInFlight(uint sndUna, TcpSackScoreboard scoreboard)
    {
        long bytes = 0;
        for (int i = 0; i < _count; i++)
        {
            var e = _entries[i];
            if (e.LostAgain) continue;
            uint start = TcpSequence.Max(e.Start, sndUna);
            if (!TcpSequence.Lt(start, e.End)) continue;
            bytes += TcpSequence.Distance(start, e.End) - scoreboard.SackedWithin(start, e.End);
        }
        return bytes;
    }
}
