using System;
using System.Collections.Generic;
using System.Linq;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Memory;
using NetKit.Drivers.Tests.Support;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Timers;
using Xunit;
using Xunit.Abstractions;

namespace NetKit.Drivers.Tests.Memory;

/// <summary>
/// End to end: generated test stacks, each on its own two unpinned protocol threads, joined by a memory link.
/// Frames are built by the test (a test thread's pool, or a sender thread's own pool) and transmitted on an interface.
/// </summary>
public sealed class MemoryLinkTests : IDisposable
{
    private readonly MemoryLink _link = new("lan");
    private readonly List<Node> _nodes = [];
    private readonly PacketBufferPool _pool = new();
    private readonly ITestOutputHelper _output;

    public MemoryLinkTests(ITestOutputHelper output)
    {
        _output = output;
        Misuse.Reset();
    }

    private Node NewNode(int number, MemoryInterfaceOptions? options = null, NetClock? clock = null, bool start = true)
    {
        var node = new Node(_link, number, threads => new TestStack(threads), options, clock, start);
        _nodes.Add(node);
        return node;
    }

    private PacketBuffer Frame(Node from, Node to, ushort sourcePort, uint sequence, int length = 64) =>
        Frames.Udp(_pool, to.Mac, from.Mac, from.Ip, to.Ip, sourcePort, 53, sequence, length);

