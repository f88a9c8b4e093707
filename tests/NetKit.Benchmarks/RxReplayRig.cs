using System;
using System.Collections.Generic;
using System.Threading;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// The "rx replay" rig shared by the replay benchmarks: a stack on 1 or 2 protocol threads behind a sink device, and
/// pre-built Ethernet/IPv4/UDP frames of 256 flows (64-byte payloads) that each protocol thread copies into its own
/// buffers (the NIC's DMA) and feeds to <c>InputFrame</c>, as an RSS NIC hands each queue the flows hashing to it. No
/// load generator competes for the cores, and the benchmark thread sleeps (never spins) while the threads replay.
/// Each replay also reads its thread's CPU clock, so CPU time per packet is measured next to wall time.
/// </summary>
public abstract unsafe class RxReplayRig
{
    protected const ushort ServerPort = 53;
    protected static readonly IPv4Address Server = IPv4Address.Parse("10.0.0.1");
    protected static readonly IPv4Address Client = IPv4Address.Parse("10.0.0.2");
    protected static readonly MacAddress ServerMac = MacAddress.Parse("02:00:00:00:00:01");
    protected static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:02");

    protected ProtocolThreadGroup Threads = null!;
    protected InetStack Stack = null!;
    protected SinkDevice Sink = null!;
    private ReplayMsg[] _replays = null!;
    private readonly ManualResetEventSlim _allDone = new(false, spinCount: 1);
    private int _running;

    protected sealed class ReplayMsg : NetMsg
    {
        public ReplayMsg(RxReplayRig rig) : base(&Run) => Rig = rig;

        public readonly RxReplayRig Rig;
        public byte[][] Templates = [];
        public int Count;
        public long CpuNanoseconds;
        public long Frames;

        /// <summary>When set, the replay also reads its own thread's lane every 32 frames (a reader on this CPU).</summary>
        public DatagramReceiveQueue? ReadOwnLane;
        public long Consumed;
        private readonly byte[] _application = new byte[2048];

        private void Consume(int thread)
        {
            var queue = ReadOwnLane!;
            while (queue.TryReadFrom(thread, _application, out _, out _, out _)) Consumed++;
        }

        private static void Run(NetMsg message)
        {
            var replay = (ReplayMsg)message;
            long start = CpuClock.CurrentThreadNanoseconds();
            var pool = ProtocolThread.Current!.Buffers;
            var stack = replay.Rig.Stack;
            var templates = replay.Templates;
            for (int i = 0; i < replay.Count; i++)
            {
                var frame = pool.TryRent();
                if (frame is null) continue;
                var template = templates[i % templates.Length];
                template.CopyTo(frame.Append(template.Length));
                frame.InterfaceIndex = 0;
                stack.InputFrame(frame);
                if (replay.ReadOwnLane is not null && (i & 31) == 31) replay.Consume(ProtocolThread.Current.Index);
            }
            if (replay.ReadOwnLane is not null) replay.Consume(ProtocolThread.Current.Index);
            replay.CpuNanoseconds += CpuClock.CurrentThreadNanoseconds() - start;
            replay.Frames += replay.Count;
            var rig = replay.Rig;
            replay.Reply();
            if (Interlocked.Decrement(ref rig._running) == 0) rig._allDone.Set();
        }
    }

    /// <summary>A device that counts and frees what the stack transmits (the replies of the echo path).</summary>
    protected sealed class SinkDevice : ILinkDevice
    {
        private readonly byte[] _mac = new byte[6];
        private readonly long[] _transmitted = new long[(MaxThreads + 1) * 16]; // one 128-byte line per thread
        private const int MaxThreads = 64;

        public SinkDevice() => ServerMac.WriteTo(_mac);

        public string Name => "replay0";
        public int Mtu => 1500;
        public ReadOnlySpan<byte> HardwareAddress => _mac;
        public bool IsUp => false; // no gratuitous ARP: nothing but the replayed frames reaches the stack
        public void Start(NetStack stack, int interfaceIndex) { }
        public bool Transmit(PacketBuffer frame)
        {
            // Counted per protocol thread: a shared counter would make the threads contend in the measurement.
            _transmitted[((ProtocolThread.Current?.Index ?? -1) + 1) * 16]++;
            frame.Free();
            return true;
        }
        public long ReceivedFrames => 0;
        public long ReceiveDrops => 0;
        public long TransmittedFrames
        {
            get
            {
                long total = 0;
                for (int i = 0; i <= MaxThreads; i++) total += Volatile.Read(ref _transmitted[i * 16]);
                return total;
            }
        }
        public long TransmitDrops => 0;
        public void Dispose() { }
    }

