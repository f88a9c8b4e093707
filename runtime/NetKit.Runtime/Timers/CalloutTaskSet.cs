using System;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Timers;

/// <summary>
/// DragonFly's per-pcb timer pattern (tcp_timer.c): several callouts whose functions only set a task bit and,
/// if the one embedded priority message is idle, send it to the owner thread's port. The message handler
/// replies first, snapshots and clears the bits, then runs the tasks. Stopping a timer cancels its callout and
/// clears its bit, so a task posted but not yet run is cancelled too. Everything runs on the owner thread:
/// no atomics, no allocation.
/// </summary>
public sealed unsafe class CalloutTaskSet
{
    private readonly Callout[] _callouts;
    private readonly NetMsg _message;
    private readonly delegate*<CalloutTaskSet, int, void> _run;
    private int _tasks;

    /// <param name="taskCount">Number of timers (at most 32); task i has bit <c>1 &lt;&lt; i</c>.</param>
    /// <param name="run">Called on the owner thread with the bits of the tasks that fired.</param>
    /// <param name="owner">The pcb (or other owner) the tasks act on.</param>
    public CalloutTaskSet(int taskCount, delegate*<CalloutTaskSet, int, void> run, object? owner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(taskCount, 32);
        _callouts = new Callout[taskCount];
        for (int i = 0; i < taskCount; i++) _callouts[i] = new Callout { Argument = this };
        _run = run;
        Owner = owner;
        _message = new NetMsg(&OnMessage, ReplyPort.MarkDone)
        {
            Owner = this,
            Flags = MessageFlags.Priority | MessageFlags.Dropable | MessageFlags.IgnoreHome,
        };
    }

    public object? Owner { get; }

    /// <summary>Task bits posted and not yet run.</summary>
    public int PendingTasks => _tasks;

    /// <summary>The embedded timer message (exposed for tests and diagnostics).</summary>
    public NetMsg Message => _message;

    /// <summary>Arms task <paramref name="task"/> to run after <paramref name="delay"/> (re-arming if pending).</summary>
    public void Reset(int task, TimeSpan delay)
    {
        _tasks &= ~(1 << task);
        _callouts[task].Reset(delay, &OnCallout, this);
    }

    /// <summary>Cancels task <paramref name="task"/>, whether its callout is pending or it is posted but not run.</summary>
    public void Stop(int task)
    {
        _callouts[task].Stop();
        _tasks &= ~(1 << task);
    }

    /// <summary>True while task <paramref name="task"/> is armed or posted.</summary>
    public bool IsActive(int task) => _callouts[task].IsPending || (_tasks & (1 << task)) != 0;

    /// <summary>Stops every task and drops the timer message if it is queued (DragonFly <c>tcp_destroy_timermsg</c>).</summary>
    public void Destroy()
    {
        for (int i = 0; i < _callouts.Length; i++) _callouts[i].Stop();
        _tasks = 0;
        if (_message.State == MessageState.Queued && _message.Port is { } port)
            port.Drop(_message);
    }

    private static void OnCallout(Callout callout)
    {
        var set = (CalloutTaskSet)callout.Argument!;
        int index = Array.IndexOf(set._callouts, callout);
        set._tasks |= 1 << index;
        if (set._message.IsDone)
            ProtocolThread.Current!.Port.Send(set._message);
    }

    private static void OnMessage(NetMsg msg)
    {
        var set = (CalloutTaskSet)msg.Owner!;
        msg.Reply();
        int running = set._tasks;
        set._tasks = 0;
        if (running != 0) set._run(set, running);
    }
}
