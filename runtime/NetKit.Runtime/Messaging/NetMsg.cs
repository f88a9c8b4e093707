using System;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using NetKit.Runtime.Diagnostics;

namespace NetKit.Runtime.Messaging;

/// <summary>
/// A netmsg: a unit of work for one protocol thread (DragonFly <c>struct netmsg_base</c> over
/// <c>struct lwkt_msg</c>). It carries its dispatch target, the home port of the socket or pcb it acts on,
/// its reply port, caller flags and the error its handler replied with.
/// <para>
/// Messages are ordinary objects meant to be <b>embedded</b> in their owner (a socket's rcvd message, a pcb's
/// timer message, a packet buffer's input message) or rented from a <see cref="NetMsgPool{T}"/>, so the steady
/// state allocates nothing. Subclass to carry a payload. A message
/// is in flight at most once; sending one that is still in flight is refused as misuse.
/// </para>
/// <para>
/// A handler runs on the owner thread and must do exactly one of: <see cref="Reply"/>, <see cref="Forward"/>,
/// <see cref="ForwardAndRehome"/>, or leave it to a protocol that owns it (must-not-reply packet messages).
/// </para>
/// </summary>
public unsafe class NetMsg : IValueTaskSource<Errno>
{
    // Bumped on every put and on a drop; a queue entry whose generation no longer matches is stale (dropped).
    internal int Generation;
    // MessageState, or one of two transient internal states: Putting (a sender claimed it and is enqueuing it and
    // running its receipt; reads as Queued) and Replying (a reply is being delivered; reads as Running).
    internal int StateValue;
    internal const int StatePutting = 4;
    internal const int StateReplying = 3;
    internal MessagePort? TargetPort;  // the port the message was last put on
    internal delegate*<NetMsg, MessagePort, void> Receipt;

    // How the next reply completes a waiter: set by Do/DoAsync, cleared by Reply.
    private const int CompletionPort = 0, CompletionWaiter = 1, CompletionAwaiter = 2;
    private int _completion;
    private SyncWaiter? _waiter;
    // The awaiter lives in a side object created on the first DoAsync: it is cold for most messages, and keeping
    // its 48 bytes out of the message keeps the fields every send and reply touch on fewer cache lines.
    private AwaitState? _await;

    private sealed class AwaitState
    {
        public ManualResetValueTaskSourceCore<Errno> Core = new() { RunContinuationsAsynchronously = true };
    }

    /// <summary>Creates a message that runs <paramref name="handler"/> on the target thread.</summary>
    /// <param name="handler">Static dispatch target (generated code takes the address of a static method).</param>
    /// <param name="replyPort">What a reply does; defaults to <see cref="ReplyPort.MarkDone"/>.</param>
    public NetMsg(delegate*<NetMsg, void> handler, ReplyPort? replyPort = null)
    {
        Handler = handler;
        ReplyPort = replyPort ?? ReplyPort.MarkDone;
    }

    /// <summary>The dispatch target (DragonFly <c>nm_dispatch</c>).</summary>
    public delegate*<NetMsg, void> Handler { get; set; }

    /// <summary>The home of the socket/pcb this message acts on (DragonFly <c>nm_so</c>→<c>so_port</c>), or null.</summary>
    public HomePort? Home { get; set; }

    /// <summary>The socket, pcb or other object the handler acts on (DragonFly <c>nm_so</c>).</summary>
    public object? Owner { get; set; }

    /// <summary>What a reply does once no synchronous or asynchronous caller is waiting.</summary>
    public ReplyPort ReplyPort { get; set; }

    /// <summary>Caller flags: priority, droppable, ignore-home, protocol bits.</summary>
    public MessageFlags Flags { get; set; }

    /// <summary>The error the handler replied with (DragonFly <c>ms_error</c>).</summary>
    public Errno Error { get; set; }

    /// <summary>Lifecycle state.</summary>
    public MessageState State
    {
        get
        {
            int state = Volatile.Read(ref StateValue);
            return state switch
            {
                StateReplying => MessageState.Running,
                StatePutting => MessageState.Queued,
                _ => (MessageState)state,
            };
        }
    }

    /// <summary>True when the message is not in flight and may be sent again.</summary>
    public bool IsDone => Volatile.Read(ref StateValue) == (int)MessageState.Done;

    /// <summary>The port this message was last put on.</summary>
    public MessagePort? Port => TargetPort;

    /// <summary>
    /// Registers a callback that runs once, right after the next put queues the message on its target and
    /// before the target thread can run it (DragonFly <c>lwkt_setmsg_receipt</c>).
    /// </summary>
    public void SetReceipt(delegate*<NetMsg, MessagePort, void> receipt) => Receipt = receipt;

