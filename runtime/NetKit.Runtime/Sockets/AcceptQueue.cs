using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.SocketBuffers;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// A listening socket's queue of established connections (<c>so_comp</c>). It is the one structure TCP shares
/// between protocol threads: a connection completes on the thread its 4-tuple hashes to, and every thread
/// appends here. It is lock-free: a <see cref="ConcurrentQueue{T}"/> (CAS on segment indices) plus an atomic count
/// for the backlog, and the reader is woken with the same WAIT/WAKEUP handshake as the socket rings (no lock, no
/// kernel object unless someone waits). DragonFly guards it with the listener's pool token instead.
/// </summary>
public sealed class AcceptQueue
{
    private readonly ConcurrentQueue<NetSocket> _queue = new();
    private readonly RingSignal _signal = new();
    private int _count;
    private int _closed;

    public AcceptQueue(int backlog) => Backlog = Math.Clamp(backlog <= 0 ? 128 : backlog, 1, 65535);

    /// <summary>Most connections waiting to be accepted (<c>so_qlimit</c>); more are refused.</summary>
    public int Backlog { get; }

    /// <summary>Connections waiting (a snapshot).</summary>
    public int Count => Volatile.Read(ref _count);

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>
    /// Reserves a place for a connection about to complete (a SYN arrived); false when the backlog is full or the
    /// listener closed. Every successful reservation ends in <see cref="Enqueue"/> or <see cref="Unreserve"/>.
    /// </summary>
    public bool TryReserve()
    {
        if (IsClosed) return false;
        int count = Interlocked.Increment(ref _count);
        if (count <= Backlog) return true;
        Interlocked.Decrement(ref _count);
        return false;
    }

    /// <summary>Gives back a reservation whose connection never completed (reset, timed out).</summary>
    public void Unreserve() => Interlocked.Decrement(ref _count);

    /// <summary>Appends an established connection (protocol thread) and wakes a waiting accept. False once closed.</summary>
    public bool Enqueue(NetSocket socket)
    {
        if (IsClosed)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        _queue.Enqueue(socket);
        Interlocked.MemoryBarrier();
        if (_signal.HasWaiter) _signal.Signal(1, force: true);
        return true;
    }

    /// <summary>Takes the oldest established connection, if any.</summary>
    public bool TryDequeue(out NetSocket? socket)
    {
        if (!_queue.TryDequeue(out socket)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Refuses further connections and wakes waiters; returns those still queued so the caller can drop them.</summary>
    public NetSocket[] Close()
    {
        Volatile.Write(ref _closed, 1);
        Interlocked.MemoryBarrier();
        _signal.Signal(0, force: true);
        var left = new System.Collections.Generic.List<NetSocket>();
        while (TryDequeue(out var socket)) left.Add(socket!);
        return left.ToArray();
    }

    /// <summary>Waits until a connection is queued or the queue closed; false on timeout.</summary>
    public bool Wait(int timeoutMs, CancellationToken token = default) =>
        _signal.Wait(1, this, static q => !q._queue.IsEmpty || q.IsClosed, timeoutMs, token);

    /// <summary>Completes when a connection is queued or the queue closed.</summary>
    public async ValueTask WaitAsync(CancellationToken token = default)
    {
        while (_queue.IsEmpty && !IsClosed)
            await _signal.WaitAsync(1, this, static q => !q._queue.IsEmpty || q.IsClosed, token).ConfigureAwait(false);
    }
}
