using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Diagnostics;

namespace NetKit.Runtime.SocketBuffers;

/// <summary>
/// The semi-lockless socket buffer from the seed thread: a single-producer, single-consumer byte ring between an
/// application thread and a protocol thread, with no lock on either side.
/// <para>
/// The writer owns <c>tail</c>, the reader owns <c>head</c>; both only grow (64-bit, never wrap). Each side reads
/// the other's index with acquire semantics, so the reader's byte count (<see cref="ReadableCount"/>) is a lower
/// bound of the true count and the writer's (<see cref="WriterCount"/>) an upper bound — exactly the weaker
/// guarantee Economopoulos proposed. The reader can <see cref="Peek(long)"/> data in place at any offset and
/// <see cref="Release"/> only what it is done with: TCP transmits from its send ring and releases only
/// acknowledged bytes, so no retransmit queue copy exists.
/// </para>
/// </summary>
public sealed class ByteRing : IDisposable
{
    private readonly byte[] _array;   // pinned
    private readonly int _mask;
    private Index _tail;              // written by the producer only
    private Index _head;              // written by the consumer only
    private long _producerCachedHead; // producer's last view of head
    private long _consumerCachedTail; // consumer's last view of tail
    private int _writerCompleted;     // producer closed (EOF; DragonFly SS_CANTRCVMORE on the reader's side)
    private int _readerCompleted;     // consumer closed (SS_CANTSENDMORE for the writer)
    private readonly RingSignal _readable = new();
    private readonly RingSignal _writable = new();

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Index
    {
        // Padded to two cache lines so producer and consumer never false-share.
        [FieldOffset(64)] public long Value;
    }

