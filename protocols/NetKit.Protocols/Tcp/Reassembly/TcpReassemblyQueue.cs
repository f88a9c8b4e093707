using System;
using System.Runtime.CompilerServices;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.SocketBuffers;

namespace NetKit.Protocols.Tcp.Reassembly;

/// <summary>What <see cref="TcpReassemblyQueue.Insert"/> did with a segment.</summary>
public enum InsertResult
{
    /// <summary>At least one new byte was kept (it may already be deliverable: call <see cref="TcpReassemblyQueue.DeliverTo"/>).</summary>
    Queued,

    /// <summary>Nothing new: every byte inside the window was already held or already delivered. The buffer was freed
    /// and the segment counted in <see cref="TcpReassemblyQueue.Dropped"/>.</summary>
    Duplicate,

    /// <summary>The queue already held its maximum number of segments; the buffer was freed and the segment counted in
    /// <see cref="TcpReassemblyQueue.Dropped"/>.</summary>
    Full,

    /// <summary>No byte of the segment lies inside [rcvNxt, rcvWindowEnd) and some lie beyond the window. The buffer
    /// was freed; not counted as dropped (the caller answers it with an ACK, RFC 9293 §3.10.7.4).</summary>
    OutOfWindow,
}

/// <summary>
/// The TCP receive reassembly (out-of-order) queue of one connection (BSD <c>tcp_reass</c>, RFC 9293 §3.10.7.4).
/// It is owner-only: the connection's protocol thread is the only one that touches it, so it takes no locks.
/// <para>
/// Zero copy: a held segment is a reference to the received <see cref="PacketBuffer"/> itself, as
/// (sequence number, buffer, offset, length). The offset and length index the buffer's data as one byte sequence
/// across its <see cref="PacketBuffer.Next"/> chain (for an unchained buffer that is just <see cref="PacketBuffer.Data"/>).
/// Entries are kept sorted by sequence number and never overlap, in a small array managed in place: it is allocated
/// on the first out-of-order segment and grows geometrically up to <c>maxSegments</c>, so steady state allocates
/// nothing.
/// </para>
/// <para>
/// Ownership: <see cref="Insert"/> takes the buffer over in every case (even when it throws on invalid arguments):
/// it keeps it, or frees it when nothing of it is kept. <see cref="DeliverTo"/> frees buffers once their bytes are
/// in the socket ring, and <see cref="Clear"/> frees everything still held. Each buffer is referenced by at most one
/// entry (one owner per buffer).
/// </para>
/// <para>
/// Overlap policy: existing data wins. Bytes already held are never replaced; only the new parts of a segment are
/// kept. When those new parts are not contiguous (a segment bridging or covering held ranges, e.g. a repacketized
/// retransmission), the first (lowest) new part is kept by reference in the segment's own buffer and every further
/// part is copied into a buffer chain rented from the segment's pool (<see cref="PacketBufferPool.TryRentChain"/>).
/// If that pool is exhausted, or the queue reaches <c>maxSegments</c> while storing them, the remaining parts are
/// not kept (the sender retransmits them; TCP stays correct, the first part is still queued).
/// </para>
/// <para>
/// Limit policy: a segment needing a new entry when <c>maxSegments</c> are held is refused (<see cref="InsertResult.Full"/>),
/// except when its new data starts exactly at rcvNxt: then the highest held segment (the one furthest from delivery)
/// is evicted to make room, so a full queue can never stall the connection (Linux prunes its out-of-order queue from
/// the end too). Evicted segments are counted in <see cref="Dropped"/>.
/// </para>
/// <para>
/// Sequence numbers are modular 32-bit (RFC 9293 §3.4): every comparison is made on the difference, so the queue
/// works across the 2^32 wrap.
/// </para>
/// </summary>
public sealed class TcpReassemblyQueue
{
    private const int InitialCapacity = 8;

    private struct Entry
    {
        public uint Seq;
        public int Length;
        public int Offset;            // into the buffer chain's data
        public PacketBuffer Buffer;
    }

    private readonly int _maxSegments;
    private Entry[] _entries = [];
    private int _count;
    private int _bufferedBytes;
    private long _dropped;
    private uint _lastReceivedSeq;      // first byte kept from the most recent queued segment (SACK block order)
    private bool _hasLastReceived;

