using System;
using System.Collections.Generic;
using NetKit.Runtime.Buffers;

namespace NetKit.Protocols.IPv4.Fragmentation;

/// <summary>
/// IPv4 fragment reassembly for one protocol thread (RFC 791 §3.2; BSD <c>ip_reass</c>). Fragments are hashed to
/// threads by their address pair, so every fragment of a datagram meets the same reassembler; it is owner-only
/// and takes no locks.
/// <para>
/// Ownership: <see cref="Offer"/> always takes the fragment buffer over. It either keeps it (trimmed to the
/// payload), hands it back inside the reassembled datagram, or frees it.
/// </para>
/// <para>
/// Overlap rule: overlapping bytes that are identical are tolerated (retransmitted or re-fragmented pieces);
/// bytes that differ, or a second last fragment disagreeing on the length, drop the whole datagram and poison its
/// key, so its later fragments are dropped too until the reassembly would have timed out (RFC 5722's rule for
/// IPv6, applied to IPv4 only to conflicting overlaps: RFC 791 allows identical ones).
/// </para>
/// <para>
/// Limit policy: nothing is evicted. A fragment that would start a datagram beyond
/// <see cref="IPv4ReassemblyOptions.MaxReassemblies"/>, or make the held memory pass
/// <see cref="IPv4ReassemblyOptions.MaxBytes"/>, is dropped and counted (Linux likewise refuses fragments above
/// <c>ipfrag_high_thresh</c>); held datagrams finish or time out. A datagram needing more than
/// <see cref="IPv4ReassemblyOptions.MaxFragmentsPerDatagram"/> pieces is dropped whole and poisoned.
/// </para>
/// <para>
/// Timeouts: the reassembler keeps no timer. Its owner calls <see cref="TryExpire"/> (or <see cref="Expire"/>)
/// from a periodic callout, e.g. every second like BSD's <c>ip_slowtimo</c>; <see cref="NextDeadlineNanoseconds"/>
/// says when the next one is due. Times are <see cref="Runtime.Timers.NetClock.NowNanoseconds"/> values.
/// </para>
/// <para>
/// Steady state allocates nothing: per-datagram queues are pooled, the key table is sized up front, and the held
/// pieces are the fragment buffers themselves (zero copy; a completed datagram is their chain).
/// </para>
/// </summary>
public sealed class IPv4Reassembler
{
    /// <summary>Largest reassembled payload: the 65535-byte total length less a 20-byte header (RFC 791 §3.1).
    /// A first fragment carrying options allows less; the caller checks that when it rebuilds the header.</summary>
    public const int MaxPayloadLength = 65535 - 20;

    private readonly long _timeoutNanoseconds;
    private readonly int _maxReassemblies;
    private readonly int _maxFragments;
    private readonly long _maxBytes;
    private readonly Dictionary<FragmentKey, ReassemblyQueue> _queues;
    private readonly ReassemblyQueue[] _free;
    private int _freeCount;
    private ReassemblyQueue? _oldest;
    private ReassemblyQueue? _newest;
    private long _bytesHeld;

    public IPv4Reassembler(IPv4ReassemblyOptions? options = null)
    {
        options ??= new IPv4ReassemblyOptions();
        options.Validate();
        _timeoutNanoseconds = options.Timeout.Ticks * 100;
        _maxReassemblies = options.MaxReassemblies;
        _maxFragments = options.MaxFragmentsPerDatagram;
        _maxBytes = options.MaxBytes;
        _queues = new Dictionary<FragmentKey, ReassemblyQueue>(_maxReassemblies);
        _free = new ReassemblyQueue[_maxReassemblies];
    }

    public IPv4ReassemblyStatistics Statistics { get; } = new();

    /// <summary>Datagrams in reassembly, poisoned keys included.</summary>
    public int ActiveCount => _queues.Count;

    /// <summary>Buffer memory held (capacities), compared against <see cref="IPv4ReassemblyOptions.MaxBytes"/>.</summary>
    public long BytesHeld => _bytesHeld;

    /// <summary>When the oldest reassembly times out; <see cref="long.MaxValue"/> when none is held.</summary>
    public long NextDeadlineNanoseconds => _oldest?.DeadlineNanoseconds ?? long.MaxValue;

    /// <summary>
    /// Adds one fragment. <paramref name="fragment"/>'s payload is the <paramref name="payloadLength"/> bytes at
    /// <paramref name="payloadOffset"/> of its data (the IP total length less the header: link padding after it
    /// is ignored); <paramref name="offsetBytes"/> is the fragment offset field times 8.
    /// </summary>
    /// <returns><see cref="ReassemblyResult.Completed"/> with <paramref name="datagram"/> set to the payload of the
    /// whole datagram (a chain, owned by the caller, whose head has fragment zero's headroom so the caller can
    /// prepend the header it rebuilds); otherwise <paramref name="datagram"/> is null. The head keeps fragment
    /// zero's metadata: the caller rehashes the whole datagram (DragonFly re-dispatches it after reassembly, as
    /// a transport may hash on ports the later fragments did not carry). A datagram that is not a fragment
    /// (offset 0, MF clear) with no reassembly under its key comes straight back, counted as reassembled.</returns>
    public ReassemblyResult Offer(in FragmentKey key, int offsetBytes, bool moreFragments, PacketBuffer fragment,
        int payloadOffset, int payloadLength, long nowNanoseconds, out PacketBuffer? datagram)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        datagram = null;
        var stats = Statistics;
        stats.FragmentsReceived++;

