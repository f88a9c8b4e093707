using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Tests.Support;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Runtime.Tests.Messaging;

public sealed class MessagePortTests
{
    private static ProtocolThreadGroup StartGroup(int threads = 2) =>
        new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = threads }).Start();

    [Fact]
    public void Send_runs_handler_on_the_owner_thread_and_marks_done()
    {
        using var group = StartGroup();
        var msg = new RecordingMsg { ReplyWith = Errno.EINVAL };
        group[1].Port.Send(msg);
        SpinWait.SpinUntil(() => msg.IsDone && msg.RanCount == 1, 5000);
        Assert.True(msg.IsDone);
        Assert.Same(group[1], msg.RanOn);
        Assert.Equal(Errno.EINVAL, msg.Error);
    }

    [Fact]
    public void Do_waits_for_the_reply_and_returns_its_error()
    {
        using var group = StartGroup();
        var msg = new RecordingMsg { ReplyWith = Errno.ECONNREFUSED };
        Assert.Equal(Errno.ECONNREFUSED, group[0].Port.Do(msg));
        Assert.Same(group[0], msg.RanOn);
        Assert.True(msg.IsDone);
        // Reusable: the same embedded message can be sent again once done.
        msg.ReplyWith = Errno.None;
        Assert.Equal(Errno.None, group[0].Port.Do(msg));
        Assert.Equal(2, msg.RanCount);
    }

    [Fact]
    public async Task DoAsync_completes_with_the_error_and_never_continues_on_a_protocol_thread()
    {
        using var group = StartGroup();
        var msg = new RecordingMsg { ReplyWith = Errno.EADDRINUSE };
        for (int i = 0; i < 100; i++)
        {
            var error = await group[1].Port.DoAsync(msg);
            Assert.Equal(Errno.EADDRINUSE, error);
            Assert.Null(ProtocolThread.Current);
        }
        Assert.Equal(100, msg.RanCount);
    }

    private sealed unsafe class InlineProbe : NetMsg
    {
        public InlineProbe() : base(&Outer) { }
        public RecordingMsg Inner { get; } = new() { ReplyWith = Errno.EALREADY };
        public Errno InnerResult;
        public bool InnerRanBeforeReturn;

        private static void Outer(NetMsg msg)
        {
            var p = (InlineProbe)msg;
            // Do to our own port from the owner thread runs inline (a direct call), it cannot deadlock.
            p.InnerResult = ProtocolThread.Current!.Port.Do(p.Inner);
            p.InnerRanBeforeReturn = p.Inner.RanCount == 1;
            msg.Reply();
        }
    }

    [Fact]
    public void Do_on_the_owner_thread_runs_inline()
    {
        using var group = StartGroup();
        var probe = new InlineProbe();
        Assert.Equal(Errno.None, group[1].Port.Do(probe));
        Assert.True(probe.InnerRanBeforeReturn);
        Assert.Equal(Errno.EALREADY, probe.InnerResult);
        Assert.Same(group[1], probe.Inner.RanOn);
    }

    [Fact]
    public void Priority_inbox_is_served_before_ordinary_messages()
    {
        var port = new MessagePort(owner: null);
        var normal = Enumerable.Range(0, 3).Select(i => new RecordingMsg { Value = i }).ToArray();
        var urgent = new RecordingMsg { Value = 99, Flags = MessageFlags.Priority };
        foreach (var m in normal) port.Send(m);
        port.Send(urgent);
        Assert.Same(urgent, port.TryTake());
        Assert.Same(normal[0], port.TryTake());
        Assert.Same(normal[1], port.TryTake());
        Assert.Same(normal[2], port.TryTake());
        Assert.Null(port.TryTake());
        Assert.Equal(MessageState.Running, urgent.State);
    }

    [Fact]
    public void Drop_removes_a_queued_dropable_message_and_makes_it_done()
    {
        var port = new MessagePort(owner: null);
        var a = new RecordingMsg { Value = 1 };
        var b = new RecordingMsg { Value = 2, Flags = MessageFlags.Dropable };
        var c = new RecordingMsg { Value = 3 };
        port.Send(a);
        port.Send(b);
        port.Send(c);
        Assert.Equal(Errno.None, port.Drop(b));
        Assert.True(b.IsDone);
        Assert.Equal(Errno.ENOENT, port.Drop(b));
        Assert.Equal(Errno.EINVAL, port.Drop(a));
        Assert.Same(a, port.TryTake());
        Assert.Same(c, port.TryTake());
        Assert.Null(port.TryTake());
        // Dropped messages can be sent again.
        port.Send(b);
        Assert.Same(b, port.TryTake());
    }

    [Fact]
    public async Task Drop_refuses_a_message_whose_caller_waits_for_its_reply()
    {
        var port = new MessagePort(owner: null);
        var msg = new RecordingMsg { Flags = MessageFlags.Dropable, ReplyWith = Errno.EAGAIN };
        var pending = port.DoAsync(msg);
        Assert.Equal(Errno.EBUSY, port.Drop(msg));
        Assert.Same(msg, port.TryTake());
        msg.Reply(Errno.EAGAIN);
        Assert.Equal(Errno.EAGAIN, await pending);
    }

    [Fact]
    public void Drop_from_a_thread_that_does_not_own_the_port_is_refused()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 });
        var msg = new RecordingMsg { Flags = MessageFlags.Dropable };
        group[0].Port.Send(msg); // not started: stays queued
        Assert.Equal(Errno.EPERM, group[0].Port.Drop(msg));
        Assert.Equal(1, Misuse.Count(MisuseKind.NotOwnerThread));
        Assert.Equal(MessageState.Queued, msg.State);
    }

    private sealed unsafe class SeqMsg : NetMsg
    {
        public SeqMsg() : base(&Handle) { }
        public int Producer;
        public int Sequence;
        public static int[][]? Seen;
        public static int[]? LastSequence;
        public static int OrderViolations;

        private static void Handle(NetMsg msg)
        {
            var m = (SeqMsg)msg;
            Interlocked.Increment(ref Seen![m.Producer][m.Sequence]);
            // One consumer: per-producer FIFO means sequences arrive increasing.
            if (m.Sequence <= LastSequence![m.Producer]) OrderViolations++;
            LastSequence[m.Producer] = m.Sequence;
            msg.Reply();
        }
    }

    [Fact]
    public void Many_producers_into_one_port_lose_and_duplicate_nothing_and_keep_per_producer_order()
    {
        const int producers = 4, perProducer = 200_000, window = 256;
        SeqMsg.Seen = Enumerable.Range(0, producers).Select(_ => new int[perProducer]).ToArray();
        SeqMsg.LastSequence = Enumerable.Repeat(-1, producers).ToArray();
        SeqMsg.OrderViolations = 0;
        using var group = StartGroup(2);
        var port = group[1].Port;
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
        {
            var msgs = Enumerable.Range(0, window).Select(_ => new SeqMsg { Producer = p }).ToArray();
            for (int i = 0; i < perProducer; i++)
            {
                var m = msgs[i % window];
                var spin = new SpinWait();
                while (!m.IsDone) spin.SpinOnce();
                m.Sequence = i;
                port.Send(m);
            }
            foreach (var m in msgs) SpinWait.SpinUntil(() => m.IsDone);
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.True(Task.WaitAll(tasks, TimeSpan.FromMinutes(2)));
        Assert.Equal(Errno.None, group.Sync());
        for (int p = 0; p < producers; p++)
            Assert.All(SeqMsg.Seen[p], count => Assert.Equal(1, count));
        Assert.Equal(0, SeqMsg.OrderViolations);
    }

    [Fact]
    public void Replying_twice_throws_under_the_throw_policy()
    {
        using var scope = new MisuseScope(MisusePolicy.Throw);
        var port = new MessagePort(owner: null);
        var msg = new RecordingMsg();
        port.Send(msg);
        var taken = port.TryTake()!;
        taken.Reply(Errno.EIO);
        var ex = Assert.Throws<InvalidOperationException>(() => taken.Reply(Errno.EPERM));
        Assert.Contains("DoubleReply", ex.Message);
        Assert.Equal(Errno.EIO, msg.Error);
        Assert.Equal(1, Misuse.Count(MisuseKind.DoubleReply));
    }

    [Fact]
    public void Replying_twice_is_counted_and_ignored_under_the_count_policy()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        var port = new MessagePort(owner: null);
        var msg = new RecordingMsg();
        port.Send(msg);
        port.TryTake()!.Reply(Errno.EIO);
        msg.Reply(Errno.EPERM);
        Assert.Equal(Errno.EIO, msg.Error);
        Assert.True(msg.IsDone);
        Assert.Equal(1, Misuse.Count(MisuseKind.DoubleReply));
        // State intact: it can be sent and processed normally.
        port.Send(msg);
        Assert.Same(msg, port.TryTake());
    }

    [Fact]
    public void Sending_a_message_still_in_flight_is_refused_without_corrupting_the_queue()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        var port = new MessagePort(owner: null);
        var a = new RecordingMsg();
        var b = new RecordingMsg();
        port.Send(a);
        port.Send(b);
        port.Send(a); // still queued
        Assert.Equal(1, Misuse.Count(MisuseKind.SendWhileInFlight));
        Assert.Same(a, port.TryTake());
        Assert.Same(b, port.TryTake());
        Assert.Null(port.TryTake());
    }

    [Fact]
    public void Replying_to_a_must_not_reply_message_is_misuse()
    {
        using var scope = new MisuseScope(MisusePolicy.Throw);
        var port = new MessagePort(owner: null);
        var msg = new RecordingMsg(ReplyPort.MustNotReply);
        port.Send(msg);
        var taken = port.TryTake()!;
        Assert.Throws<InvalidOperationException>(() => taken.Reply());
        Assert.Equal(MessageState.Running, msg.State);
        Assert.Equal(1, Misuse.Count(MisuseKind.ReplyToMustNotReply));
    }

    [Fact]
    public void Forwarding_a_message_that_is_not_running_is_misuse()
    {
        using var scope = new MisuseScope(MisusePolicy.Count);
        var port = new MessagePort(owner: null);
        var msg = new RecordingMsg();
        msg.Forward(port);
        Assert.Equal(1, Misuse.Count(MisuseKind.ForwardNotRunning));
        Assert.Null(port.TryTake());
    }

    private sealed unsafe class CrossWaitMsg : NetMsg
    {
        public CrossWaitMsg() : base(&Handle) { }
        public MessagePort? Target;
        public Errno InnerResult;
        public Exception? Thrown;
        public RecordingMsg Inner { get; } = new();

        private static void Handle(NetMsg msg)
        {
            var m = (CrossWaitMsg)msg;
            try { m.InnerResult = m.Target!.Do(m.Inner); }
            catch (Exception ex) { m.Thrown = ex; }
            msg.Reply();
        }
    }

    [Fact]
    public void A_protocol_thread_other_than_0_may_not_wait_on_another_protocol_thread()
    {
        using var group = StartGroup(2);
        using (new MisuseScope(MisusePolicy.Count))
        {
            var m = new CrossWaitMsg { Target = group[0].Port };
            Assert.Equal(Errno.None, group[1].Port.Do(m));
            Assert.Equal(Errno.EDEADLK, m.InnerResult);
            Assert.Equal(0, m.Inner.RanCount);
            Assert.Equal(1, Misuse.Count(MisuseKind.CrossProtocolThreadWait));
        }
        using (new MisuseScope(MisusePolicy.Throw))
        {
            var m = new CrossWaitMsg { Target = group[0].Port };
            group[1].Port.Do(m);
            Assert.IsType<InvalidOperationException>(m.Thrown);
        }
    }

    [Fact]
    public void Protocol_thread_0_may_wait_on_another_protocol_thread()
    {
        using var group = StartGroup(2);
        using var scope = new MisuseScope(MisusePolicy.Throw);
        var m = new CrossWaitMsg { Target = group[1].Port };
        m.Inner.ReplyWith = Errno.ETIMEDOUT;
        Assert.Equal(Errno.None, group[0].Port.Do(m));
        Assert.Null(m.Thrown);
        Assert.Equal(Errno.ETIMEDOUT, m.InnerResult);
        Assert.Same(group[1], m.Inner.RanOn);
    }

    private sealed unsafe class GlobalMsg : NetMsg
    {
        public GlobalMsg() : base(&Handle) { }
        public readonly List<int> Visited = [];
        public int FailAt = -1;

        private static void Handle(NetMsg msg)
        {
            var m = (GlobalMsg)msg;
            int index = ProtocolThread.Current!.Index;
            m.Visited.Add(index);
            ProtocolThreadGroup.ForwardGlobal(msg, index == m.FailAt ? Errno.ENOBUFS : Errno.None);
        }
    }

    [Fact]
    public void Global_operations_visit_every_thread_in_order_and_the_last_replies()
    {
        using var group = StartGroup(4);
        var m = new GlobalMsg();
        Assert.Equal(Errno.None, group.DoGlobal(m));
        Assert.Equal([0, 1, 2, 3], m.Visited);
    }

    [Fact]
    public async Task A_failing_step_stops_a_global_operation_with_its_error()
    {
        using var group = StartGroup(4);
        var m = new GlobalMsg { FailAt = 1 };
        Assert.Equal(Errno.ENOBUFS, await group.DoGlobalAsync(m));
        Assert.Equal([0, 1], m.Visited);
    }

    [Fact]
    public void Global_operation_started_from_thread_other_than_0_is_refused()
    {
        using var group = StartGroup(2);
        using var scope = new MisuseScope(MisusePolicy.Count);
        var starter = new GlobalStarter { Group = group };
        group[1].Port.Do(starter);
        Assert.Equal(Errno.EDEADLK, starter.Result);
        Assert.Equal(1, Misuse.Count(MisuseKind.CrossProtocolThreadWait));
    }

    private sealed unsafe class GlobalStarter : NetMsg
    {
        public GlobalStarter() : base(&Handle) { }
        public ProtocolThreadGroup? Group;
        public Errno Result;

        private static void Handle(NetMsg msg)
        {
            var s = (GlobalStarter)msg;
            s.Result = s.Group!.DoGlobal(new GlobalMsg());
            msg.Reply();
        }
    }

    [Fact]
    public void Pooled_messages_return_to_their_pool_on_reply()
    {
        using var group = StartGroup(2);
        var pool = new NetMsgPool<RecordingMsg>(8, () => new RecordingMsg());
        for (int i = 0; i < 1000; i++)
        {
            var m = pool.Rent();
            group[i % 2].Port.Send(m);
        }
        Assert.Equal(Errno.None, group.Sync());
        // Every message came home: renting as many as were created creates nothing new.
        long created = pool.Created;
        Assert.InRange(created, 1, 1000);
        var rented = Enumerable.Range(0, (int)Math.Min(created, 8)).Select(_ => pool.Rent()).ToList();
        Assert.Equal(created, pool.Created);
        var again = rented[0];
        Assert.True(again.IsDone);
        Assert.Same(pool.ReplyPort, again.ReplyPort);
    }
}
