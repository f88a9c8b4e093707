using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// "rx replay": pre-built Ethernet/IPv4/UDP frames of 256 flows, 64-byte payloads, are replayed into the receive
/// path on each protocol thread as an RSS NIC would hand them over (each thread gets the flows that hash to it), up
/// to an unconnected UDP server socket, whose rings the benchmark thread then drains. No load generator competes for
/// the 2 cores: the frames are copied from templates into the thread's own buffers (the NIC's DMA) and fed to
/// <c>InputFrame</c>. Per operation = one datagram from frame to application buffer; 8192 per invocation, split over 1 or 2 protocol
/// threads, so the 1-thread/2-thread time ratio is the throughput scaling.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public unsafe class RxReplayBenchmarks
{
    /// <summary>Frames per invocation, split evenly over the protocol threads.</summary>
    public const int TotalFrames = 8192;
    private const ushort ServerPort = 53;
    private static readonly IPv4Address Server = IPv4Address.Parse("10.0.0.1");
    private static readonly IPv4Address Client = IPv4Address.Parse("10.0.0.2");
    private static readonly MacAddress ServerMac = MacAddress.Parse("02:00:00:00:00:01");
    private static readonly MacAddress ClientMac = MacAddress.Parse("02:00:00:00:00:02");

    [Params(1, 2)]
    public int Threads { get; set; }

    private ProtocolThreadGroup _threads = null!;
    private InetStack _stack = null!;
    private NetKitSocket _socket = null!;
    private ReplayMsg[] _replays = null!;
    private readonly byte[] _drain = new byte[2048];

    private sealed class ReplayMsg : NetMsg
    {
        public ReplayMsg() : base(&Run) { }

        public InetStack Stack = null!;
        public byte[][] Templates = null!;
        public int Count;

        private static void Run(NetMsg message)
        {
            var replay = (ReplayMsg)message;
            var pool = ProtocolThread.Current!.Buffers;
            var templates = replay.Templates;
            for (int i = 0; i < replay.Count; i++)
            {
                var frame = pool.TryRent();
                if (frame is null) continue;
                var template = templates[i % templates.Length];
                template.CopyTo(frame.Append(template.Length));
                frame.InterfaceIndex = 0;
                replay.Stack.InputFrame(frame);
            }
            replay.Reply();
        }
    }

    /// <summary>A device that only counts and frees what the stack transmits (ARP replies, if any).</summary>
    private sealed class SinkDevice : ILinkDevice
    {
        private readonly byte[] _mac = new byte[6];
        private long _transmitted;

        public SinkDevice() => ServerMac.WriteTo(_mac);

        public string Name => "replay0";
        public int Mtu => 1500;
        public ReadOnlySpan<byte> HardwareAddress => _mac;
        public bool IsUp => false; // no gratuitous ARP: nothing but the replayed frames reaches the stack
        public void Start(NetStack stack, int interfaceIndex) { }
        public bool Transmit(PacketBuffer frame)
        {
            Interlocked.Increment(ref _transmitted);
            frame.Free();
            return true;
        }
        public long ReceivedFrames => 0;
        public long ReceiveDrops => 0;
        public long TransmittedFrames => Volatile.Read(ref _transmitted);
        public long TransmitDrops => 0;
        public void Dispose() { }
    }

    [GlobalSetup]
    public void Setup()
    {
        var cpus = CpuAffinity.AllowedCpus();
        _threads = new ProtocolThreadGroup(new ProtocolThreadOptions
        {
            ThreadCount = Threads,
            Cpus = Threads == 1 ? [cpus[^1]] : null,
        }).Start();
        _stack = new InetStack(_threads);
        _stack.AddInterface(new SinkDevice(), new InterfaceConfiguration(Server, 24));
        _socket = NetKitSocket.Create(_stack, SocketType.Datagram);
        _socket.SetOption(SockOptLevel.Socket, SockOptName.ReceiveBuffer, 8 << 20);
        _socket.Bind(SockAddr.IPv4(Server.Value, ServerPort));
        _socket.Blocking = false;

        // 256 flows from one client; each thread replays the ones that hash to it.
        var perThread = new System.Collections.Generic.List<byte[]>[Threads];
        for (int t = 0; t < Threads; t++) perThread[t] = new();
        for (ushort port = 10000; port < 10256; port++)
        {
            int thread = FlowHash.CpuOf(FlowHash.IPv4FourTuple(Client.Value, Server.Value, port, ServerPort), Threads);
            perThread[thread].Add(BuildFrame(port));
        }
        _replays = new ReplayMsg[Threads];
        for (int t = 0; t < Threads; t++) _replays[t] = new ReplayMsg { Stack = _stack, Templates = perThread[t].ToArray(), Count = TotalFrames / Threads };

        // The figure is only meaningful if every frame really reaches the application.
        int delivered = EthernetToSocketToApplication();
        if (delivered != TotalFrames) throw new InvalidOperationException($"rx replay delivered {delivered} of {TotalFrames} datagrams");
    }

    private static byte[] BuildFrame(ushort sourcePort)
    {
        var frame = new byte[14 + 20 + 8 + 64];
        new EthernetRepr(ClientMac, ServerMac, EtherType.IPv4).Emit(frame);
        new IPv4Repr(Client, Server, IpProtocol.Udp, 8 + 64).Emit(frame.AsSpan(14));
        for (int i = 0; i < 64; i++) frame[42 + i] = (byte)i;
        new UdpRepr(sourcePort, ServerPort, 64).Emit(frame.AsSpan(34), Client, Server);
        return frame;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket.Dispose();
        _threads.Dispose();
    }

    [Benchmark(OperationsPerInvoke = TotalFrames)]
    public int EthernetToSocketToApplication()
    {
        // All threads replay at once; then the application drains what they delivered.
        for (int t = 0; t < Threads; t++) _threads[t].Port.Send(_replays[t]);
        for (int t = 0; t < Threads; t++)
            while (!_replays[t].IsDone) Thread.SpinWait(16);
        int read = 0;
        while (_socket.TryReceiveFrom(_drain, out _, out _, out _) == Errno.None) read++;
        return read;
    }
}
