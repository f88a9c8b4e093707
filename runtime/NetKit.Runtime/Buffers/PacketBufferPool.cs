using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Buffers;

/// <summary>
/// A per-CPU packet buffer pool. Its owner thread rents and returns through a private stack with no atomics;
/// other threads return through a lock-free inbox (one compare-exchange) that the owner takes whole when its
/// stack runs dry, so buffers freed on another CPU come home without a lock. The pool creates buffers lazily in
/// slabs up to <see cref="PacketBufferPoolOptions.MaxBuffers"/>; beyond that renting fails and is counted.
/// </summary>
public sealed unsafe class PacketBufferPool : IDisposable
{
    private readonly PacketBufferPoolOptions _options;
    private readonly List<byte[]> _pinnedSlabs = [];
    private readonly List<nint> _nativeSlabs = [];
    private readonly object _growGate = new();   // held only while carving a new slab (cold path)
    private PacketBuffer[] _local;
    private int _localCount;
    private PacketBuffer? _remoteReturns;
    private int _created;
    private object? _ownerIdentity;
    private readonly int _defaultHeadroom;
    private long _rentFailures;
    private long _remoteReturnCount;
    private bool _disposed;

    /// <summary>A standalone pool owned by the creating thread.</summary>
    public PacketBufferPool(PacketBufferPoolOptions? options = null) : this(options ?? new(), owner: null) { }

    internal PacketBufferPool(PacketBufferPoolOptions options, ProtocolThread? owner)
    {
        options.Validate();
        _options = options;
        Owner = owner;
        _local = new PacketBuffer[Math.Min(options.MaxBuffers, 1024)];
        _defaultHeadroom = options.DefaultHeadroom;
        _ownerIdentity = owner is null ? ThreadIdentity.Current : null;
    }

    public ProtocolThread? Owner { get; }

    public PacketBufferPoolOptions Options => _options;

    /// <summary>Buffers created so far (never more than <see cref="PacketBufferPoolOptions.MaxBuffers"/>).</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Buffers sitting in the owner's private stack.</summary>
    public int Available => _localCount;

    /// <summary>Rents that failed because the pool was exhausted.</summary>
    public long RentFailures => Volatile.Read(ref _rentFailures);

    /// <summary>Buffers returned through the lock-free inbox (from other threads, or when the owner's stack was full).</summary>
    public long RemoteReturns => Volatile.Read(ref _remoteReturnCount);