        // RFC 791 §3.2: offsets count 8-byte blocks, so every fragment but the last carries a multiple of 8 bytes.
        if (payloadOffset < 0 || payloadLength < 0 || offsetBytes < 0 || (offsetBytes & 7) != 0 ||
            offsetBytes > MaxPayloadLength - payloadLength ||
            (moreFragments && (payloadLength == 0 || (payloadLength & 7) != 0)) ||
            payloadOffset > fragment.ChainLength - payloadLength)
        {
            stats.FragmentsInvalid++;
            fragment.Free();
            return ReassemblyResult.Invalid;
        }
        int end = offsetBytes + payloadLength;
        long cost = payloadLength == 0 ? 0 : PacketChain.Capacity(fragment);

        if (!_queues.TryGetValue(key, out var queue))
        {
            if (!moreFragments && offsetBytes == 0)
            {
                // Offset 0 and MF clear: not a fragment at all; hand the payload straight back.
                var whole = PacketChain.TrimFront(fragment, payloadOffset);
                PacketChain.Truncate(whole, payloadLength);
                stats.DatagramsReassembled++;
                datagram = whole;
                return ReassemblyResult.Completed;
            }
            if (_queues.Count >= _maxReassemblies)
            {
                stats.FragmentsDroppedReassemblyLimit++;
                fragment.Free();
                return ReassemblyResult.DroppedReassemblyLimit;
            }
            if (_bytesHeld + cost > _maxBytes) return DropForMemory(fragment);
            queue = RentQueue(key, nowNanoseconds + _timeoutNanoseconds);
        }
        else if (queue.Poisoned)
        {
            stats.FragmentsDroppedPoisoned++;
            fragment.Free();
            return ReassemblyResult.DroppedPoisoned;
        }
        else if (_bytesHeld + cost > _maxBytes)
        {
            return DropForMemory(fragment);
        }

        // The last fragment fixes the length; nothing held may lie past it, and no one may disagree.
        bool fixesLength = false;
        if (!moreFragments)
        {
            if ((queue.TotalLength >= 0 && queue.TotalLength != end) || queue.HighestEnd > end)
                return Poison(queue, fragment, ReassemblyResult.DroppedOverlap);
            fixesLength = queue.TotalLength < 0;
            queue.TotalLength = end;
        }
        else if (queue.TotalLength >= 0 && end > queue.TotalLength)
        {
            return Poison(queue, fragment, ReassemblyResult.DroppedOverlap);
        }

        var result = ReassemblyResult.Queued;
        if (payloadLength == 0)
        {
            fragment.Free();   // an empty last fragment only sets the length
        }
        else
        {
            result = Insert(queue, fragment, payloadOffset, payloadLength, offsetBytes, end);
            if (queue.Poisoned) return result;
            // Bytes all held, but the length is news: not a duplicate (a piece that ended the datagram arrived
            // with MF set, and this is the last fragment saying so).
            if (result == ReassemblyResult.Duplicate && fixesLength) result = ReassemblyResult.Queued;
        }

