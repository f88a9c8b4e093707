using System;
using System.Collections.Concurrent;
using System.Threading;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;
using Xunit;

namespace NetKit.Runtime.Tests.Timers;

/// <summary>DragonFly's per-pcb timer pattern on a protocol thread, on virtual time.</summary>
public sealed unsafe class CalloutTaskSetTests
{
    private const int Rexmt = 0, Persist = 1, Keep = 2, Delack = 3;

    private sealed class Pcb
    {
        public CalloutTaskSet Timers = null!;
        public readonly ConcurrentQueue<(int tasks, int thread)> Runs = new();
    }

    private static void RunTasks(CalloutTaskSet set, int tasks)
    {
        var pcb = (Pcb)set.Owner!;
        pcb.Runs.Enqueue((tasks, ProtocolThread.Current!.Index));
    }

    /// <summary>Runs an action on the pcb's owner thread (tests drive the pcb through messages, as protocols do).</summary>
    private sealed class OnOwner : NetMsg
    {
        public OnOwner(Action action) : base(&Handle) => Action = action;
        public Action Action;
        public Exception? Failure;
        private static void Handle(NetMsg msg)
        {
            var m = (OnOwner)msg;
            try { m.Action(); }
            catch (Exception ex) { m.Failure = ex; }
            msg.Reply();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the port's thread and rethrows its assertion failures here.</summary>
    private static void RunOn(MessagePort port, Action action)
    {
        var msg = new OnOwner(action);
        Assert.Equal(Errno.None, port.Do(msg));
        if (msg.Failure is not null) throw new Xunit.Sdk.XunitException($"on the protocol thread: {msg.Failure}");
    }

    private static (ManualClock, ProtocolThreadGroup, Pcb) Setup()
    {
        var clock = new ManualClock();
        var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, Clock = clock }).Start();
        var pcb = new Pcb();
        pcb.Timers = new CalloutTaskSet(4, &RunTasks, pcb);
        return (clock, group, pcb);
    }

    private static void WaitRuns(Pcb pcb, int count) =>
        Assert.True(SpinWait.SpinUntil(() => pcb.Runs.Count >= count, 5000), $"expected {count} timer runs, saw {pcb.Runs.Count}");

    [Fact]
    public void Fired_timers_post_task_bits_and_run_on_the_owner_thread()
    {
        var (clock, group, pcb) = Setup();
        using var _ = group;
        var port = group[1].Port;
        RunOn(port, () => pcb.Timers.Reset(Rexmt, TimeSpan.FromMilliseconds(200)));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        WaitRuns(pcb, 1);
        Assert.True(pcb.Runs.TryDequeue(out var run));
        Assert.Equal(1 << Rexmt, run.tasks);
        Assert.Equal(1, run.thread);
    }

    [Fact]
    public void Timers_due_together_coalesce_into_one_message()
    {
        var (clock, group, pcb) = Setup();
        using var _ = group;
        RunOn(group[0].Port, () =>
        {
            pcb.Timers.Reset(Delack, TimeSpan.FromMilliseconds(40));
            pcb.Timers.Reset(Keep, TimeSpan.FromMilliseconds(40));
        });
        clock.Advance(TimeSpan.FromMilliseconds(40));
        WaitRuns(pcb, 1);
        group.Sync();
        Assert.Single(pcb.Runs);
        Assert.True(pcb.Runs.TryDequeue(out var run));
        Assert.Equal((1 << Delack) | (1 << Keep), run.tasks);
    }

    [Fact]
    public void Stopping_a_timer_cancels_a_task_already_posted_but_not_yet_run()
    {
        var (clock, group, pcb) = Setup();
        using var _ = group;
        var port = group[0].Port;
        // Fire the callout inside a handler so the timer message is queued but cannot run before Stop.
        RunOn(port, () =>
        {
            pcb.Timers.Reset(Persist, TimeSpan.FromMilliseconds(5));
            pcb.Timers.Reset(Rexmt, TimeSpan.FromMilliseconds(5));
        });
        Action stopInSameBatch = () =>
        {
            // Advance time and drive the wheel by hand on the owner thread, so the callouts post their bits and
            // queue the timer message while this handler still holds the thread.
            clock.Advance(TimeSpan.FromMilliseconds(5));
            ProtocolThread.Current!.Callouts.RunDue();
            Assert.Equal((1 << Persist) | (1 << Rexmt), pcb.Timers.PendingTasks);
            Assert.Equal(MessageState.Queued, pcb.Timers.Message.State);
            pcb.Timers.Stop(Persist);
            Assert.False(pcb.Timers.IsActive(Persist));
            Assert.True(pcb.Timers.IsActive(Rexmt));
        };
        RunOn(port, stopInSameBatch);
        WaitRuns(pcb, 1);
        Assert.True(pcb.Runs.TryDequeue(out var run));
        Assert.Equal(1 << Rexmt, run.tasks);
    }

    [Fact]
    public void Destroy_stops_everything_and_drops_a_queued_timer_message()
    {
        var (clock, group, pcb) = Setup();
        using var _ = group;
        var port = group[0].Port;
        RunOn(port, () => pcb.Timers.Reset(Keep, TimeSpan.FromMilliseconds(1)));
        RunOn(port, () =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            ProtocolThread.Current!.Callouts.RunDue();
            Assert.Equal(MessageState.Queued, pcb.Timers.Message.State);
            pcb.Timers.Reset(Rexmt, TimeSpan.FromSeconds(1));
            pcb.Timers.Destroy();
            Assert.True(pcb.Timers.Message.IsDone);
            Assert.Equal(0, pcb.Timers.PendingTasks);
            Assert.False(pcb.Timers.IsActive(Rexmt));
        });
        clock.Advance(TimeSpan.FromSeconds(2));
        group.Sync();
        Assert.Empty(pcb.Runs);
    }
}