    private bool OnOwnerThread
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ReferenceEquals(ThreadIdentity.Current, _ownerIdentity);
    }

    /// <summary>Makes the calling thread the pool's owner (its protocol thread calls this when it starts).</summary>
    internal void BindToCurrentThread() => Volatile.Write(ref _ownerIdentity, ThreadIdentity.Current);

    /// <summary>
    /// Rents a buffer with the default headroom, or returns null (and counts a failure) when the pool is exhausted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PacketBuffer? TryRent()
    {
        // Owner fast path: a pop from the private stack, no atomics. A free buffer sits in exactly one free
        // structure (returns clear its flag with a compare-exchange), so whoever takes it off owns it alone.
        if (_localCount > 0 && ReferenceEquals(ThreadIdentity.Current, _ownerIdentity))
        {
            var b = _local[--_localCount];
            b.OwnedFlag = 1;
            b.ResetForRent(_defaultHeadroom);
            return b;
        }
        return TryRent(_defaultHeadroom);
    }

    /// <summary>Rents a buffer whose data starts after <paramref name="headroom"/> bytes.</summary>
    public PacketBuffer? TryRent(int headroom)
    {
        if ((uint)headroom > (uint)_options.BufferSize)
            throw new ArgumentOutOfRangeException(nameof(headroom));
        var buffer = OnOwnerThread ? RentLocal() : RentForeign();
        if (buffer is null)
        {
            Interlocked.Increment(ref _rentFailures);
            return null;
        }
        Volatile.Write(ref buffer.OwnedFlag, 1);
        buffer.ResetForRent(headroom);
        return buffer;
    }

    /// <summary>
    /// Rents enough chained buffers for <paramref name="length"/> bytes of data (each buffer's data window set),
    /// or null with every partial buffer returned when the pool runs out.
    /// </summary>
    public PacketBuffer? TryRentChain(int length, int headroom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var head = TryRent(headroom);
        if (head is null) return null;
        var tail = head;
        int remaining = length;
        int take = Math.Min(remaining, head.Tailroom);
        head.Append(take);
        remaining -= take;
        while (remaining > 0)
        {
            var next = TryRent(0);
            if (next is null)
            {
                head.Free();
                return null;
            }
            take = Math.Min(remaining, next.Tailroom);
            next.Append(take);
            remaining -= take;
            tail.Next = next;
            tail = next;
        }
        return head;
    }

    /// <summary>Returns one buffer (not its chain). Prefer <see cref="PacketBuffer.Free"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Return(PacketBuffer buffer)
    {
        // Owner fast path. The ownership flag is cleared with an (uncontended) compare-exchange on every return, so
        // even two threads freeing one buffer at the same instant cannot both succeed: a buffer sits in at most one
        // free structure, and the plain owner-side rent below can never hand it out twice.
        if (buffer.Pool == this && _localCount < _local.Length && ReferenceEquals(ThreadIdentity.Current, _ownerIdentity))
        {
            if (Interlocked.CompareExchange(ref buffer.OwnedFlag, 0, 1) != 1)
            {
                ReportDoubleFree(buffer);
                return;
            }
            _local[_localCount++] = buffer;
            return;
        }
        ReturnSlow(buffer);
    }

    private void ReturnSlow(PacketBuffer buffer)
    {
        if (buffer.Pool != this)
        {
            buffer.Pool.Return(buffer);
            return;
        }
        if (Interlocked.CompareExchange(ref buffer.OwnedFlag, 0, 1) != 1)
        {
            ReportDoubleFree(buffer);
            return;
        }
        Interlocked.Increment(ref _remoteReturnCount);
        PushRemote(buffer, buffer);
    }

    private static void ReportDoubleFree(PacketBuffer buffer) =>
        Misuse.Report(MisuseKind.DoubleFree, $"packet buffer (generation {buffer.Generation}) was freed twice; exactly one owner frees a buffer.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PacketBuffer? RentLocal()
    {
        if (_localCount > 0)
        {
            return _local[--_localCount];
        }
        return RentLocalSlow();
    }

    private PacketBuffer? RentLocalSlow()
    {
        // Take everything other threads returned, keep what fits in the private stack.
        var list = Interlocked.Exchange(ref _remoteReturns, null);
        while (list is not null && _localCount < _local.Length)
        {
            var next = list.FreeNext;
            list.FreeNext = null;
            _local[_localCount++] = list;
            list = next;
        }
        if (list is not null) PushRemoteChain(list);
        if (_localCount > 0) return _local[--_localCount];
        return Grow();
    }

    private PacketBuffer? RentForeign()
    {
        // Another thread: take the remote inbox whole, keep one, give the rest back.
        var list = Interlocked.Exchange(ref _remoteReturns, null);
        if (list is not null)
        {
            var rest = list.FreeNext;
            list.FreeNext = null;
            if (rest is not null) PushRemoteChain(rest);
            return list;
        }
        return Grow();
    }

    private void PushRemote(PacketBuffer first, PacketBuffer last)
    {
        var old = Volatile.Read(ref _remoteReturns);
        while (true)
        {
            last.FreeNext = old;
            var seen = Interlocked.CompareExchange(ref _remoteReturns, first, old);
            if (seen == old) return;
            old = seen;
        }
    }

    private void PushRemoteChain(PacketBuffer chain)
    {
        var last = chain;
        while (last.FreeNext is not null) last = last.FreeNext;
        PushRemote(chain, last);
    }

    /// <summary>Creates a slab of buffers (cold path), hands one to the caller and queues the rest.</summary>
    private PacketBuffer? Grow()
    {
        lock (_growGate)
        {
            if (_disposed) return null;
            int room = _options.MaxBuffers - _created;
            if (room <= 0) return null;
            int count = Math.Min(room, _options.BuffersPerSlab);
            int size = _options.BufferSize;
            byte* slab;
            if (_options.MemoryKind == PacketMemoryKind.Native)
            {
                slab = (byte*)NativeMemory.AlignedAlloc((nuint)count * (nuint)size, 64);
                _nativeSlabs.Add((nint)slab);
            }
            else
            {
                var array = GC.AllocateUninitializedArray<byte>(count * size, pinned: true);
                _pinnedSlabs.Add(array);
                slab = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            }
            Volatile.Write(ref _created, _created + count);
            PacketBuffer? first = null;
            for (int i = 0; i < count; i++)
            {
                var b = new PacketBuffer(this, slab + (long)i * size, size);
                if (first is null) first = b;
                else PushRemote(b, b);
            }
            return first;
        }
    }

    /// <summary>
    /// Releases native slabs when every buffer is home. A pool with buffers still out keeps its memory
    /// (a leak is safer than a use-after-free) and reports false.
    /// </summary>
    public bool TryReleaseMemory()
    {
        lock (_growGate)
        {
            int home = _localCount;
            for (var b = Volatile.Read(ref _remoteReturns); b is not null; b = b.FreeNext) home++;
            if (home != _created) return false;
            // Forget the buffers first so nothing can hand out memory about to be freed.
            Array.Clear(_local);
            _localCount = 0;
            Volatile.Write(ref _remoteReturns, null);
            foreach (var p in _nativeSlabs) NativeMemory.AlignedFree((void*)p);
            _nativeSlabs.Clear();
            _pinnedSlabs.Clear();
            _disposed = true;
            return true;
        }
    }

    public void Dispose()
    {
        lock (_growGate) _disposed = true;
        TryReleaseMemory();
    }
}