    /// <summary>Starts <paramref name="threadCount"/> protocol threads (one per CPU) and the stack behind the sink.</summary>
    protected void StartStack(int threadCount)
    {
        var cpus = CpuAffinity.AllowedCpus();
        Threads = new ProtocolThreadGroup(new ProtocolThreadOptions
        {
            ThreadCount = threadCount,
            Cpus = threadCount == 1 ? [cpus[^1]] : null,
        }).Start();
        Stack = new InetStack(Threads);
        Sink = new SinkDevice();
        Stack.AddInterface(Sink, new InterfaceConfiguration(Server, 24));
    }

    /// <summary>Splits the 256 flows by the thread their 4-tuple hashes to; each thread replays <paramref name="framesPerThread"/>.</summary>
    protected void PrepareReplays(int framesPerThread)
    {
        int n = Threads.Count;
        var perThread = new List<byte[]>[n];
        for (int t = 0; t < n; t++) perThread[t] = new();
        for (ushort port = 10000; port < 10256; port++)
        {
            int thread = FlowHash.CpuOf(FlowHash.IPv4FourTuple(Client.Value, Server.Value, port, ServerPort), n);
            perThread[thread].Add(BuildUdpFrame(port));
        }
        _replays = new ReplayMsg[n];
        for (int t = 0; t < n; t++) _replays[t] = new ReplayMsg(this) { Templates = perThread[t].ToArray(), Count = framesPerThread };
    }

    /// <summary>Makes each replay read back its own thread's lane of <paramref name="queue"/> as it goes.</summary>
    protected void ReadOwnLanes(DatagramReceiveQueue queue)
    {
        foreach (var replay in _replays) replay.ReadOwnLane = queue;
    }

    /// <summary>Datagrams the replays read back so far.</summary>
    protected long Consumed()
    {
        long total = 0;
        foreach (var replay in _replays) total += replay.Consumed;
        return total;
    }

    /// <summary>Every thread replays its share at once; returns when all are done (the caller sleeps meanwhile).</summary>
    protected void ReplayOnAllThreads()
    {
        _allDone.Reset();
        Volatile.Write(ref _running, _replays.Length);
        for (int t = 0; t < _replays.Length; t++) Threads[t].Port.Send(_replays[t]);
        _allDone.Wait();
    }

    /// <summary>Teaches every thread's ARP cache the client (an ARP reply to us; thread 0 copies it to the others).</summary>
    protected void LearnClient()
    {
        var frame = new byte[14 + 28];
        new EthernetRepr(ClientMac, ServerMac, EtherType.Arp).Emit(frame);
        new ArpRepr(ArpOperation.Reply, ClientMac, Client, ServerMac, Server).Emit(frame.AsSpan(14));
        var message = new ReplayMsg(this) { Templates = [frame], Count = 1 };
        Volatile.Write(ref _running, 1);
        _allDone.Reset();
        Threads[0].Port.Send(message);
        _allDone.Wait();
        Threads.Sync(); // the copies to the other threads have run
    }

    /// <summary>Forgets the CPU time and frames counted so far (setup and validation runs).</summary>
    protected void ResetCpuTime()
    {
        foreach (var replay in _replays) { replay.CpuNanoseconds = 0; replay.Frames = 0; }
    }

    /// <summary>Prints CPU time per packet summed over the protocol threads (read from the benchmark log).</summary>
    protected void ReportCpuTime(string path)
    {
        long cpu = 0, frames = 0;
        foreach (var replay in _replays) { cpu += replay.CpuNanoseconds; frames += replay.Frames; }
        if (frames == 0 || !CpuClock.IsSupported) return;
        Console.WriteLine($"// rx-replay-cpu path={path} threads={Threads.Count} frames={frames} cpu-ns-per-packet={(double)cpu / frames:F1}");
    }

    private static byte[] BuildUdpFrame(ushort sourcePort)
    {
        var frame = new byte[14 + 20 + 8 + 64];
        new EthernetRepr(ClientMac, ServerMac, EtherType.IPv4).Emit(frame);
        new IPv4Repr(Client, Server, IpProtocol.Udp, 8 + 64).Emit(frame.AsSpan(14));
        for (int i = 0; i < 64; i++) frame[42 + i] = (byte)i;
        new UdpRepr(sourcePort, ServerPort, 64).Emit(frame.AsSpan(34), Client, Server);
        return frame;
    }
}
