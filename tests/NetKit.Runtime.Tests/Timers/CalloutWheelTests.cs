using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Tests.Support;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;
using Xunit;

namespace NetKit.Runtime.Tests.Timers;

public sealed unsafe class CalloutWheelTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    // Fired callouts record their Argument (an int id) here; the wheel is single-threaded in these tests.
    [ThreadStatic] private static List<int>? t_fired;

    private static void Record(Callout c) => t_fired!.Add((int)c.Argument!);

    private static (ManualClock clock, CalloutWheel wheel) NewWheel(int slots = 64)
    {
        t_fired = [];
        var clock = new ManualClock();
        return (clock, new CalloutWheel(clock, Ms, slots));
    }

    [Fact]
    public void A_callout_fires_after_its_delay_and_not_before()
    {
        var (clock, wheel) = NewWheel();
        var c = new Callout();
        wheel.Arm(c, TimeSpan.FromMilliseconds(10), &Record, 1);
        Assert.True(c.IsPending);
        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, wheel.RunDue());
        clock.Advance(Ms);
        Assert.Equal(1, wheel.RunDue());
        Assert.Equal([1], t_fired!);
        Assert.False(c.IsPending);
        Assert.Equal(0, wheel.PendingCount);
    }

    [Fact]
    public void Delays_round_up_to_whole_ticks_and_zero_means_next_tick()
    {
        var (clock, wheel) = NewWheel();
        wheel.Arm(new Callout(), TimeSpan.Zero, &Record, 1);
        wheel.Arm(new Callout(), TimeSpan.FromMicroseconds(1500), &Record, 2);
        clock.Advance(Ms);
        wheel.RunDue();
        Assert.Equal([1], t_fired!);
        clock.Advance(Ms);
        wheel.RunDue();
        Assert.Equal([1, 2], t_fired!);
    }

    [Fact]
    public void Same_tick_fires_in_arm_order_and_ticks_fire_in_time_order()
    {
        var (clock, wheel) = NewWheel(slots: 8);
        // Ids: expiry order differs from arm order; 3 and 4 share a tick; 5 is a later revolution of slot 2.
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(5), &Record, 3);
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(2), &Record, 1);
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(10), &Record, 5);
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(5), &Record, 4);
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(3), &Record, 2);
        for (int i = 0; i < 12; i++)
        {
            clock.Advance(Ms);
            wheel.RunDue();
        }
        Assert.Equal([1, 2, 3, 4, 5], t_fired!);
    }

    [Fact]
    public void Cancel_and_rearm()
    {
        var (clock, wheel) = NewWheel();
        var a = new Callout();
        var b = new Callout();
        wheel.Arm(a, TimeSpan.FromMilliseconds(5), &Record, 1);
        wheel.Arm(b, TimeSpan.FromMilliseconds(5), &Record, 2);
        Assert.True(a.Stop());
        Assert.False(a.Stop());
        Assert.True(wheel.Arm(b, TimeSpan.FromMilliseconds(20), &Record, 2)); // was pending: re-armed
        clock.Advance(TimeSpan.FromMilliseconds(10));
        wheel.RunDue();
        Assert.Empty(t_fired!);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        wheel.RunDue();
        Assert.Equal([2], t_fired!);
        Assert.Equal(0, wheel.PendingCount);
    }

    private static Callout? s_victim;

    private static void CancelVictimThenRecord(Callout c)
    {
        s_victim!.Stop();
        Record(c);
    }

    [Fact]
    public void A_callback_can_cancel_another_callout_due_on_the_same_tick()
    {
        var (clock, wheel) = NewWheel();
        var first = new Callout();
        s_victim = new Callout();
        wheel.Arm(first, Ms, &CancelVictimThenRecord, 1);
        wheel.Arm(s_victim, Ms, &Record, 2);
        clock.Advance(Ms);
        Assert.Equal(1, wheel.RunDue());
        Assert.Equal([1], t_fired!);
        Assert.Equal(0, wheel.PendingCount);
    }

    private static void RearmSelf(Callout c)
    {
        Record(c);
        if (t_fired!.Count < 5) c.BoundWheel!.Arm(c, Ms, &RearmSelf, c.Argument);
    }

    [Fact]
    public void A_callback_can_rearm_itself()
    {
        var (clock, wheel) = NewWheel();
        wheel.Arm(new Callout(), Ms, &RearmSelf, 7);
        for (int i = 0; i < 10; i++)
        {
            clock.Advance(Ms);
            wheel.RunDue();
        }
        Assert.Equal(5, t_fired!.Count);
    }

    [Fact]
    public void A_jump_longer_than_a_revolution_fires_everything_due_in_expiry_order()
    {
        var (clock, wheel) = NewWheel(slots: 16);
        var delays = new[] { 100, 3, 50, 3, 17, 1000, 16, 32 };
        for (int i = 0; i < delays.Length; i++)
            wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(delays[i]), &Record, i);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(7, wheel.RunDue());
        Assert.Equal([1, 3, 6, 4, 7, 2, 0], t_fired!);
        Assert.Equal(1, wheel.PendingCount);
    }

    [Fact]
    public void Enormous_delays_neither_overflow_nor_fire_early()
    {
        var (clock, wheel) = NewWheel();
        var c = new Callout();
        wheel.Arm(c, TimeSpan.MaxValue, &Record, 1);
        clock.Advance(TimeSpan.FromDays(365));
        Assert.Equal(0, wheel.RunDue());
        Assert.True(c.IsPending);
    }

    [Fact]
    public void Time_until_next_due_is_exact_within_the_scan_window()
    {
        var (clock, wheel) = NewWheel();
        Assert.Equal(long.MaxValue, wheel.NanosecondsUntilNextDue());
        wheel.Arm(new Callout(), TimeSpan.FromMilliseconds(7), &Record, 1);
        Assert.Equal(7_000_000, wheel.NanosecondsUntilNextDue());
        clock.Advance(TimeSpan.FromMilliseconds(7));
        Assert.Equal(0, wheel.NanosecondsUntilNextDue());
    }

    /// <summary>Model-based property: random arm / cancel / advance against a sorted-list model.</summary>
    [Fact]
    public void Matches_a_simple_model_under_random_operations()
    {
        var op = Gen.Int[0, 9].Select(Gen.Int[0, 15], Gen.Int[0, 300]);
        Gen.Select(Gen.Int[0, 2].Select(i => 1 << (i + 3)), op.Array[1, 200]).Sample(t =>
        {
            var (slots, ops) = t;
            var (clock, wheel) = NewWheel(slots);
            var callouts = Enumerable.Range(0, 16).Select(_ => new Callout()).ToArray();
            var model = new Dictionary<int, (long expire, long seq)>();
            var expected = new List<int>();
            long now = 0, seq = 0;
            foreach (var (kind, id, amount) in ops)
            {
                if (kind < 5)
                {
                    wheel.Arm(callouts[id], TimeSpan.FromMilliseconds(amount), &Record, id);
                    model[id] = (now + Math.Max(1, amount), ++seq);
                }
                else if (kind < 7)
                {
                    callouts[id].Stop();
                    model.Remove(id);
                }
                else
                {
                    long target = now + amount % 80;
                    // Model: fire everything due by target in (expiry, arm order).
                    foreach (var (k, v) in model.Where(kv => kv.Value.expire <= target).OrderBy(kv => kv.Value.expire).ThenBy(kv => kv.Value.seq).ToList())
                    {
                        expected.Add(k);
                        model.Remove(k);
                    }
                    clock.Advance(TimeSpan.FromMilliseconds(target - now));
                    now = target;
                    wheel.RunDue();
                }
            }
            return expected.SequenceEqual(t_fired!) && wheel.PendingCount == model.Count;
        }, iter: 500);
    }

    private sealed class ArmMsg : NetMsg
    {
        public ArmMsg() : base(&Handle) { }
        public readonly Callout Callout = new();
        public static ProtocolThread? FiredOn;
        public static readonly ManualResetEventSlim Fired = new();

        private static void Handle(NetMsg msg)
        {
            ((ArmMsg)msg).Callout.Reset(TimeSpan.FromMilliseconds(50), &OnFire);
            msg.Reply();
        }

        private static void OnFire(Callout c)
        {
            FiredOn = ProtocolThread.Current;
            Fired.Set();
        }
    }

    [Fact]
    public void On_a_protocol_thread_with_virtual_time_a_callout_fires_on_the_thread_that_armed_it()
    {
        var clock = new ManualClock();
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, Clock = clock }).Start();
        ArmMsg.Fired.Reset();
        var arm = new ArmMsg();
        group[1].Port.Do(arm);
        clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.False(ArmMsg.Fired.Wait(100));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(ArmMsg.Fired.Wait(5000));
        Assert.Same(group[1], ArmMsg.FiredOn);
    }

    [Fact]
    public void On_a_protocol_thread_with_real_time_a_callout_fires()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, SpinIterations = 4 }).Start();
        ArmMsg.Fired.Reset();
        group[0].Port.Do(new ArmMsg());
        Assert.True(ArmMsg.Fired.Wait(5000));
        Assert.Same(group[0], ArmMsg.FiredOn);
    }

    [Fact]
    public void An_unbound_callout_can_be_armed_on_another_wheel_after_a_migration()
    {
        var (clock, first) = NewWheel();
        var second = new CalloutWheel(clock, Ms);
        var c = new Callout();
        first.Arm(c, Ms, &Record, 1);
        Assert.False(c.Unbind()); // pending: stays bound
        c.Stop();
        Assert.True(c.Unbind());
        second.Arm(c, Ms, &Record, 2);
        Assert.Same(second, c.BoundWheel);
        clock.Advance(Ms);
        Assert.Equal(0, first.RunDue());
        Assert.Equal(1, second.RunDue());
        Assert.Equal([2], t_fired!);
    }

    [Fact]
    public void Arming_on_another_threads_wheel_is_refused()
    {
        using var group = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1 });
        using var scope = new MisuseScope(MisusePolicy.Count);
        var c = new Callout();
        group[0].Callouts.Arm(c, Ms, &Record, 1);
        Assert.False(c.IsPending);
        Assert.False(c.Reset(Ms, &Record)); // not on a protocol thread
        Assert.Equal(2, Misuse.Count(MisuseKind.NotOwnerThread));
    }
}