        if (queue.TotalLength < 0 || queue.ReceivedBytes != queue.TotalLength)
        {
            if (result == ReassemblyResult.Duplicate) stats.FragmentsDuplicate++;
            return result;
        }
        // Whole: the pieces tile [0, TotalLength) without overlap, so their chain is the payload.
        _bytesHeld -= queue.MemoryBytes;
        datagram = queue.TakeChain();
        Release(queue);
        stats.DatagramsReassembled++;
        return ReassemblyResult.Completed;
    }

    private ReassemblyResult Insert(ReassemblyQueue queue, PacketBuffer fragment, int payloadOffset, int payloadLength,
        int start, int end)
    {
        var originalHead = fragment;
        int originalOffset = fragment.Offset;
        var piece = PacketChain.TrimFront(fragment, payloadOffset);
        PacketChain.Truncate(piece, payloadLength);

        // Every byte that overlaps a held piece must match it; count how many are already held.
        int index = queue.FirstEndingAfter(start);
        int covered = 0;
        for (int j = index; j < queue.Count && queue.Starts[j] < end; j++)
        {
            int from = Math.Max(start, queue.Starts[j]);
            int to = Math.Min(end, queue.Ends[j]);
            if (!PacketChain.RangeEquals(piece, from - start, queue.Pieces[j]!, from - queue.Starts[j], to - from))
                return Poison(queue, piece, ReassemblyResult.DroppedOverlap);
            covered += to - from;
        }
        if (covered == payloadLength)
        {
            piece.Free();
            return ReassemblyResult.Duplicate;
        }

        // Keep the pieces disjoint, as ip_reass does: cut what the predecessor already holds, replace pieces the
        // new one spans, cut where the successor begins. There is a hole in between, so the piece stays non-empty.
        if (index < queue.Count && queue.Starts[index] < start)
        {
            int cut = queue.Ends[index] - start;
            piece = PacketChain.TrimFront(piece, cut);
            start += cut;
            index++;
        }
        int after = index;
        while (after < queue.Count && queue.Ends[after] <= end) after++;
        if (after < queue.Count && queue.Starts[after] < end)
        {
            PacketChain.Truncate(piece, queue.Starts[after] - start);
            end = queue.Starts[after];
        }
        int spanned = after - index;
        if (queue.Count - spanned + 1 > queue.Capacity)
            return Poison(queue, piece, ReassemblyResult.DroppedTooManyFragments);
        if (spanned > 0) _bytesHeld -= queue.FreeRange(index, spanned);

        long memory = PacketChain.Capacity(piece);
        queue.Insert(index, start, end, piece, memory);
        _bytesHeld += memory;
        // Fragment zero's header bytes stay in front of its payload: remembered for ICMP time exceeded.
        if (start == 0) queue.HeaderOffset = ReferenceEquals(piece, originalHead) ? originalOffset : -1;
        return ReassemblyResult.Queued;
    }

    /// <summary>
    /// Ends the oldest reassembly whose deadline is at or before <paramref name="nowNanoseconds"/>, if any, and
    /// reports it; call until false. The caller owns <see cref="ExpiredDatagram.FirstFragment"/> and frees it.
    /// Poisoned keys past their deadline are forgotten silently on the way.
    /// </summary>
    public bool TryExpire(long nowNanoseconds, out ExpiredDatagram expired)
    {
        while (_oldest is { } queue && queue.DeadlineNanoseconds <= nowNanoseconds)
        {
            if (queue.Poisoned)
            {
                Release(queue);
                continue;
            }
            var stats = Statistics;
            stats.DatagramsTimedOut++;
            stats.FragmentsTimedOut += queue.Count;
            _bytesHeld -= queue.MemoryBytes;
            bool firstReceived = queue.Count > 0 && queue.Starts[0] == 0;
            PacketBuffer? first = null;
            if (firstReceived && queue.HeaderOffset >= 0)
            {
                first = queue.TakeFirst();
                first.SetData(queue.HeaderOffset, first.Offset + first.Length - queue.HeaderOffset);
            }
            queue.FreeRange(0, queue.Count);
            var key = queue.Key;
            Release(queue);
            expired = new ExpiredDatagram(key, firstReceived, first);
            return true;
        }
        expired = default;
        return false;
    }

    /// <summary>Ends every reassembly due by <paramref name="nowNanoseconds"/>, freeing everything (for callers
    /// that send no ICMP); returns how many datagrams timed out.</summary>
    public int Expire(long nowNanoseconds)
    {
        int count = 0;
        while (TryExpire(nowNanoseconds, out var expired))
        {
            expired.FirstFragment?.Free();
            count++;
        }
        return count;
    }

    /// <summary>Frees everything held and forgets every key (shutdown); counts nothing.</summary>
    public void Clear()
    {
        while (_oldest is { } queue)
        {
            queue.FreeRange(0, queue.Count);
            Release(queue);
        }
        _bytesHeld = 0;
    }

    private ReassemblyResult DropForMemory(PacketBuffer fragment)
    {
        Statistics.FragmentsDroppedMemoryLimit++;
        fragment.Free();
        return ReassemblyResult.DroppedMemoryLimit;
    }

    /// <summary>Drops the datagram and keeps its key until its deadline so its later fragments are dropped too.</summary>
    private ReassemblyResult Poison(ReassemblyQueue queue, PacketBuffer fragment, ReassemblyResult reason)
    {
        fragment.Free();
        _bytesHeld -= queue.MemoryBytes;
        queue.FreeRange(0, queue.Count);
        queue.Poisoned = true;
        if (reason == ReassemblyResult.DroppedTooManyFragments) Statistics.DatagramsDroppedTooManyFragments++;
        else Statistics.DatagramsDroppedOverlap++;
        return reason;
    }

    private ReassemblyQueue RentQueue(in FragmentKey key, long deadlineNanoseconds)
    {
        var queue = _freeCount > 0 ? _free[--_freeCount] : new ReassemblyQueue(_maxFragments);
        queue.Reset(key, deadlineNanoseconds);
        _queues.Add(key, queue);
        // Append as newest: with one timeout for all, the list stays in deadline order.
        queue.Older = _newest;
        if (_newest is null) _oldest = queue;
        else _newest.Newer = queue;
        _newest = queue;
        return queue;
    }

    /// <summary>Unlinks an empty queue, forgets its key and pools it.</summary>
    private void Release(ReassemblyQueue queue)
    {
        _queues.Remove(queue.Key);
        if (queue.Older is null) _oldest = queue.Newer;
        else queue.Older.Newer = queue.Newer;
        if (queue.Newer is null) _newest = queue.Older;
        else queue.Newer.Older = queue.Older;
        queue.Older = null;
        queue.Newer = null;
        _free[_freeCount++] = queue;
    }
}
