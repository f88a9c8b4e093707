using System;
using System.Threading;
using NetKit.Drivers.Capture;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;

namespace NetKit.Drivers.Queues;

/// <summary>
/// Receive queue <i>i</i> of a device: frames steered to protocol thread <i>i</i> wait in an <see cref="MpscRing{T}"/>
/// that thread drains in batches into <see cref="NetStack.InputFrame"/>. Like an RSS NIC's interrupt plus NAPI
/// polling, a producer rings a doorbell (an embedded, reusable netmsg sent to the owner's port) only when the queue
/// goes from idle to scheduled, so there is no message per frame.
/// <para>
/// Doorbell protocol. <c>_scheduled</c> is 1 from the moment a doorbell is owed until the consumer goes idle; whoever
/// moves it 0 → 1 (one compare-exchange) sends the doorbell, so exactly one is in flight and the message is never sent
/// while in flight.
/// <list type="bullet">
/// <item>Producer: publish the frame in the ring; full fence; if <c>_scheduled</c> is 0 and its CAS 0 → 1 wins, send.</item>
/// <item>Consumer (doorbell handler, owner thread): reply to the doorbell first (it is reusable from then on), drain up
/// to the batch budget. Budget used up: send the doorbell to itself again, still scheduled, so other messages on the
/// port get a turn. Ring empty: store 0 with a full fence, then look at the ring again; if a frame is there and its
/// own CAS 0 → 1 wins, send again.</item>
/// </list>
/// No lost wake-up: the producer's (publish; fence; read flag) and the consumer's (clear flag; fence; read ring) form a
/// Dekker pair, so at least one of them sees the other's write; both may, and then the CAS lets only one send.
/// A producer that claimed a cell but had not published it when the consumer looked sees the cleared flag after its
/// publish and rings itself. A doorbell that reaches a stopped thread is failed by its port; the queue then stays
/// scheduled and fills up, dropping (and counting) until the device is disposed, which frees what is queued.
/// </para>
/// </summary>
internal sealed unsafe class ReceiveQueue
{
    private readonly MpscRing<PacketBuffer> _ring;
    private readonly NetMsg _doorbell;
    private readonly NetStack _stack;
    private readonly MessagePort _port;
    private readonly CaptureHook _capture;
    private readonly int _batch;
    private int _scheduled;
    private volatile bool _closed;
    private long _received;   // owner thread only
    private long _drops;      // producers (Interlocked)
    private long _doorbells;  // whoever won the CAS (Interlocked)

    public ReceiveQueue(NetStack stack, int thread, int capacity, int batch, CaptureHook capture)
    {
        _stack = stack;
        _port = stack.Threads[thread].Port;
        _ring = new MpscRing<PacketBuffer>(capacity);
        _batch = batch;
        _capture = capture;
        Thread = thread;
        _doorbell = new NetMsg(&OnDoorbell, ReplyPort.MarkDone) { Owner = this, Flags = MessageFlags.IgnoreHome };
    }

    /// <summary>Index of the protocol thread that drains this queue.</summary>
    public int Thread { get; }

    public long Received => Volatile.Read(ref _received);

    public long Drops => Volatile.Read(ref _drops);

    public long Doorbells => Volatile.Read(ref _doorbells);

    /// <summary>Frames waiting (a snapshot).</summary>
    public int Pending => _ring.Count;

    /// <summary>True while a doorbell is owed or being served.</summary>
    public bool IsScheduled => Volatile.Read(ref _scheduled) != 0;

    /// <summary>Producer side, any thread: queues the frame or drops and counts it when the ring is full.</summary>
    public bool Enqueue(PacketBuffer frame)
    {
        if (!_ring.TryEnqueue(frame))
        {
            Interlocked.Increment(ref _drops);
            frame.Free();
            return false;
        }
        // Dekker with the consumer's idle transition: the publish above must be visible before the flag is read.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            Ring();
        return true;
    }

    /// <summary>
    /// Owner thread: inputs a frame that needs no queueing (a driver polled it on the thread that owns its flow), counted
    /// and captured as a drained frame is.
    /// </summary>
    public void InputNow(PacketBuffer frame)
    {
        if (_closed)
        {
            Interlocked.Increment(ref _drops);
            frame.Free();
            return;
        }
        _capture.Capture(CaptureDirection.Receive, frame);
        _received++;
        _stack.InputFrame(frame);
    }

    /// <summary>
    /// From now on drained frames are freed, not input; the owner is woken to drain what is queued (for teardown
    /// that cannot wait for the owner).
    /// </summary>
    public void Close()
    {
        _closed = true;
        Interlocked.MemoryBarrier();
        if (_ring.Count > 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0) Ring();
    }

    /// <summary>
    /// Frees every queued frame. Only by the consumer: the owner thread, or any thread once the owner has stopped.
    /// </summary>
    public int FreeAll()
    {
        _closed = true;
        int freed = 0;
        while (_ring.TryDequeue(out var frame))
        {
            frame.Free();
            freed++;
        }
        Interlocked.Add(ref _drops, freed);
        return freed;
    }

    private void Ring()
    {
        Interlocked.Increment(ref _doorbells);
        _port.Send(_doorbell);
    }

    private static void OnDoorbell(NetMsg msg)
    {
        var queue = (ReceiveQueue)msg.Owner!;
        msg.Reply(); // done again: the next doorbell, ours or a producer's after we go idle, may send it at once
        queue.Drain();
    }

    private void Drain()
    {
        int handled = 0;
        try
        {
            while (handled < _batch && _ring.TryDequeue(out var frame))
            {
                handled++;
                if (_closed)
                {
                    Interlocked.Increment(ref _drops);
                    frame.Free();
                    continue;
                }
                _capture.Capture(CaptureDirection.Receive, frame);
                _received++;
                _stack.InputFrame(frame);
            }
        }
        catch
        {
            // Input threw (the thread counts it): stay scheduled and come back for the rest, or the queue would stall.
            _port.Send(_doorbell);
            throw;
        }
        if (handled == _batch)
        {
            _port.Send(_doorbell); // budget spent: yield to the port's other messages, still scheduled
            return;
        }
        Interlocked.Exchange(ref _scheduled, 0); // full fence: the ring is read again only after the flag is clear
        if (!_ring.IsEmpty && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
            Ring();
    }
}