    /// <summary>Disposes every node, then checks no buffer of the test pool leaked and no misuse was reported.</summary>
    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
        Assert.Equal(0, Misuse.Total);
        Assert.True(_pool.TryReleaseMemory(), "every frame the test rented came home");
    }

    [Fact]
    public void Each_flow_is_input_on_the_thread_the_receiving_stack_selects()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        var capture = new RecordingCapture(threads: 2);
        b.Interface.Capture = capture;
        var seen = new int[2];
        for (ushort port = 1000; port < 1064; port++)
        {
            int before = TestTransport.PacketsReceived;
            var frame = Frame(a, b, port, port);
            int expected = Frames.OwnerThread(a.Ip, b.Ip, port, 53, 2);
            Assert.Equal(expected, b.Stack.SelectThread(frame));
            Assert.True(a.Interface.Transmit(frame));
            Wait.Until(() => TestTransport.PacketsReceived == before + 1, $"flow {port}");
            Assert.Equal(expected, TestTransport.LastPacketThread);
            seen[expected]++;
        }
        Assert.True(seen[0] > 0 && seen[1] > 0, "64 flows spread over both threads");
        Assert.Equal(64, b.Interface.ReceivedFrames);
        Assert.Equal(seen[0], b.Interface.ReceivedOn(0));
        Assert.Equal(seen[1], b.Interface.ReceivedOn(1));
        Assert.Equal(64, a.Interface.TransmittedFrames);
        Assert.All(capture.Received, arrival =>
        {
            Assert.Equal(arrival.ExpectedThread, arrival.Thread);
            Assert.Equal(b.Interface.InterfaceIndex, arrival.InterfaceIndex);
        });
        Assert.Equal(0, a.Interface.TransmitDrops + b.Interface.ReceiveDrops);
    }

    /// <summary>
    /// Four sender threads (two stacks) transmit concurrently into one receiver: every frame is input exactly once, on
    /// its flow's thread and in its flow's order, or counted as dropped. Tiny queues at full speed make the doorbell go
    /// idle and ring again constantly and full queues drop; paced rounds into default queues deliver nearly everything.
    /// </summary>
    [Theory]
    [InlineData(16, 4, 1, 20_000)]
    [InlineData(1024, 64, 40, 500)]
    public void Concurrent_senders_deliver_every_frame_exactly_once_in_flow_order_or_count_it(int capacity, int batch, int rounds, int perRound)
    {
        var receiverOptions = new MemoryInterfaceOptions { ReceiveQueueCapacity = capacity, ReceiveBatch = batch };
        var a = NewNode(1);
        var b = NewNode(2, receiverOptions);
        var c = NewNode(3);
        var capture = new RecordingCapture(threads: 2);
        b.Interface.Capture = capture;
        int packetsBefore = TestTransport.PacketsReceived;
        var bursts = new List<(BurstMessage Burst, Node Sender, int Thread)>();
        foreach (var sender in new[] { a, c })
        {
            for (int thread = 0; thread < 2; thread++)
            {
                bursts.Add((new BurstMessage
                {
                    Device = sender.Interface,
                    Destination = b.Mac,
                    Source = sender.Mac,
                    SourceIp = sender.Ip,
                    DestinationIp = b.Ip,
                    FirstPort = (ushort)(10_000 + sender.Number * 100 + thread * 10),
                    Flows = 8,
                    Count = perRound,
                }, sender, thread));
            }
        }
        long sent = 0;
        for (int round = 0; round < rounds; round++)
        {
            foreach (var (burst, sender, thread) in bursts)
            {
                burst.FirstSequence = (uint)(sender.Number << 24 | thread << 20 | round * perRound);
                sender.Threads[thread].Port.Send(burst);
            }
            Wait.Until(() => bursts.All(m => m.Burst.IsDone), "bursts sent");
            sent += bursts.Sum(m => m.Burst.Sent);
            Assert.Equal(0, bursts.Sum(m => m.Burst.Refused));
            Wait.Until(() => b.Interface.ReceivedFrames + b.Interface.ReceiveDrops == sent, "every frame received or dropped");
        }
        Wait.Until(() => b.Interface.IsReceiveIdle, "receive queues idle");

        var arrivals = capture.Received.ToList();
        Assert.Equal(b.Interface.ReceivedFrames, arrivals.Count);
        Wait.Until(() => TestTransport.PacketsReceived - packetsBefore == arrivals.Count, "transport input");
        Assert.Equal(arrivals.Count, arrivals.Select(x => x.Sequence).Distinct().Count());
        Assert.All(arrivals, x =>
        {
            Assert.Equal(x.ExpectedThread, x.Thread);
            Assert.Equal(2, x.InterfaceIndex);
        });
        foreach (var flow in arrivals.GroupBy(x => x.SourcePort))
        {
            var sequences = flow.Select(x => x.Sequence).ToList();
            Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second), $"flow {flow.Key} in order");
        }
        Assert.Equal(sent, a.Interface.TransmittedFrames + c.Interface.TransmittedFrames);
        Assert.Equal(4L * rounds * perRound, sent);
        Assert.True(b.Interface.Doorbells <= b.Interface.ReceivedFrames, "at most one doorbell per frame");
        _output.WriteLine($"sent {sent}, received {b.Interface.ReceivedFrames}, dropped {b.Interface.ReceiveDrops}, doorbells {b.Interface.Doorbells}");
    }

    [Fact]
    public void Frames_queued_before_the_stack_runs_ring_a_single_doorbell_per_queue()
    {
        var a = NewNode(1);
        var b = NewNode(2, start: false);
        const int frames = 200;
        var ports = Enumerable.Range(0, frames).Select(i => (ushort)(2000 + i)).ToArray();
        foreach (var port in ports) Assert.True(a.Interface.Transmit(Frame(a, b, port, port)));
        Wait.Until(() => a.Interface.TransmittedFrames == frames, "transmitted");
        Assert.Equal(Errno.None, a.Threads.Sync());
        Assert.Equal(0, b.Interface.ReceivedFrames);
        Assert.Equal(2, b.Interface.Doorbells);           // one per receive queue, not one per frame
        Assert.False(b.Interface.IsReceiveIdle);
        int before = TestTransport.PacketsReceived;
        b.Threads.Start();
        Wait.Until(() => b.Interface.ReceivedFrames == frames, "drained once the threads run");
        Wait.Until(() => b.Interface.IsReceiveIdle, "idle");
        Wait.Until(() => TestTransport.PacketsReceived == before + frames, "transport input");
        int onZero = ports.Count(p => Frames.OwnerThread(a.Ip, b.Ip, p, 53, 2) == 0);
        Assert.Equal(onZero, b.Interface.ReceivedOn(0));
        Assert.Equal(frames - onZero, b.Interface.ReceivedOn(1));
    }

    [Fact]
    public void Broadcast_and_multicast_reach_every_other_interface()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        var c = NewNode(3);
        var captureB = new RecordingCapture(2, keepBytes: true);
        var captureC = new RecordingCapture(2, keepBytes: true);
        b.Interface.Capture = captureB;
        c.Interface.Capture = captureC;
        byte[] multicast = [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01];
        int before = TestTransport.PacketsReceived;
        Assert.True(a.Interface.Transmit(Frames.Udp(_pool, Frames.Broadcast, a.Mac, a.Ip, 0xFFFFFFFF, 67, 68, 1)));
        Assert.True(a.Interface.Transmit(Frames.Udp(_pool, multicast, a.Mac, a.Ip, 0xE0000001, 5353, 5353, 2)));
        Wait.Until(() => b.Interface.ReceivedFrames == 2 && c.Interface.ReceivedFrames == 2, "both copies at both");
        Wait.Until(() => TestTransport.PacketsReceived == before + 4, "transport input");
        Assert.Equal(0, a.Interface.ReceivedFrames);
        var expected = new[]
        {
            Frames.Expected(Frames.Broadcast, a.Mac, a.Ip, 0xFFFFFFFF, 67, 68, 1),
            Frames.Expected(multicast, a.Mac, a.Ip, 0xE0000001, 5353, 5353, 2),
        };
        foreach (var capture in new[] { captureB, captureC })
        {
            var got = capture.Received.OrderBy(x => x.Sequence).Select(x => x.Bytes!).ToList();
            Assert.Equal(expected, got);
        }
        Assert.Equal(0, _link.FloodCopyFailures);
    }

    [Fact]
    public void Unicast_to_an_unknown_MAC_is_dropped_and_counted_by_the_link()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        Assert.True(a.Interface.Transmit(Frames.Udp(_pool, Frames.Mac(99), a.Mac, a.Ip, b.Ip, 1, 2, 3)));
        Wait.Until(() => _link.UnknownDestinationDrops == 1, "unknown destination counted");
        Assert.Equal(0, b.Interface.ReceivedFrames);
        Assert.Throws<InvalidOperationException>(() => new MemoryInterface(_link, "dup", b.Mac));
    }

    [Fact]
    public void A_down_interface_or_link_drops_and_counts()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        Assert.True(a.Interface.IsUp);

        a.Interface.AdminUp = false;
        Assert.False(a.Interface.IsUp);
        Assert.False(a.Interface.Transmit(Frame(a, b, 1, 1)));            // from a test thread
        var burst = new BurstMessage
        {
            Device = a.Interface, Destination = b.Mac, Source = a.Mac, SourceIp = a.Ip, DestinationIp = b.Ip, Count = 5,
        };
        Assert.Equal(Errno.None, a.Threads[1].Port.Do(burst));             // from a protocol thread's own queue
        Assert.Equal(5, burst.Refused);
        Assert.Equal(6, a.Interface.TransmitDrops);
        Assert.Equal(0, a.Interface.TransmittedFrames);
        a.Interface.AdminUp = true;

        b.Interface.AdminUp = false;
        Assert.True(a.Interface.Transmit(Frame(a, b, 2, 2)));
        Wait.Until(() => b.Interface.ReceiveDrops == 1, "receiver down counted");
        b.Interface.AdminUp = true;

        _link.IsUp = false;
        Assert.False(a.Interface.IsUp);
        Assert.False(b.Interface.IsUp);
        Assert.False(a.Interface.Transmit(Frame(a, b, 3, 3)));
        Assert.Equal(7, a.Interface.TransmitDrops);
        _link.IsUp = true;

        Assert.True(a.Interface.Transmit(Frame(a, b, 4, 4)));
        Wait.Until(() => b.Interface.ReceivedFrames == 1, "link back up");
    }

    [Fact]
    public void Impairments_hold_frames_until_virtual_time_reaches_them()
    {
        var clock = new ManualClock();
        var a = NewNode(1, new MemoryInterfaceOptions { Impairments = new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(5) } }, clock);
        var b = NewNode(2, clock: clock);
        const int frames = 20;
        for (int i = 0; i < frames; i++) Assert.True(a.Interface.Transmit(Frame(a, b, (ushort)(3000 + i), (uint)i)));
        Wait.Until(() => a.Interface.HeldTransmitFrames == frames, "held by the impairers");
        Assert.Equal(0, b.Interface.ReceivedFrames);

        clock.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(Errno.None, a.Threads.Sync());
        Assert.Equal(Errno.None, a.Threads.Sync());  // the first may run before the callouts of that pass
        Assert.Equal(Errno.None, b.Threads.Sync());
        Assert.Equal(0, b.Interface.ReceivedFrames);
        Assert.Equal(frames, a.Interface.HeldTransmitFrames);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Wait.Until(() => b.Interface.ReceivedFrames == frames, "released at 5 ms");
        var counters = a.Interface.ImpairmentCounters;
        Assert.Equal(frames, counters.Offered);
        Assert.Equal(frames, counters.Delayed);
        Assert.Equal(frames, counters.Delivered);
        Assert.Equal(0, a.Interface.HeldTransmitFrames);
    }

    [Fact]
    public void A_lossy_link_loses_frames_and_counts_them()
    {
        var a = NewNode(1, new MemoryInterfaceOptions { Impairments = new ImpairmentOptions { LossProbability = 1 } });
        var b = NewNode(2);
        for (int i = 0; i < 10; i++) Assert.True(a.Interface.Transmit(Frame(a, b, (ushort)(4000 + i), (uint)i)));
        Wait.Until(() => a.Interface.ImpairmentCounters.Lost == 10, "lost");
        Assert.Equal(10, a.Interface.TransmittedFrames);
        Assert.Equal(0, b.Interface.ReceivedFrames);
    }

    [Fact]
    public void Capture_files_contain_the_frames_sent_and_received()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var clock = new ManualClock(1_000_000_000);
        var transmitFile = new System.IO.MemoryStream();
        var receiveFile = new System.IO.MemoryStream();
        var transmitCapture = new PcapCapture(transmitFile, new PcapCaptureOptions
        {
            Directions = CaptureDirection.Transmit, Clock = clock, StartTime = start, LeaveOpen = true,
        });
        var receiveCapture = new PcapCapture(receiveFile, new PcapCaptureOptions
        {
            Directions = CaptureDirection.Receive, Clock = clock, StartTime = start, LeaveOpen = true,
            Precision = PcapTimestampPrecision.Nanoseconds,
        });
        a.Interface.Capture = transmitCapture;
        b.Interface.Capture = receiveCapture;
        var expected = new List<byte[]>();
        for (int i = 0; i < 10; i++)
        {
            int length = 60 + i * 100;
            expected.Add(Frames.Expected(b.Mac, a.Mac, a.Ip, b.Ip, 5000, 53, (uint)i, length));
            Assert.True(a.Interface.Transmit(Frame(a, b, 5000, (uint)i, length)));  // one flow: order is kept
        }
        Wait.Until(() => b.Interface.ReceivedFrames == 10, "received");
        a.Interface.Capture = null;
        b.Interface.Capture = null;
        transmitCapture.Dispose();
        receiveCapture.Dispose();
        Assert.Equal(10, transmitCapture.Frames);
        Assert.Equal(10, receiveCapture.Frames);

        long startSeconds = start.ToUnixTimeSeconds();
        foreach (var (file, nanoseconds) in new[] { (transmitFile, false), (receiveFile, true) })
        {
            var pcap = PcapReader.Read(file.ToArray());
            Assert.Equal(nanoseconds ? PcapWriter.MagicNanoseconds : PcapWriter.MagicMicroseconds, pcap.Magic);
            Assert.Equal(PcapWriter.LinkTypeEthernet, pcap.LinkType);
            Assert.Equal(expected, pcap.Records.Select(r => r.Data));
            Assert.All(pcap.Records, r =>
            {
                Assert.Equal(r.Data.Length, r.OriginalLength);
                Assert.Equal(startSeconds, r.Seconds);   // virtual time stood still
                Assert.Equal(0u, r.Fraction);
            });
        }
    }

    [Fact]
    public void Dispose_frees_frames_still_queued_or_held()
    {
        var clock = new ManualClock();
        var a = NewNode(1, new MemoryInterfaceOptions { Impairments = new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(50) } }, clock);
        var b = NewNode(2, clock: clock, start: false);   // its threads never drain: frames wait in its queues
        var c = NewNode(3, clock: clock);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(a.Interface.Transmit(Frame(a, b, (ushort)(6000 + i), (uint)i)));
            Assert.True(c.Interface.Transmit(Frame(c, b, (ushort)(7000 + i), (uint)i)));
        }
        Wait.Until(() => a.Interface.HeldTransmitFrames == 10, "held by a's impairers");
        Wait.Until(() => c.Interface.TransmittedFrames == 10, "c transmitted");
        Assert.Equal(Errno.None, c.Threads.Sync());
        Assert.False(b.Interface.IsReceiveIdle);

        a.Interface.Dispose();
        Assert.Equal(10, a.Interface.ImpairmentCounters.Flushed);
        Assert.Equal(0, a.Interface.HeldTransmitFrames);
        Assert.False(a.Interface.IsUp);
        Assert.False(a.Interface.Transmit(Frame(a, b, 1, 1)));
        Assert.DoesNotContain(a.Interface, _link.Interfaces);

        b.Interface.Dispose();
        Assert.Equal(10, b.Interface.ReceiveDrops);
        Assert.Equal(0, b.Interface.ReceivedFrames);

        // Frames still for b now find no such MAC on the link.
        Assert.True(c.Interface.Transmit(Frame(c, b, 1, 1)));
        Wait.Until(() => _link.UnknownDestinationDrops == 1, "b is gone");
        Assert.Throws<InvalidOperationException>(() => a.Interface.Start(a.Stack, 1));
    }

    [Fact]
    public void Dispose_on_a_protocol_thread_hands_the_teardown_to_the_queue_owners()
    {
        var clock = new ManualClock();
        var a = NewNode(1, new MemoryInterfaceOptions { Impairments = new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(50) } }, clock);
        var b = NewNode(2, clock: clock);
        for (int i = 0; i < 10; i++) Assert.True(a.Interface.Transmit(Frame(a, b, (ushort)(8000 + i), (uint)i)));
        Wait.Until(() => a.Interface.HeldTransmitFrames == 10, "held by a's impairers");
        // A protocol thread may not wait on others: dispose there only asks each owner to free its queues.
        Assert.Equal(Errno.None, b.Threads[1].Port.Do(new InvokeMessage(a.Interface.Dispose)));
        Wait.Until(() => a.Interface.HeldTransmitFrames == 0, "owners flushed");
        Assert.Equal(10, a.Interface.ImpairmentCounters.Flushed);
        Assert.Equal(0, b.Interface.ReceivedFrames);
    }

    [Fact]
    public void Transmit_before_start_is_dropped_and_counted()
    {
        var idle = new MemoryInterface(_link, "idle", Frames.Mac(50));
        var b = NewNode(2);
        Assert.Null(idle.Stack);
        Assert.False(idle.Transmit(Frames.Udp(_pool, b.Mac, Frames.Mac(50), 1, 2, 3, 4, 5)));
        Assert.Equal(1, idle.TransmitDrops);
        // Frames for an interface no stack has started are dropped on receive.
        Assert.True(b.Interface.Transmit(Frames.Udp(_pool, Frames.Mac(50), b.Mac, 1, 2, 3, 4, 5)));
        Wait.Until(() => idle.ReceiveDrops == 1, "receive before start");
        idle.Dispose();
    }

    /// <summary>
    /// After warm-up, transmit, switching, steering, queueing, doorbells and input allocate nothing per frame on the
    /// protocol threads (measured there, so the test runner's own allocations do not count).
    /// </summary>
    [Fact]
    public void Steady_state_allocates_nothing_per_frame()
    {
        var a = NewNode(1);
        var b = NewNode(2);
        var burst = new BurstMessage
        {
            Device = a.Interface, Destination = b.Mac, Source = a.Mac, SourceIp = a.Ip, DestinationIp = b.Ip,
            Flows = 16, Count = 500,
        };
        long received = 0;
        Func<bool> arrived = () => b.Interface.ReceivedFrames + b.Interface.ReceiveDrops == received;
        void Round()
        {
            for (int thread = 0; thread < 2; thread++)
            {
                a.Threads[thread].Port.Send(burst);
                while (!burst.IsDone) System.Threading.Thread.SpinWait(64);
                received += burst.Sent;
            }
            while (!arrived()) System.Threading.Thread.SpinWait(64);
        }
        // Grow the senders' pools past the most frames a round can have in flight: a pool grows (allocating a slab)
        // whenever the receiver has not yet freed enough buffers back to it, which depends on timing, not on the path.
        for (int thread = 0; thread < 2; thread++)
        {
            var grow = new InvokeMessage(() =>
            {
                var pool = NetKit.Runtime.Threading.ProtocolThread.Current!.Buffers;
                var held = new PacketBuffer[2048];
                for (int k = 0; k < held.Length; k++) held[k] = pool.TryRent()!;
                foreach (var buffer in held) buffer.Free();
            });
            Assert.Equal(NetKit.Runtime.Errno.None, a.Threads[thread].Port.Do(grow));
        }
        var probe = new AllocationProbe();
        for (int i = 0; i < 20; i++) Round();   // warm-up: pools, port segments, JIT tiers
        long before = probe.Measure(a.Threads, b.Threads);
        for (int i = 0; i < 20; i++) Round();
        long allocated = probe.Measure(a.Threads, b.Threads) - before;
        Assert.Equal(40_000, b.Interface.ReceivedFrames + b.Interface.ReceiveDrops);
        _output.WriteLine($"{allocated} bytes allocated for 20000 frames, {b.Interface.Doorbells} doorbells");
        Assert.True(allocated < 4096, $"{allocated} bytes allocated for 20000 frames");
    }
}
