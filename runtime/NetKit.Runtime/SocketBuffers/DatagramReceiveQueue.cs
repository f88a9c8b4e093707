using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Sockets;

namespace NetKit.Runtime.SocketBuffers;

/// <summary>
/// The receive buffer of a datagram socket that several protocol threads deliver to: an unconnected UDP server sits
/// in every thread's wildcard table, so datagrams for it arrive on every thread. DragonFly serialises those appends
/// with <c>ssb_token</c>; NetKit gives each writer thread its own <see cref="RecordRing{TAddress}"/> instead, so no two
/// threads ever write the same ring, and the application drains the rings round-robin. One shared signal wakes the
/// reader (the same WAIT/WAKEUP handshake as <see cref="ByteRing"/>, with any writer allowed to claim it).
/// A connected socket has one writer, its owner thread, and uses one ring.
/// </summary>
public sealed class DatagramReceiveQueue : IDisposable
{
    private readonly Lane?[] _lanes;
    private readonly Func<int> _capacityPerWriter;
    private readonly RingSignal _readable = new();
    private int _next;       // reader-only: lane to try first
    private int _completed;

    private sealed class Lane
    {
        public Lane(int capacity) => Ring = new RecordRing<SockAddr>(capacity);

        public readonly RecordRing<SockAddr> Ring;
        public long Drops;   // written only by this lane's writer thread
    }

    /// <param name="writers">Threads that may deliver (protocol thread count; 1 for a connected socket).</param>
    /// <param name="capacityPerWriter">Bytes of records each writer's ring holds (rounded up to a power of two).</param>
    public DatagramReceiveQueue(int writers, int capacityPerWriter)
        : this(writers, () => capacityPerWriter)
    {
    }

    /// <summary>
    /// A queue whose rings are created by each writer on its first datagram, sized by
    /// <paramref name="capacityPerWriter"/> at that moment: only threads that deliver cost memory, and SO_RCVBUF set
    /// after the socket was created still counts.
    /// </summary>
    public DatagramReceiveQueue(int writers, Func<int> capacityPerWriter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        ArgumentNullException.ThrowIfNull(capacityPerWriter);
        _lanes = new Lane?[writers];
        _capacityPerWriter = capacityPerWriter;
    }

    public int Writers => _lanes.Length;

    /// <summary>Largest datagram payload writer <paramref name="writer"/>'s ring carries (creating the ring if needed).</summary>
    public int MaxPayloadOf(int writer) => LaneOf(writer).Ring.MaxPayload;

    /// <summary>Largest datagram payload writer 0's ring carries.</summary>
    public int MaxPayload => MaxPayloadOf(0);

    private Lane LaneOf(int writer)
    {
        ref var slot = ref _lanes[writer % _lanes.Length];
        var lane = Volatile.Read(ref slot);
        if (lane is not null) return lane;
        // Only this lane's writer creates it; the reader just skips lanes not published yet.
        var created = new Lane(Math.Max(1024, _capacityPerWriter()));
        return Interlocked.CompareExchange(ref slot, created, null) ?? created;
    }

    /// <summary>Datagrams refused because the writer's ring was full or the socket stopped receiving (UDP <c>udps_fullsock</c>).</summary>
    public long Drops
    {
        get
        {
            long total = 0;
            foreach (var lane in _lanes)
                if (lane is not null) total += Volatile.Read(ref lane.Drops);
            return total;
        }
    }

    /// <summary>True when some ring holds a record (a lower bound: writers may be adding more).</summary>
    public bool HasData
    {
        get
        {
            foreach (var lane in _lanes)
                if (lane is not null && lane.Ring.Bytes.ReadableCount != 0) return true;
            return false;
        }
    }

    /// <summary>True once writing completed and every ring is drained (end of stream).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0 && !HasData;

    // ---------------- writers (protocol threads) ----------------

    /// <summary>
    /// Appends a datagram from writer <paramref name="writer"/> (the calling protocol thread's index). Never blocks:
    /// a full ring drops the datagram and counts it.
    /// </summary>
    public bool TryWrite(int writer, in SockAddr source, ReadOnlySpan<byte> payload)
    {
        var lane = LaneOf(writer);
        if (Volatile.Read(ref _completed) != 0 || !lane.Ring.TryWrite(source, payload))
        {
            Volatile.Write(ref lane.Drops, lane.Drops + 1);
            return false;
        }
        // TryWrite's commit fenced the new tail; now claim a waiting reader, if any.
        Interlocked.MemoryBarrier();
        if (_readable.HasWaiter) _readable.Signal(1, force: true);
        return true;
    }

    /// <summary>No more datagrams (socket closed or shut down for reading): the reader sees end of stream once drained.</summary>
    public void CompleteWriting()
    {
        Volatile.Write(ref _completed, 1);
        Interlocked.MemoryBarrier();
        _readable.Signal(0, force: true);
    }

    /// <summary>Wakes a waiting reader without data (an error was posted on the socket: <c>sorwakeup</c>).</summary>
    public void Wake()
    {
        Interlocked.MemoryBarrier();
        _readable.Signal(0, force: true);
    }

    // ---------------- reader (the application thread) ----------------

    /// <summary>
    /// Reads the next datagram from any ring, round-robin so no writer starves the others: copies up to
    /// <paramref name="destination"/>.Length bytes and consumes the whole datagram (excess discarded, MSG_TRUNC).
    /// </summary>
    public bool TryRead(Span<byte> destination, out SockAddr source, out int copied, out int datagramLength)
    {
        int lanes = _lanes.Length;
        for (int i = 0; i < lanes; i++)
        {
            int index = _next + i;
            if (index >= lanes) index -= lanes;
            var lane = Volatile.Read(ref _lanes[index]);
            if (lane is not null && lane.Ring.TryRead(destination, out source, out copied, out datagramLength))
            {
                _next = index + 1 == lanes ? 0 : index + 1;
                return true;
            }
        }
        source = default;
        copied = datagramLength = 0;
        return false;
    }

    /// <summary>
    /// Reads the next datagram that protocol thread <paramref name="writer"/> delivered, and only those: for a reader
    /// paired with one protocol thread (an application thread per CPU, or a consumer running on that CPU), so each
    /// lane keeps one reader. A lane must not be read this way and through <see cref="TryRead"/> at the same time.
    /// </summary>
    public bool TryReadFrom(int writer, Span<byte> destination, out SockAddr source, out int copied, out int datagramLength)
    {
        var lane = Volatile.Read(ref _lanes[writer % _lanes.Length]);
        if (lane is not null && lane.Ring.TryRead(destination, out source, out copied, out datagramLength)) return true;
        source = default;
        copied = datagramLength = 0;
        return false;
    }

    /// <summary>Blocks until a datagram is available or writing completed; false on timeout.</summary>
    public bool WaitForData(int timeoutMs = Timeout.Infinite, CancellationToken token = default) =>
        _readable.Wait(1, this, static q => q.HasData || Volatile.Read(ref q._completed) != 0, timeoutMs, token);

    /// <summary>Completes when a datagram is available or writing completed (pooled: no allocation per wait).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitForDataAsync(CancellationToken token = default)
    {
        while (!HasData && Volatile.Read(ref _completed) == 0)
            await _readable.WaitAsync(1, this, static q => q.HasData || Volatile.Read(ref q._completed) != 0, token).ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var lane in _lanes) lane?.Ring.Dispose();
    }
}
