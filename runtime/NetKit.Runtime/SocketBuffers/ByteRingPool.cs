using System;
using System.Collections.Concurrent;
using System.Numerics;
using System.Threading;

namespace NetKit.Runtime.SocketBuffers;

/// <summary>
/// Recycles stream rings. A TCP connection needs a send and a receive ring (hundreds of KiB of pinned memory);
/// allocating them per connection made a short connection cost a megabyte and garbage collections on the protocol
/// thread. Rings come back when both the application and the protocol are done with a socket
/// (<see cref="Sockets.NetSocket.ReleaseStreamBuffers"/>). One lock-free queue per power-of-two size, bounded in bytes.
/// </summary>
public sealed class ByteRingPool
{
    private const int MinShift = 6, MaxShift = 30;
    private readonly ConcurrentQueue<ByteRing>[] _free = new ConcurrentQueue<ByteRing>[MaxShift + 1];
    private long _pooledBytes;

    /// <param name="maxPooledBytes">Most memory kept idle in the pool; rings returned beyond it are left to the GC.</param>
    public ByteRingPool(long maxPooledBytes = 256L << 20)
    {
        MaxPooledBytes = maxPooledBytes;
        for (int i = MinShift; i <= MaxShift; i++) _free[i] = new ConcurrentQueue<ByteRing>();
    }

    /// <summary>The process-wide pool the protocols use.</summary>
    public static ByteRingPool Shared { get; } = new();

    public long MaxPooledBytes { get; }

    /// <summary>Bytes of rings waiting for reuse.</summary>
    public long PooledBytes => Volatile.Read(ref _pooledBytes);

    /// <summary>A ring of at least <paramref name="capacity"/> bytes (rounded up to a power of two), empty.</summary>
    public ByteRing Rent(int capacity)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 1 << MinShift, 1 << MaxShift));
        int shift = BitOperations.Log2((uint)size);
        if (_free[shift].TryDequeue(out var ring))
        {
            Interlocked.Add(ref _pooledBytes, -ring.Capacity);
            return ring;
        }
        return new ByteRing(size);
    }

    /// <summary>Takes a ring back; its users must be done with it.</summary>
    public void Return(ByteRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        if (Interlocked.Add(ref _pooledBytes, ring.Capacity) > MaxPooledBytes)
        {
            Interlocked.Add(ref _pooledBytes, -ring.Capacity);
            return;
        }
        ring.ResetForReuse();
        _free[BitOperations.Log2((uint)ring.Capacity)].Enqueue(ring);
    }
}
