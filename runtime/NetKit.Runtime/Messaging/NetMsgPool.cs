using System;
using System.Threading;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// A bounded, lock-free pool of messages whose reply returns them to the pool (DragonFly's
/// free-on-reply port, without the free). Used for fire-and-forget requests from application threads.
/// Slots are claimed with one compare-exchange each, so there is no ABA hazard and no lock.
/// </summary>
public sealed class NetMsgPool<T> where T : NetMsg
{
    private readonly T?[] _slots;
    private readonly Func<T> _factory;
    private readonly PoolReplyPort _replyPort;
    private long _created;
    private long _discarded;

    public NetMsgPool(int capacity, Func<T> factory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new T?[capacity];
        _factory = factory;
        _replyPort = new PoolReplyPort(this);
    }

    /// <summary>Messages created because the pool was empty.</summary>
    public long Created => Volatile.Read(ref _created);

    /// <summary>Messages dropped to the GC because the pool was full when they came back.</summary>
    public long Discarded => Volatile.Read(ref _discarded);

    /// <summary>The reply port that returns messages here.</summary>
    public ReplyPort ReplyPort => _replyPort;

    /// <summary>Takes a message (creating one if the pool is empty) wired to return here on reply.</summary>
    public T Rent()
    {
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            var item = Volatile.Read(ref slots[i]);
            if (item is not null && Interlocked.CompareExchange(ref slots[i], null, item) == item)
                return item;
        }
        Interlocked.Increment(ref _created);
        var created = _factory();
        created.ReplyPort = _replyPort;
        return created;
    }

    /// <summary>Gives a message back without sending it.</summary>
    public void Return(T item)
    {
        if (!item.IsDone)
            throw new InvalidOperationException("A message still in flight cannot return to its pool.");
        item.ReplyPort = _replyPort;
        item.Error = Errno.None;
        var slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], item, null) is null)
                return;
        }
        Interlocked.Increment(ref _discarded);
    }

    private sealed class PoolReplyPort(NetMsgPool<T> pool) : ReplyPort
    {
        internal override void OnReply(NetMsg msg) => pool.Return((T)msg);
    }
}
