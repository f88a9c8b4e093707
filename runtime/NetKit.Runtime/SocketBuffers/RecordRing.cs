using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace NetKit.Runtime.SocketBuffers;

/// <summary>
/// Record mode of the socket-buffer ring, for datagrams (DragonFly <c>sbappendaddr</c>): each record is an
/// address plus a payload, stored contiguously so the reader can look at it in place. Built on
/// <see cref="ByteRing"/>, so it keeps the same single-producer/single-consumer, lock-free contract.
/// <para>
/// Layout of a record: <c>[int32 payload length][int32 reserved][TAddress][pad to 8][payload][pad to 8]</c>.
/// When a record does not fit before the end of the ring, the producer writes a wrap marker (length −1) over the
/// rest and starts at offset 0. A full ring refuses the record (the caller counts the drop, as UDP's
/// <c>udps_fullsock</c>); it never blocks the protocol thread.
/// </para>
/// </summary>
public sealed unsafe class RecordRing<TAddress> : IDisposable where TAddress : unmanaged
{
    private const int WrapMarker = -1;
    private static readonly int s_headerSize = Align8(8 + sizeof(TAddress));
    private readonly ByteRing _ring;
    private int _peekedRecordSize;

    public RecordRing(int capacity) => _ring = new ByteRing(capacity);

    /// <summary>The underlying byte ring (its counts are the socket buffer's <c>cc</c> in bytes of records).</summary>
    public ByteRing Bytes => _ring;

    /// <summary>Largest payload a record may carry (half the ring, so a wrap can always be absorbed).</summary>
    public int MaxPayload => _ring.Capacity / 2 - s_headerSize;

    /// <summary>Bytes a record with <paramref name="payloadLength"/> bytes occupies.</summary>
    public static int RecordSize(int payloadLength) => Align8(s_headerSize + payloadLength);

    // ---------------- producer ----------------

    /// <summary>Appends one record. False when it does not fit now (full ring), is too large, or the reader closed.</summary>
    public bool TryWrite(in TAddress address, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload || _ring.IsReaderCompleted) return false;
        int size = RecordSize(payload.Length);
        var span = _ring.GetWriteSpan(size);
        if (span.Length < size)
        {
            int toEnd = _ring.Capacity - (int)(_ring.TotalWritten & (_ring.Capacity - 1));
            // Only a span cut short by the end of the ring can be skipped; one cut short by the reader means full.
            if (span.Length < toEnd || _ring.WritableCount < toEnd + size) return false;
            MemoryMarshal.Write(span, WrapMarker);
            _ring.Commit(toEnd);
            span = _ring.GetWriteSpan(size);
            if (span.Length < size) return false; // cannot happen: checked above
        }
        MemoryMarshal.Write(span, payload.Length);
        MemoryMarshal.Write(span[4..], 0);
        MemoryMarshal.Write(span[8..], in address);
        payload.CopyTo(span[s_headerSize..]);
        _ring.Commit(size);
        return true;
    }

    /// <summary>No more records (the reader sees end of stream once drained).</summary>
    public void CompleteWriting() => _ring.CompleteWriting();

    /// <summary>Waits until a record of <paramref name="payloadLength"/> bytes fits (worst case, with a wrap).</summary>
    public ValueTask<bool> WaitForSpaceAsync(int payloadLength, CancellationToken token = default)
        => _ring.WaitForSpaceAsync(Math.Min(_ring.Capacity, 2 * RecordSize(payloadLength)), token);

    // ---------------- consumer ----------------

    /// <summary>
    /// Looks at the next record in place. Call <see cref="ReleaseRecord"/> when done with it. False when none is
    /// available yet.
    /// </summary>
    public bool TryPeek(out TAddress address, out ReadOnlySpan<byte> payload)
    {
        while (true)
        {
            var span = _ring.Peek();
            if (span.Length < sizeof(int))
            {
                address = default;
                payload = default;
                _peekedRecordSize = 0;
                return false;
            }
            int length = MemoryMarshal.Read<int>(span);
            if (length == WrapMarker)
            {
                // The marker fills the ring up to its end: skip it and look again at offset 0.
                _ring.Release(span.Length);
                continue;
            }
            address = MemoryMarshal.Read<TAddress>(span[8..]);
            payload = span.Slice(s_headerSize, length);
            _peekedRecordSize = RecordSize(length);
            return true;
        }
    }

    /// <summary>Consumes the record last returned by <see cref="TryPeek"/>.</summary>
    public void ReleaseRecord()
    {
        int size = _peekedRecordSize;
        _peekedRecordSize = 0;
        _ring.Release(size);
    }

    /// <summary>
    /// Reads the next record: copies up to <paramref name="destination"/>.Length payload bytes and consumes the whole
    /// record (a datagram's excess is discarded, as with <c>recvfrom</c> and MSG_TRUNC). Returns false if none.
    /// </summary>
    /// <param name="datagramLength">The record's full payload length (greater than the copied count when truncated).</param>
    public bool TryRead(Span<byte> destination, out TAddress address, out int copied, out int datagramLength)
    {
        if (!TryPeek(out address, out var payload))
        {
            copied = datagramLength = 0;
            return false;
        }
        datagramLength = payload.Length;
        copied = Math.Min(payload.Length, destination.Length);
        payload[..copied].CopyTo(destination);
        ReleaseRecord();
        return true;
    }

    /// <summary>Waits for a record; false at end of stream.</summary>
    public ValueTask<bool> WaitForRecordAsync(CancellationToken token = default) => _ring.WaitForDataAsync(1, token);

    /// <summary>Synchronous wait for a record; false at end of stream or timeout.</summary>
    public bool WaitForRecord(int timeoutMs = Timeout.Infinite, CancellationToken token = default) => _ring.WaitForData(1, timeoutMs, token);

    public void Dispose() => _ring.Dispose();

    private static int Align8(int n) => (n + 7) & ~7;
}