    /// <param name="capacity">Bytes; rounded up to a power of two (minimum 64).</param>
    public ByteRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 64));
        _array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
        _mask = size - 1;
        Capacity = size;
    }

    public int Capacity { get; }

    // ---------------- producer side ----------------

    /// <summary>Producer's view of the bytes in the ring: an upper bound (the consumer may have released more).</summary>
    public long WriterCount => _tail.Value - Volatile.Read(ref _head.Value);

    /// <summary>Producer's view of free space: a lower bound.</summary>
    public int WritableCount => Capacity - (int)WriterCount;

    /// <summary>True once the consumer closed its side; writes then fail.</summary>
    public bool IsReaderCompleted => Volatile.Read(ref _readerCompleted) != 0;

    /// <summary>True once the producer declared end of stream.</summary>
    public bool IsWriterCompleted => Volatile.Read(ref _writerCompleted) != 0;

    /// <summary>Total bytes ever committed (the producer's stream offset).</summary>
    public long TotalWritten => Volatile.Read(ref _tail.Value);

    /// <summary>Total bytes ever released (the consumer's stream offset).</summary>
    public long TotalRead => Volatile.Read(ref _head.Value);

    /// <summary>
    /// The contiguous free region at the tail (it ends at the wrap point or at the reader's data). Fill some of it,
    /// then <see cref="Commit"/>. Producer only. The producer keeps a cached view of the reader's index and refreshes
    /// it when the cached free space is below <paramref name="sizeHint"/>.
    /// </summary>
    public Span<byte> GetWriteSpan(int sizeHint = 1) => WritableAt(_tail.Value, sizeHint);

    /// <summary>Contiguous free space at stream position <paramref name="position"/> (at or after the tail).</summary>
    private Span<byte> WritableAt(long position, int sizeHint)
    {
        int start = (int)(position & _mask);
        long free = Capacity - (position - _producerCachedHead);
        if (free < Math.Min(sizeHint, Capacity - start))
        {
            _producerCachedHead = Volatile.Read(ref _head.Value);
            free = Capacity - (position - _producerCachedHead);
            if (free <= 0) return Span<byte>.Empty;
        }
        int contiguous = (int)Math.Min(free, Capacity - start);
        return MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), start), contiguous);
    }

    /// <summary>Publishes <paramref name="count"/> bytes written into the write span and wakes a waiting reader.</summary>
    public void Commit(int count)
    {
        if (count == 0) return;
        long tail = _tail.Value;
        if ((uint)count > (uint)(Capacity - (tail - Volatile.Read(ref _head.Value))))
        {
            Misuse.Report(MisuseKind.RingOverrun, $"Commit({count}) exceeds the ring's free space.");
            return;
        }
        Volatile.Write(ref _tail.Value, tail + count);
        // Store(tail) → load(waiting) must not reorder: full fence (the Dekker pair with RingSignal's waiter).
        Interlocked.MemoryBarrier();
        if (_readable.HasWaiter) _readable.Signal(tail + count - Volatile.Read(ref _head.Value), force: false);
    }

    /// <summary>Copies as much of <paramref name="data"/> as fits and commits it. Returns the bytes written.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        if (IsReaderCompleted) return 0;
        int written = 0;
        long tail = _tail.Value;
        while (written < data.Length)
        {
            // Fill up to two spans (before and after the wrap), then publish once.
            var span = WritableAt(tail + written, data.Length - written);
            if (span.IsEmpty) break;
            int n = Math.Min(span.Length, data.Length - written);
            data.Slice(written, n).CopyTo(span);
            written += n;
        }
        Commit(written);
        return written;
    }

    /// <summary>Declares end of stream (FIN received / shutdown). The reader drains what is left, then sees EOF.</summary>
    public void CompleteWriting()
    {
        Volatile.Write(ref _writerCompleted, 1);
        Interlocked.MemoryBarrier();
        _readable.Signal(0, force: true);
    }

    /// <summary>Waits until at least <paramref name="bytes"/> are free; false if the reader closed or the timeout passed.</summary>
    public bool WaitForSpace(int bytes, int timeoutMs = Timeout.Infinite, CancellationToken token = default)
    {
        bytes = Math.Min(bytes, Capacity);
        _writable.Wait(bytes, (this, bytes), static s => s.Item1.WritableCount >= s.Item2 || s.Item1.IsReaderCompleted, timeoutMs, token);
        return WritableCount >= bytes && !IsReaderCompleted;
    }

    /// <summary>Asynchronous <see cref="WaitForSpace"/>: true when space is there, false when the reader closed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WaitForSpaceAsync(int bytes, CancellationToken token = default)
    {
        bytes = Math.Min(bytes, Capacity);
        while (WritableCount < bytes && !IsReaderCompleted)
            await _writable.WaitAsync(bytes, (this, bytes), static s => s.Item1.WritableCount >= s.Item2 || s.Item1.IsReaderCompleted, token).ConfigureAwait(false);
        return !IsReaderCompleted;
    }

    // ---------------- consumer side ----------------

    /// <summary>Consumer's view of the bytes available: a lower bound (the producer may have committed more).</summary>
    public long ReadableCount => Volatile.Read(ref _tail.Value) - _head.Value;

    /// <summary>True when the writer completed and everything was read (EOF).</summary>
    public bool IsCompleted => IsWriterCompleted && ReadableCount == 0;

    /// <summary>
    /// Contiguous readable data starting <paramref name="offset"/> bytes past the head, without consuming it
    /// (it ends at the wrap point or the tail). Consumer only.
    /// </summary>
    public ReadOnlySpan<byte> Peek(long offset = 0)
    {
        long head = _head.Value;
        long available = _consumerCachedTail - head;
        if (available <= offset)
        {
            _consumerCachedTail = Volatile.Read(ref _tail.Value);
            available = _consumerCachedTail - head;
            if (available <= offset) return ReadOnlySpan<byte>.Empty;
        }
        long position = head + offset;
        int start = (int)(position & _mask);
        int contiguous = (int)Math.Min(available - offset, Capacity - start);
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), start), contiguous);
    }

    /// <summary>Copies readable data starting at <paramref name="offset"/> into <paramref name="destination"/> without consuming it.</summary>
    public int Peek(long offset, Span<byte> destination)
    {
        int copied = 0;
        while (copied < destination.Length)
        {
            var span = Peek(offset + copied);
            if (span.IsEmpty) break;
            int n = Math.Min(span.Length, destination.Length - copied);
            span[..n].CopyTo(destination[copied..]);
            copied += n;
        }
        return copied;
    }

    /// <summary>Consumes <paramref name="count"/> bytes (acknowledged data, or data handed to the application).</summary>
    public void Release(int count)
    {
        if (count == 0) return;
        long head = _head.Value;
        if ((uint)count > (uint)(Volatile.Read(ref _tail.Value) - head))
        {
            Misuse.Report(MisuseKind.RingOverrun, $"Release({count}) exceeds the readable bytes.");
            return;
        }
        Volatile.Write(ref _head.Value, head + count);
        Interlocked.MemoryBarrier();
        if (_writable.HasWaiter) _writable.Signal(Capacity - (Volatile.Read(ref _tail.Value) - head - count), force: false);
    }

    /// <summary>Copies up to <paramref name="destination"/>.Length bytes out and consumes them.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Peek(0, destination);
        Release(n);
        return n;
    }

    /// <summary>Closes the consumer side; a waiting writer wakes and further writes fail.</summary>
    public void CompleteReading()
    {
        Volatile.Write(ref _readerCompleted, 1);
        Interlocked.MemoryBarrier();
        _writable.Signal(0, force: true);
    }

    /// <summary>Waits until at least <paramref name="bytes"/> are readable or the writer completed. True if the bytes are there.</summary>
    public bool WaitForData(int bytes = 1, int timeoutMs = Timeout.Infinite, CancellationToken token = default)
    {
        bytes = Math.Min(bytes, Capacity);
        _readable.Wait(bytes, (this, bytes), static s => s.Item1.ReadableCount >= s.Item2 || s.Item1.IsWriterCompleted, timeoutMs, token);
        return ReadableCount >= bytes;
    }

    /// <summary>Asynchronous <see cref="WaitForData"/>: true when the bytes are there, false at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WaitForDataAsync(int bytes = 1, CancellationToken token = default)
    {
        bytes = Math.Min(bytes, Capacity);
        while (ReadableCount < bytes && !IsWriterCompleted)
            await _readable.WaitAsync(bytes, (this, bytes), static s => s.Item1.ReadableCount >= s.Item2 || s.Item1.IsWriterCompleted, token).ConfigureAwait(false);
        return ReadableCount >= bytes;
    }

    public void Dispose()
    {
        CompleteWriting();
        CompleteReading();
    }

    /// <summary>
    /// Empties the ring for a new owner (<see cref="ByteRingPool"/>). Only when neither side uses it any more: no
    /// waiter, no reader, no writer.
    /// </summary>
    internal void ResetForReuse()
    {
        _tail.Value = 0;
        _head.Value = 0;
        _producerCachedHead = 0;
        _consumerCachedTail = 0;
        _writerCompleted = 0;
        _readerCompleted = 0;
        Interlocked.MemoryBarrier();
    }
}
