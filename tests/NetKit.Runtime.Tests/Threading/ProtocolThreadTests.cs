using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Tests.Support;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Runtime.Tests.Threading;

public sealed class ProtocolThreadTests
{
    [Fact]
    public void Threads_are_pinned_to_distinct_allowed_cpus_on_linux()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2 }).Start();
        group.Sync();
        for (int i = 0; i < group.Count; i++)
        {
            if (OperatingSystem.IsLinux())
                Assert.True(group[i].IsPinned, $"thread {i} not pinned to CPU {group[i].Cpu}: errno {group[i].PinError}");
        }
        if (Environment.ProcessorCount >= 2) Assert.NotEqual(group[0].Cpu, group[1].Cpu);
    }

    [Fact]
    public void Default_thread_count_is_one_per_cpu()
    {
        var options = new ProtocolThreadOptions();
        Assert.InRange(options.ThreadCount, 1, Environment.ProcessorCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 129 }));
    }

    private sealed unsafe class BlockMsg : NetMsg
    {
        public BlockMsg() : base(&Handle) { }
        public readonly ManualResetEventSlim Release = new();
        private static void Handle(NetMsg msg)
        {
            ((BlockMsg)msg).Release.Wait();
            msg.Reply();
        }
    }

    [Fact]
    public void Rollups_run_after_every_batch_in_priority_order_and_batches_are_bounded()
    {
        var options = new ProtocolThreadOptions { ThreadCount = 1, BatchSize = 8 };
        using var group = new ProtocolThreadGroup(options);
        var calls = new ConcurrentQueue<string>();
        long processedAtLastRollup = 0;
        int maxBatch = 0;
        group[0].AddRollup(new RollupHook(RollupHook.PriorityTransmit, "tx", _ => calls.Enqueue("tx")));
        group[0].AddRollup(new RollupHook(RollupHook.PriorityTcp, "tcp", t =>
        {
            calls.Enqueue("tcp");
            // MessagesProcessed is updated after the batch, before the rollups.
            int batch = (int)(t.MessagesProcessed - processedAtLastRollup);
            maxBatch = Math.Max(maxBatch, batch);
            processedAtLastRollup = t.MessagesProcessed;
        }));
        group.Start();
        // Hold the thread, queue 100 messages behind it, then let it drain.
        var block = new BlockMsg();
        group[0].Port.Send(block);
        var msgs = Enumerable.Range(0, 100).Select(_ => new RecordingMsg()).ToArray();
        foreach (var m in msgs) group[0].Port.Send(m);
        block.Release.Set();
        SpinWait.SpinUntil(() => msgs.All(m => m.IsDone), 5000);
        group.Sync();
        var list = calls.ToArray();
        Assert.NotEmpty(list);
        for (int i = 0; i + 1 < list.Length; i += 2)
        {
            Assert.Equal("tcp", list[i]);
            Assert.Equal("tx", list[i + 1]);
        }
        Assert.Equal(8, maxBatch);
        Assert.True(group[0].Batches >= 101 / 8);
    }

    [Fact]
    public void Adding_a_rollup_from_another_thread_after_start_is_refused()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        using var scope = new MisuseScope(MisusePolicy.Throw);
        Assert.Throws<InvalidOperationException>(() => group[0].AddRollup(new RollupHook(1, "x", _ => { })));
    }

    [Fact]
    public void An_idle_thread_parks_and_a_send_wakes_it()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, SpinIterations = 16 }).Start();
        SpinWait.SpinUntil(() => group[0].Parks > 0, 5000);
        Assert.True(group[0].Parks > 0);
        for (int i = 0; i < 200; i++)
        {
            // The thread is parked: wake it with one message; the reply must come (no lost wake-up).
            long parks = group[0].Parks;
            var msg = new RecordingMsg();
            group[0].Port.Send(msg);
            Assert.True(SpinWait.SpinUntil(() => msg.IsDone, 5000), $"message {i} was not handled: lost wake-up");
            // Then it must park again by itself.
            Assert.True(SpinWait.SpinUntil(() => group[0].Parks > parks, 5000), "the idle thread did not park again");
        }
    }

    [Theory]
    [InlineData(0)]     // no spinning: both sides park on every round trip, crossing the park/wake handshake twice
    [InlineData(256)]   // spinning: the caller often sees the reply while the replier is still finishing it
    public void Round_trips_never_lose_a_wake_up_or_a_reply_error(int spinIterations)
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, SpinIterations = spinIterations }).Start();
        const int rounds = 100_000;
        var msg = new RecordingMsg();
        int wrongErrors = 0;
        var done = new ManualResetEventSlim();
        var caller = new Thread(() =>
        {
            for (int i = 0; i < rounds; i++)
            {
                var expected = (i & 1) == 0 ? Errno.None : Errno.EAGAIN;
                msg.ReplyWith = expected;
                if (group[0].Port.Do(msg) != expected) wrongErrors++;
            }
            done.Set();
        }) { IsBackground = true };
        caller.Start();
        Assert.True(done.Wait(TimeSpan.FromMinutes(2)), $"stuck after {msg.RanCount} round trips: lost wake-up");
        Assert.Equal(rounds, msg.RanCount);
        Assert.Equal(0, wrongErrors);
    }

    [Fact]
    public void Async_round_trips_resend_the_same_message_safely()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        var msg = new RecordingMsg();
        var run = System.Threading.Tasks.Task.Run(async () =>
        {
            int wrong = 0;
            for (int i = 0; i < 50_000; i++)
            {
                var expected = (i & 1) == 0 ? Errno.None : Errno.EAGAIN;
                msg.ReplyWith = expected;
                if (await group[0].Port.DoAsync(msg) != expected || !msg.IsDone) wrong++;
            }
            return wrong;
        });
        Assert.True(run.Wait(TimeSpan.FromMinutes(2)), "async round trips stalled");
        Assert.Equal(0, run.Result);
        Assert.Equal(0, Misuse.Count(MisuseKind.SendWhileInFlight));
    }

    private sealed unsafe class ThrowingMsg : NetMsg
    {
        public ThrowingMsg() : base(&Handle) { }
        private static void Handle(NetMsg msg) => throw new FormatException("bad packet");
    }

    [Fact]
    public void A_throwing_handler_is_counted_its_caller_gets_EIO_and_the_thread_keeps_running()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        Assert.Equal(Errno.EIO, group[0].Port.Do(new ThrowingMsg()));
        Assert.Equal(1, group[0].HandlerExceptions);
        Assert.IsType<FormatException>(group[0].LastHandlerException);
        Assert.Equal(1, Misuse.Count(MisuseKind.HandlerException));
        var ok = new RecordingMsg { ReplyWith = Errno.None };
        Assert.Equal(Errno.None, group[0].Port.Do(ok));
    }

    private sealed unsafe class ReplyThenThrowMsg : NetMsg
    {
        public ReplyThenThrowMsg() : base(&Handle) { }
        private static void Handle(NetMsg msg)
        {
            msg.Reply(Errno.None);
            throw new FormatException("after the reply");
        }
    }

    [Fact]
    public void A_handler_that_throws_after_replying_does_not_touch_the_message_again()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        var msg = new ReplyThenThrowMsg();
        for (int i = 0; i < 1000; i++)
            Assert.Equal(Errno.None, group[0].Port.Do(msg)); // never EIO: the reply already completed it
        group.Sync();
        Assert.Equal(1000, group[0].HandlerExceptions);
        Assert.Equal(0, Misuse.Count(MisuseKind.DoubleReply));
    }

    [Fact]
    public void A_message_whose_home_moved_is_chased_to_the_new_home()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2 }).Start();
        var home = new HomePort(group[1].Port);
        var msg = new RecordingMsg { Home = home };
        Assert.Equal(Errno.None, group[0].Port.Do(msg));
        Assert.Same(group[1], msg.RanOn);
        Assert.Equal(1, group[0].Chased);
        // IgnoreHome keeps it where it was sent.
        var pinned = new RecordingMsg { Home = home, Flags = MessageFlags.IgnoreHome };
        group[0].Port.Do(pinned);
        Assert.Same(group[0], pinned.RanOn);
    }

    [Fact]
    public void Routing_by_hash_uses_the_low_seven_bits_modulo_thread_count()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 3 });
        Assert.Same(group[(int)((0x12345u & 127) % 3)], group.ThreadForHash(0x12345u));
        Assert.Same(group[2].Port, group.PortForHash(0xFFFF_FF02u)); // (0x02 & 127) % 3 = 2
    }

    [Fact]
    public void Stopping_completes_queued_requests_with_ESHUTDOWN_and_refuses_new_ones()
    {
        var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        var block = new BlockMsg();
        group[0].Port.Send(block);
        var queued = new RecordingMsg();
        var pending = group[0].Port.DoAsync(queued);
        var stopping = System.Threading.Tasks.Task.Run(group.Stop);
        Assert.True(SpinWait.SpinUntil(() => !group[0].IsRunning, 5000));
        block.Release.Set();
        Assert.True(stopping.Wait(5000));
        Assert.True(pending.AsTask().Wait(5000));
        Assert.Equal(Errno.ESHUTDOWN, pending.Result);
        Assert.Equal(0, queued.RanCount);
        Assert.Equal(Errno.ESHUTDOWN, group[0].Port.Do(new RecordingMsg()));
        group.Dispose();
    }

    [Fact]
    public void Stop_is_idempotent_and_messages_sent_after_it_complete_with_ESHUTDOWN_unrun()
    {
        var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 }).Start();
        group.Sync();
        group.Stop();
        group.Stop();
        var msg = new RecordingMsg();
        group[0].Port.Send(msg);
        // A put to a stopped thread's port completes the message itself instead of leaving it queued for ever.
        Assert.True(msg.IsDone);
        Assert.Equal(Errno.ESHUTDOWN, msg.Error);
        Assert.Equal(0, msg.RanCount);
        group.Dispose();
    }
}
