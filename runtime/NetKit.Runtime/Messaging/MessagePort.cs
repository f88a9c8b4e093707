using System;
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
/// Design: producers push onto a lock-free LIFO (one compare-exchange per message, links embedded in the
/// message, so nothing is allocated); the owner takes a whole inbox with one exchange, reverses it into a
/// private FIFO and serves from there. Per producer the order is FIFO; across producers it is the order of
/// their pushes. The owner touches the shared line once per grab rather than once per message, which is what
/// makes cross-core throughput high. Dropping a queued message only needs the owner's private list.
/// </para>
/// </summary>
public sealed unsafe class MessagePort
{
    // Shared LIFO heads, pushed by any thread, taken whole by the owner.
    private NetMsg? _sharedNormal;
    private NetMsg? _sharedPriority;
    // Owner-private FIFOs.
    private NetMsg? _normalHead, _normalTail, _priorityHead, _priorityTail;

    private readonly Parker _parker = new();
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
        msg.Error = Errno.None;
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
        msg.Error = Errno.None;
        var waiter = SyncWaiter.Current;
        msg.PrepareSyncWait(waiter);
        Put(msg);
        waiter.WaitUntilDone(msg, _spinIterations);
        return msg.Error;
    }

    private Errno DoInline(NetMsg msg, ProtocolThread current)
    {
        if (!msg.TryBeginSend()) return Errno.EBUSY;
        msg.Error = Errno.None;
        msg.TargetPort = this;
        var waiter = SyncWaiter.Current;
        msg.PrepareSyncWait(waiter);
        Volatile.Write(ref msg.StateValue, (int)MessageState.Running);
        msg.Handler(msg);
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
    /// Sends and returns a task that completes with the reply's error. The awaiter is embedded in the message
    /// (a pooled <see cref="System.Threading.Tasks.Sources.IValueTaskSource{TResult}"/>), so this allocates nothing;
    /// continuations never run on the protocol thread.
    /// </summary>
    public ValueTask<Errno> DoAsync(NetMsg msg)
    {
        if (!msg.TryBeginSend()) return ValueTask.FromResult(Errno.EBUSY);
        msg.Error = Errno.None;
        var task = msg.PrepareAwait();
        Put(msg);
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
        if (msg.State != MessageState.Queued || msg.TargetPort != this)
            return Errno.ENOENT;
        // Make sure it is on a private list, then unlink it.
        GrabShared(ref _sharedPriority, ref _priorityHead, ref _priorityTail);
        GrabShared(ref _sharedNormal, ref _normalHead, ref _normalTail);
        WaitForReceipt(msg);
        bool unlinked = (msg.Flags & MessageFlags.Priority) != 0
            ? Unlink(msg, ref _priorityHead, ref _priorityTail)
            : Unlink(msg, ref _normalHead, ref _normalTail);
        if (!unlinked) return Errno.ENOENT;
        Volatile.Write(ref msg.StateValue, (int)MessageState.Done);
        return Errno.None;
    }

    /// <summary>Puts a message already marked queued (send and forward both end here).</summary>
    internal void Put(NetMsg msg)
    {
        msg.TargetPort = this;
        var receipt = msg.Receipt;
        if (receipt != null)
        {
            msg.Receipt = null;
            msg.ReceiptPending = 1;
        }
        ref NetMsg? head = ref (msg.Flags & MessageFlags.Priority) != 0 ? ref _sharedPriority : ref _sharedNormal;
        NetMsg? old = Volatile.Read(ref head);
        while (true)
        {
            msg.Next = old;
            var seen = Interlocked.CompareExchange(ref head, msg, old);
            if (seen == old) break;
            old = seen;
        }
        if (receipt != null)
        {
            // Queued but not yet runnable: the owner spins on ReceiptPending before it dispatches.
            receipt(msg, this);
            Volatile.Write(ref msg.ReceiptPending, 0);
        }
        // The compare-exchange above is a full fence, so this read cannot move before the push.
        _parker.WakeIfParked();
    }

    /// <summary>Takes the next message, priority first. Owner thread only.</summary>
    internal NetMsg? TryTake()
    {
        var msg = _priorityHead;
        if (msg is null && Volatile.Read(ref _sharedPriority) is not null)
        {
            GrabShared(ref _sharedPriority, ref _priorityHead, ref _priorityTail);
            msg = _priorityHead;
        }
        if (msg is not null)
        {
            PopHead(ref _priorityHead, ref _priorityTail);
        }
        else
        {
            msg = _normalHead;
            if (msg is null)
            {
                if (Volatile.Read(ref _sharedNormal) is null) return null;
                GrabShared(ref _sharedNormal, ref _normalHead, ref _normalTail);
                msg = _normalHead!;
            }
            PopHead(ref _normalHead, ref _normalTail);
        }
        WaitForReceipt(msg);
        Volatile.Write(ref msg.StateValue, (int)MessageState.Running);
        return msg;
    }

    /// <summary>True when anything is queued (owner's view; other threads get a snapshot).</summary>
    internal bool HasWork =>
        _priorityHead is not null || _normalHead is not null ||
        Volatile.Read(ref _sharedPriority) is not null || Volatile.Read(ref _sharedNormal) is not null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PopHead(ref NetMsg? head, ref NetMsg? tail)
    {
        var msg = head!;
        head = msg.Next;
        if (head is null) tail = null;
        else head.Prev = null;
        msg.Next = null;
        msg.Prev = null;
    }

    private static void GrabShared(ref NetMsg? shared, ref NetMsg? head, ref NetMsg? tail)
    {
        var lifo = Interlocked.Exchange(ref shared, null);
        if (lifo is null) return;
        // Reverse the LIFO into a FIFO chunk with back links.
        NetMsg? chunkHead = null;
        var chunkTail = lifo;
        while (lifo is not null)
        {
            var next = lifo.Next;
            lifo.Next = chunkHead;
            if (chunkHead is not null) chunkHead.Prev = lifo;
            chunkHead = lifo;
            lifo = next;
        }
        chunkHead!.Prev = tail;
        if (tail is null) head = chunkHead;
        else tail.Next = chunkHead;
        tail = chunkTail;
        tail.Next = null;
    }

    private static bool Unlink(NetMsg msg, ref NetMsg? head, ref NetMsg? tail)
    {
        // A queued message is on the list its Priority flag chose; without a back link it must be the head.
        if (msg.Prev is null && head != msg) return false;
        if (msg.Prev is not null) msg.Prev.Next = msg.Next;
        else head = msg.Next;
        if (msg.Next is not null) msg.Next.Prev = msg.Prev;
        else tail = msg.Prev;
        msg.Next = null;
        msg.Prev = null;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WaitForReceipt(NetMsg msg)
    {
        if (Volatile.Read(ref msg.ReceiptPending) == 0) return;
        var spinner = new SpinWait();
        while (Volatile.Read(ref msg.ReceiptPending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
    }
}
