using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// A protocol thread's inbox (DragonFly's spin port, <c>lwkt_port</c>): any thread may put messages,
/// only the owner takes them. Two inboxes, priority served first.
/// <para>
/// Design (measured, see docs/PERFORMANCE.md): each inbox is a lock-free array queue of (message, generation)
/// entries (<see cref="ConcurrentQueue{T}"/>'s segment ring). An earlier intrusive linked list made the owner chase
/// one pointer per message through lines the producer had just written, a dependent cache miss each; with an array
/// the owner reads entries sequentially and the misses on the messages themselves overlap. Per producer the order is
/// FIFO. Dropping a queued message bumps its generation, which turns its entry into a tombstone the owner skips,
/// so the message is reusable at once (DragonFly <c>lwkt_dropmsg</c> makes it DONE).
/// </para>
/// </summary>
public sealed unsafe class MessagePort
{
    private readonly ConcurrentQueue<Entry> _normal = new();
    private readonly ConcurrentQueue<Entry> _priority = new();

    private readonly record struct Entry(NetMsg Msg, int Generation);

    private readonly Parker _parker = new();
    private int _closed; // set once the owner stopped: late puts fail their messages themselves
    private readonly int _spinIterations;

    internal MessagePort(ProtocolThread? owner, int spinIterations = 64)
    {
        Owner = owner;
        _spinIterations = spinIterations;
    }

    /// <summary>The thread that drains this port (null for a standalone port driven by hand in tests).</summary>
    public ProtocolThread? Owner { get; }

    internal Parker Parker => _parker;

    /// <summary>True when called on the thread that owns this port.</summary>
    public bool IsOwnerThread => Owner is not null && ProtocolThread.Current == Owner;

    /// <summary>
    /// Queues <paramref name="msg"/> (DragonFly <c>lwkt_sendmsg</c>). Returns at once; the handler runs later on
    /// the owner thread. The message must be done (not in flight).
    /// </summary>
    public void Send(NetMsg msg)
    {
        if (!msg.TryBeginSend()) return;
        Put(msg);
    }

    /// <summary>
    /// Sends and waits for the reply (DragonFly <c>lwkt_domsg</c>); returns the handler's error.
    /// On the owner thread the handler runs inline (a direct procedure call). A protocol thread may not wait on
    /// another protocol thread, except thread 0 (which starts chained global operations); that is refused as
    /// <see cref="MisuseKind.CrossProtocolThreadWait"/> with <see cref="Errno.EDEADLK"/>.
    /// </summary>
    public Errno Do(NetMsg msg)
    {
        if (Owner is { IsRunning: false }) return Errno.ESHUTDOWN;
        var current = ProtocolThread.Current;
        if (current is not null && current.Port == this)
            return DoInline(msg, current);
        if (current is not null && current.Index != 0)
        {
            Misuse.Report(MisuseKind.CrossProtocolThreadWait,
                $"protocol thread {current.Index} tried to wait on port of thread {Owner?.Index}; protocol threads never wait on each other (send asynchronously, or start a global operation from thread 0).");
            return Errno.EDEADLK;
        }
        if (!msg.TryBeginSend()) return Errno.EBUSY;
        var waiter = SyncWaiter.Current;
        msg.PrepareSyncWait(waiter);
        Put(msg);
        waiter.WaitUntilDone(msg, _spinIterations);
        return msg.Error;
    }

    private Errno DoInline(NetMsg msg, ProtocolThread current)
    {
        if (!msg.TryBeginSend()) return Errno.EBUSY;
        msg.TargetPort = this;
        var waiter = SyncWaiter.Current;
        msg.PrepareSyncWait(waiter);
        int generation = ++msg.Generation;
        Volatile.Write(ref msg.StateValue, (int)MessageState.Running);
        try
        {
            msg.Handler(msg);
        }
        catch
        {
            // Complete it so the message is not left running for ever, then let the caller see the exception.
            if (msg.Generation == generation && Volatile.Read(ref msg.StateValue) == (int)MessageState.Running)
                msg.Reply(Errno.EIO);
            throw;
        }
        if (msg.IsDone) return msg.Error;
        // The handler forwarded the message elsewhere: only thread 0 may wait for that.
        if (current.Index != 0)
        {
            Misuse.Report(MisuseKind.CrossProtocolThreadWait,
                $"a synchronous message run inline on protocol thread {current.Index} was forwarded to another thread; only thread 0 may wait for that.");
            return Errno.EDEADLK;
        }
        waiter.WaitUntilDone(msg, _spinIterations);
        return msg.Error;
    }