    /// <summary>
    /// Replies with <paramref name="error"/>. Exactly once per send; only while the message is being processed.
    /// </summary>
    public void Reply(Errno error = Errno.None)
    {
        int completion = _completion;
        if (completion == CompletionPort && ReplyPort.IsMustNotReply)
        {
            Misuse.Report(MisuseKind.ReplyToMustNotReply, $"{Describe()} uses a must-not-reply port and was replied to.");
            return;
        }
        // Running → Replying claims the reply (a second reply fails here), then everything the caller will read is
        // written before Done is published: a caller that sees Done may reuse the message at once.
        if (Interlocked.CompareExchange(ref StateValue, StateReplying, (int)MessageState.Running) != (int)MessageState.Running)
        {
            Misuse.Report(MisuseKind.DoubleReply, $"{Describe()} was replied to while {State}; a message is replied to exactly once, by the thread processing it.");
            return;
        }
        Error = error;
        if (completion == CompletionPort)
        {
            // The common case (embedded and pooled messages): no caller fields to clear.
            Volatile.Write(ref StateValue, (int)MessageState.Done);
            ReplyPort.OnReply(this);
            return;
        }
        var waiter = _waiter;
        _completion = CompletionPort;
        _waiter = null;
        switch (completion)
        {
            case CompletionWaiter:
                // Full fence (not a release store): Wake reads the waiter's parked flag next, and that load must not
                // move before this store, or a waiter that parks in between is never woken (Dekker pair).
                Interlocked.Exchange(ref StateValue, (int)MessageState.Done);
                waiter!.Wake();
                break;
            case CompletionAwaiter:
                // The continuation may resend at once; TryBeginSend waits out the Replying state until Done below.
                _await!.Core.SetResult(error);
                Volatile.Write(ref StateValue, (int)MessageState.Done);
                break;
        }
    }

    /// <summary>
    /// Moves a message this thread is processing to <paramref name="port"/> (DragonFly <c>lwkt_forwardmsg</c>).
    /// Its reply obligation travels with it.
    /// </summary>
    public void Forward(MessagePort port)
    {
        if (Interlocked.CompareExchange(ref StateValue, StatePutting, (int)MessageState.Running) != (int)MessageState.Running)
        {
            Misuse.Report(MisuseKind.ForwardNotRunning, $"{Describe()} was forwarded while {State}; only the thread processing a message may forward it.");
            return;
        }
        port.Put(this);
    }

    /// <summary>
    /// Migration: forwards the message to <paramref name="port"/> and switches <see cref="Home"/> to it in the
    /// put-receipt, after the message is queued there and before it can run, so later requests that follow the
    /// home port queue behind it (DragonFly <c>tcp_connect</c>/<c>udp_connect</c> with <c>tcp_sosetport</c>).
    /// </summary>
    public void ForwardAndRehome(MessagePort port)
    {
        if (Home is null)
            throw new InvalidOperationException($"{Describe()} has no Home to move.");
        Receipt = &RehomeReceipt;
        Forward(port);
    }

    private static void RehomeReceipt(NetMsg msg, MessagePort port) => msg.Home!.MoveTo(port);

    // ---- called by MessagePort ------------------------------------------------------------------

    /// <summary>True while a Do/DoAsync caller waits for this message's reply.</summary>
    internal bool HasCaller => _completion != CompletionPort;

    internal bool TryBeginSend()
    {
        while (true)
        {
            int state = Interlocked.CompareExchange(ref StateValue, StatePutting, (int)MessageState.Done);
            if (state == (int)MessageState.Done)
            {
                if (Error != Errno.None) Error = Errno.None; // a fresh send starts without the last reply's error
                return true;
            }
            if (state != StateReplying) break;
            // A reply is being delivered on another thread (a few instructions): wait for its Done.
            Thread.SpinWait(1);
        }
        Misuse.Report(MisuseKind.SendWhileInFlight, $"{Describe()} was sent while still {State}; wait for its reply (IsDone) before reusing it.");
        return false;
    }

    internal void PrepareSyncWait(SyncWaiter waiter)
    {
        _waiter = waiter;
        _completion = CompletionWaiter;
    }

    /// <summary>
    /// Completes a running message the runtime has to abandon (its handler threw, or its thread stopped): replies
    /// with <paramref name="error"/>, except that a must-not-reply message with no waiting caller is only marked done.
    /// </summary>
    internal void Abandon(Errno error)
    {
        OnAbandoned(error);
        if (ReplyPort.IsMustNotReply && !HasCaller)
            Volatile.Write(ref StateValue, (int)MessageState.Done);
        else
            Reply(error);
    }

    /// <summary>
    /// Called when the runtime abandons this message, before its reply: a message that carries work for someone
    /// else (a suspended request, a packet) hands it back here so nothing waits forever or leaks when threads stop.
    /// Runs on whichever thread abandons it.
    /// </summary>
    protected virtual void OnAbandoned(Errno error)
    {
    }

    internal ValueTask<Errno> PrepareAwait()
    {
        var state = _await ??= new AwaitState();
        state.Core.Reset();
        _completion = CompletionAwaiter;
        return new ValueTask<Errno>(this, state.Core.Version);
    }

    internal string Describe() => $"{GetType().Name}@{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this):x8}";

    // ---- IValueTaskSource<Errno>: the awaiter is embedded, so DoAsync allocates nothing -----------

    Errno IValueTaskSource<Errno>.GetResult(short token)
    {
        // The awaiter is completed just before Done is published; an awaiting caller must see the message done.
        if (Volatile.Read(ref StateValue) == StateReplying)
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref StateValue) == StateReplying) spinner.SpinOnce(sleep1Threshold: -1);
        }
        return _await!.Core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<Errno>.GetStatus(short token) => _await!.Core.GetStatus(token);

    void IValueTaskSource<Errno>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _await!.Core.OnCompleted(continuation, state, token, flags);
}