    /// <param name="maxSegments">Most segments held at once (each pins one buffer or chain).</param>
    public TcpReassemblyQueue(int maxSegments = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegments, 1);
        _maxSegments = maxSegments;
    }

    /// <summary>Segments (entries) held.</summary>
    public int SegmentCount => _count;

    /// <summary>Data bytes held (not counting headers or the buffers' unused space).</summary>
    public int BufferedBytes => _bufferedBytes;

    public bool IsEmpty => _count == 0;

    /// <summary>Segments refused because the queue was full or they were entirely duplicate, plus held segments
    /// evicted to make room for the segment at rcvNxt.</summary>
    public long Dropped => _dropped;

    /// <summary>
    /// Adds the <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="buffer"/>'s data,
    /// the segment text starting at sequence number <paramref name="seq"/>. Bytes outside
    /// [<paramref name="rcvNxt"/>, <paramref name="rcvWindowEnd"/>) are trimmed away (RFC 9293 §3.10.7.4) and bytes
    /// already held are skipped (existing data wins). Takes ownership of <paramref name="buffer"/> in every case.
    /// </summary>
    public InsertResult Insert(uint rcvNxt, uint rcvWindowEnd, uint seq, PacketBuffer buffer, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || length < 0 || (long)offset + length > buffer.ChainLength)
        {
            buffer.Free();
            throw new ArgumentOutOfRangeException(nameof(length),
                $"segment [{offset}, {(long)offset + length}) lies outside the buffer's {buffer.ChainLength} data bytes.");
        }

        Prune(rcvNxt);

        // Trim to the window; positions below are relative to rcvNxt.
        int window = Math.Max(0, Diff(rcvWindowEnd, rcvNxt));
        long start = Diff(seq, rcvNxt);
        long end = start + length;
        int lo = (int)Math.Max(start, 0);
        int hi = (int)Math.Min(end, window);
        if (hi <= lo)
        {
            buffer.Free();
            if (end <= 0 || (length == 0 && start <= window))
            {
                _dropped++;
                return InsertResult.Duplicate;
            }
            return InsertResult.OutOfWindow;
        }

        // The first new part keeps the buffer itself; later parts (a bridging segment) are copied.
        int cursor = lo;
        if (!FindGap(rcvNxt, ref cursor, hi, out int gapEnd, out int index))
        {
            buffer.Free();
            _dropped++;
            return InsertResult.Duplicate;
        }
        if (_count == _maxSegments)
        {
            if (cursor != 0)
            {
                buffer.Free();
                _dropped++;
                return InsertResult.Full;
            }
            // New data at rcvNxt: evict the segment furthest from delivery so the connection cannot stall, then
            // look again (the evicted segment may have bounded the gap).
            EvictLast();
            FindGap(rcvNxt, ref cursor, hi, out gapEnd, out index);
        }
        int firstStart = cursor;
        InsertAt(index, rcvNxt + (uint)cursor, buffer, offset + (int)(cursor - start), gapEnd - cursor);
        cursor = gapEnd;

        while (_count < _maxSegments && FindGap(rcvNxt, ref cursor, hi, out gapEnd, out index))
        {
            int partLength = gapEnd - cursor;
            var copy = buffer.Pool.TryRentChain(partLength, 0);
            if (copy is null) break;
            CopyChainData(buffer, offset + (int)(cursor - start), copy, partLength);
            InsertAt(index, rcvNxt + (uint)cursor, copy, 0, partLength);
            cursor = gapEnd;
        }

        _lastReceivedSeq = rcvNxt + (uint)firstStart;
        _hasLastReceived = true;
        return InsertResult.Queued;
    }

    /// <summary>
    /// Writes every held byte that is in order at <paramref name="rcvNxt"/> into <paramref name="ring"/> (as much as
    /// its free space takes), advances <paramref name="rcvNxt"/> past them and frees the buffers fully consumed; a
    /// partly consumed segment stays with its offset advanced. Held segments wholly below <paramref name="rcvNxt"/>
    /// (delivered some other way) are freed first. At most <paramref name="limit"/> bytes go (a reader stops at the
    /// urgent byte, which <see cref="TryTakeByte"/> then pulls out). Returns the bytes delivered.
    /// </summary>
    public int DeliverTo(ref uint rcvNxt, ByteRing ring, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Prune(rcvNxt);

        int available = 0;
        uint expect = rcvNxt;
        for (int i = 0; i < _count && _entries[i].Seq == expect && available < limit; i++)
        {
            available += _entries[i].Length;
            expect += (uint)_entries[i].Length;
        }
        available = Math.Min(available, limit);
        if (available == 0) return 0;

        int delivered = 0;
        int consumed = 0;   // leading entries fully written (freed, removed at the end in one move)
        while (delivered < available)
        {
            var span = ring.GetWriteSpan(available - delivered);
            if (span.IsEmpty) break;
            int n = Math.Min(span.Length, available - delivered);
            var destination = span[..n];
            while (!destination.IsEmpty)
            {
                ref var e = ref _entries[consumed];
                int take = Math.Min(e.Length, destination.Length);
                CopyOut(e.Buffer, e.Offset, destination[..take]);
                destination = destination[take..];
                if (take == e.Length)
                {
                    e.Buffer.Free();
                    consumed++;
                }
                else
                {
                    e.Offset += take;
                    e.Length -= take;
                    e.Seq += (uint)take;
                }
            }
            ring.Commit(n);
            delivered += n;
        }

        RemoveFront(consumed);
        _bufferedBytes -= delivered;
        rcvNxt += (uint)delivered;
        return delivered;
    }

    /// <summary>
    /// Takes the byte at <paramref name="rcvNxt"/> out of the queue, if held (the urgent byte of a stream that does
    /// not keep it inline, RFC 9293 §3.8.5), and advances <paramref name="rcvNxt"/> past it.
    /// </summary>
    public bool TryTakeByte(ref uint rcvNxt, out byte value)
    {
        Prune(rcvNxt);
        value = 0;
        if (_count == 0 || _entries[0].Seq != rcvNxt) return false;
        ref var e = ref _entries[0];
        Span<byte> one = stackalloc byte[1];
        CopyOut(e.Buffer, e.Offset, one);
        value = one[0];
        if (e.Length == 1)
        {
            e.Buffer.Free();
            RemoveFront(1);
        }
        else
        {
            e.Offset++;
            e.Length--;
            e.Seq++;
        }
        _bufferedBytes--;
        rcvNxt++;
        return true;
    }

    /// <summary>
    /// Writes the held ranges as SACK blocks [Left, Right) — contiguous held segments merged into one block — and
    /// returns how many were written. The block holding the most recently queued segment comes first (RFC 2018 §4);
    /// the others follow in ascending sequence order, as many as fit.
    /// </summary>
    public int CopySackBlocks(Span<(uint Left, uint Right)> destination)
    {
        if (destination.IsEmpty || _count == 0) return 0;
        int written = 0;
        int firstRun = -1;
        if (_hasLastReceived)
        {
            for (int i = 0; i < _count;)
            {
                int next = RunEnd(i, out uint left, out uint right);
                if (Diff(_lastReceivedSeq, left) >= 0 && Diff(_lastReceivedSeq, right) < 0)
                {
                    destination[written++] = (left, right);
                    firstRun = i;
                    break;
                }
                i = next;
            }
        }
        for (int i = 0; i < _count && written < destination.Length;)
        {
            int next = RunEnd(i, out uint left, out uint right);
            if (i != firstRun) destination[written++] = (left, right);
            i = next;
        }
        return written;
    }

    /// <summary>Frees every held buffer (the connection closed or was reset).</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            _entries[i].Buffer.Free();
            _entries[i] = default;
        }
        _count = 0;
        _bufferedBytes = 0;
        _hasLastReceived = false;
    }

    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Signed distance a - b in modular sequence space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Diff(uint a, uint b) => (int)(a - b);

    /// <summary>Frees held segments wholly below <paramref name="rcvNxt"/> and trims one that straddles it, so every
    /// entry starts at or after rcvNxt (the caller may have advanced rcvNxt by delivering in-order data itself).</summary>
    private void Prune(uint rcvNxt)
    {
        int stale = 0;
        while (stale < _count)
        {
            ref var e = ref _entries[stale];
            int below = Diff(rcvNxt, e.Seq);
            if (below <= 0) break;
            if (below < e.Length)
            {
                e.Seq = rcvNxt;
                e.Offset += below;
                e.Length -= below;
                _bufferedBytes -= below;
                break;
            }
            _bufferedBytes -= e.Length;
            e.Buffer.Free();
            stale++;
        }
        RemoveFront(stale);
    }

    /// <summary>
    /// Finds the first range in [<paramref name="cursor"/>, <paramref name="hi"/>) (relative to rcvNxt) that no entry
    /// holds: on success <paramref name="cursor"/> is its start, <paramref name="gapEnd"/> its end and
    /// <paramref name="index"/> where an entry for it goes.
    /// </summary>
    private bool FindGap(uint rcvNxt, ref int cursor, int hi, out int gapEnd, out int index)
    {
        // First entry ending after the cursor (entries are sorted and disjoint, so their ends are sorted too).
        int lo = 0, top = _count;
        while (lo < top)
        {
            int mid = (lo + top) >>> 1;
            if (Diff(_entries[mid].Seq, rcvNxt) + _entries[mid].Length <= cursor) lo = mid + 1;
            else top = mid;
        }
        int i = lo;
        while (i < _count && Diff(_entries[i].Seq, rcvNxt) <= cursor)
        {
            cursor = Math.Max(cursor, Diff(_entries[i].Seq, rcvNxt) + _entries[i].Length);
            i++;
        }
        index = i;
        if (cursor >= hi)
        {
            gapEnd = cursor;
            return false;
        }
        gapEnd = i < _count ? Math.Min(hi, Diff(_entries[i].Seq, rcvNxt)) : hi;
        return true;
    }

    private void InsertAt(int index, uint seq, PacketBuffer buffer, int offset, int length)
    {
        if (_count == _entries.Length)
        {
            var grown = new Entry[Math.Min(_maxSegments, Math.Max(InitialCapacity, _entries.Length * 2))];
            Array.Copy(_entries, grown, _count);
            _entries = grown;
        }
        if (index < _count) Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _entries[index] = new Entry { Seq = seq, Buffer = buffer, Offset = offset, Length = length };
        _count++;
        _bufferedBytes += length;
    }

    private void EvictLast()
    {
        ref var last = ref _entries[_count - 1];
        _bufferedBytes -= last.Length;
        last.Buffer.Free();
        last = default;
        _count--;
        _dropped++;
    }

    /// <summary>Forgets the first <paramref name="count"/> entries (their buffers already freed).</summary>
    private void RemoveFront(int count)
    {
        if (count == 0) return;
        int rest = _count - count;
        if (rest > 0) Array.Copy(_entries, count, _entries, 0, rest);
        Array.Clear(_entries, rest, count);
        _count = rest;
    }

    /// <summary>The merged run of contiguous entries starting at <paramref name="start"/>; returns the index after it.</summary>
    private int RunEnd(int start, out uint left, out uint right)
    {
        left = _entries[start].Seq;
        right = left + (uint)_entries[start].Length;
        int i = start + 1;
        while (i < _count && _entries[i].Seq == right)
        {
            right += (uint)_entries[i].Length;
            i++;
        }
        return i;
    }

    /// <summary>Copies chain data starting at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    private static void CopyOut(PacketBuffer chain, int offset, Span<byte> destination)
    {
        PacketBuffer? b = chain;
        while (offset >= b.Length && b.Next is not null)
        {
            offset -= b.Length;
            b = b.Next;
        }
        while (!destination.IsEmpty)
        {
            var source = b!.Data[offset..];
            int n = Math.Min(source.Length, destination.Length);
            source[..n].CopyTo(destination);
            destination = destination[n..];
            offset = 0;
            b = b.Next;
        }
    }

    /// <summary>Copies <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="source"/> into the
    /// data windows of <paramref name="destination"/> (a chain sized for exactly that many bytes).</summary>
    private static void CopyChainData(PacketBuffer source, int offset, PacketBuffer destination, int length)
    {
        for (PacketBuffer? d = destination; d is not null && length > 0; d = d.Next)
        {
            int n = Math.Min(d.Length, length);
            CopyOut(source, offset, d.Data[..n]);
            offset += n;
            length -= n;
        }
    }
}