    /// <summary>
    /// Sends and returns a task that completes with the reply's error. The message is its own
    /// <see cref="System.Threading.Tasks.Sources.IValueTaskSource{TResult}"/> (its awaiter is created once, on its
    /// first DoAsync, and reused), so calls allocate nothing; continuations never run on the protocol thread.
    /// </summary>
    public ValueTask<Errno> DoAsync(NetMsg msg)
    {
        if (Owner is { IsRunning: false }) return ValueTask.FromResult(Errno.ESHUTDOWN);
        if (!msg.TryBeginSend()) return ValueTask.FromResult(Errno.EBUSY);
        var task = msg.PrepareAwait();
        Put(msg);
        // Most replies come back within a microsecond or two: a short spin lets the caller's await complete
        // synchronously instead of paying for a thread-pool continuation. Never on a protocol thread.
        if (ProtocolThread.Current is null)
        {
            for (int i = 0; i < _spinIterations && !msg.IsDone; i++) Thread.SpinWait(4);
        }
        return task;
    }

    /// <summary>
    /// Removes a queued <see cref="MessageFlags.Dropable"/> message (DragonFly <c>lwkt_dropmsg</c>). Owner thread
    /// only. Returns <see cref="Errno.None"/> when dropped (the message is done again), <see cref="Errno.ENOENT"/>
    /// when it was not queued here.
    /// </summary>
    public Errno Drop(NetMsg msg)
    {
        if (Owner is not null && !IsOwnerThread)
        {
            Misuse.Report(MisuseKind.NotOwnerThread, "only the owner thread may drop a message from its port.");
            return Errno.EPERM;
        }
        if ((msg.Flags & MessageFlags.Dropable) == 0)
            return Errno.EINVAL;
        WaitWhilePutting(msg);
        if (Volatile.Read(ref msg.StateValue) != (int)MessageState.Queued || msg.TargetPort != this)
            return Errno.ENOENT;
        if (msg.HasCaller)
            return Errno.EBUSY; // a Do/DoAsync caller waits for a reply; dropping would strand it
        // Tombstone the queue entry: the owner skips entries whose generation is stale. Senders cannot touch a
        // queued message and only this thread takes from the port, so nothing races with these two writes.
        msg.Generation++;
        Volatile.Write(ref msg.StateValue, (int)MessageState.Done);
        return Errno.None;
    }

    /// <summary>
    /// Puts a message its sender has claimed (state Putting). Without a put-receipt the message is published as
    /// Queued (with its target and generation) before its entry is enqueued, so the owner never waits on it. With a
    /// receipt it stays Putting until the receipt has run after the enqueue; the owner waits that out, so the receipt
    /// always runs before the message can.
    /// </summary>
    internal void Put(NetMsg msg)
    {
        msg.TargetPort = this;
        var receipt = msg.Receipt;
        if (receipt != null) msg.Receipt = null; // one-shot
        var entry = new Entry(msg, ++msg.Generation);
        if (receipt == null)
        {
            Volatile.Write(ref msg.StateValue, (int)MessageState.Queued);
            Enqueue(msg, entry);
        }
        else
        {
            Enqueue(msg, entry);
            try
            {
                receipt(msg, this);
            }
            finally
            {
                Volatile.Write(ref msg.StateValue, (int)MessageState.Queued);
            }
        }
        // Enqueue publishes the entry with a release store; without a full fence here the reads below could move
        // before it, and a parking owner would miss this message (lost wake-up), or a closing port would miss it.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _closed) != 0) FailQueued(Errno.ESHUTDOWN);
        else _parker.WakeIfParked();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enqueue(NetMsg msg, Entry entry)
    {
        if ((msg.Flags & MessageFlags.Priority) != 0) _priority.Enqueue(entry);
        else _normal.Enqueue(entry);
    }

    /// <summary>Takes the next message, priority first. Owner thread only.</summary>
    internal NetMsg? TryTake()
    {
        while (_priority.TryDequeue(out var entry) || _normal.TryDequeue(out entry))
        {
            var msg = entry.Msg;
            if (entry.Generation != Volatile.Read(ref msg.Generation)) continue; // dropped
            WaitWhilePutting(msg);
            Volatile.Write(ref msg.StateValue, (int)MessageState.Running);
            return msg;
        }
        return null;
    }

    /// <summary>
    /// After the owner stopped (<see cref="Close"/>, or a put that found the port closed): replies <paramref name="error"/> to every queued message (waking Do/DoAsync callers,
    /// returning pooled ones); must-not-reply messages are just marked done.
    /// </summary>
    internal void Close()
    {
        Volatile.Write(ref _closed, 1);
        Interlocked.MemoryBarrier();
        FailQueued(Errno.ESHUTDOWN);
    }

    internal void FailQueued(Errno error)
    {
        while (TryTake() is { } msg)
        {
            msg.Abandon(error);
        }
    }

    /// <summary>True when anything is queued (a snapshot; dropped entries count until skipped).</summary>
    internal bool HasWork => !_priority.IsEmpty || !_normal.IsEmpty;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WaitWhilePutting(NetMsg msg)
    {
        if (Volatile.Read(ref msg.StateValue) != NetMsg.StatePutting) return;
        var spinner = new SpinWait();
        while (Volatile.Read(ref msg.StateValue) == NetMsg.StatePutting) spinner.SpinOnce(sleep1Threshold: -1);
    }
}
