using System;
using System.Collections.Concurrent;
using System.Threading;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;

namespace NetKit.Protocols.Tests.Tcp.Scripted;

/// <summary>
/// A stack under test (10.0.0.1, one protocol thread, virtual time) whose only link is this script: every frame the
/// stack transmits is captured, and the test injects the peer's (10.0.0.2) segments byte for byte. Timers move only
/// when the test advances the clock, so retransmission, delayed ACK and persist behaviour are exact.
/// </summary>
internal sealed class ScriptedPeer : IDisposable
{
    public static readonly IPv4Address Local = IPv4Address.Parse("10.0.0.1");
    public static readonly IPv4Address Remote = IPv4Address.Parse("10.0.0.2");
    public static readonly MacAddress LocalMac = MacAddress.Parse("02:00:00:00:00:01");
    public static readonly MacAddress RemoteMac = MacAddress.Parse("02:00:00:00:00:02");

    private readonly Device _device = new();
    private readonly PacketBufferPool _pool = new(new PacketBufferPoolOptions { BufferSize = 4096 });
    private readonly object _poolGate = new();

    public ScriptedPeer()
    {
        Clock = new ManualClock(1_000_000_000);
        Threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false, Clock = Clock, NamePrefix = "scripted" }).Start();
        Stack = new InetStack(Threads);
        Stack.AddInterface(_device, new InterfaceConfiguration(Local, 24));
        // The peer announces itself, so the stack's ARP cache knows it before the first segment.
        var arp = new byte[14 + 28];
        new EthernetRepr(RemoteMac, LocalMac, EtherType.Arp).Emit(arp);
        new ArpRepr(ArpOperation.Reply, RemoteMac, Remote, LocalMac, Local).Emit(arp.AsSpan(14));
        InjectFrame(arp);
        Threads.Sync();
    }

    public ManualClock Clock { get; }
    public ProtocolThreadGroup Threads { get; }
    public InetStack Stack { get; }

    /// <summary>A segment the stack sent, parsed.</summary>
    public readonly record struct Sent(TcpRepr Tcp, byte[] Payload)
    {
        public bool Has(TcpFlags flag) => (Tcp.Flags & flag) != 0;
        public override string ToString() => $"{Tcp} payload {Payload.Length}";
    }

    /// <summary>The next TCP segment the stack transmits, or null if none comes within <paramref name="waitMs"/> real milliseconds.</summary>
    public Sent? Next(int waitMs = 2000)
    {
        var deadline = Environment.TickCount64 + waitMs;
        while (true)
        {
            while (_device.Frames.TryDequeue(out var frame))
            {
                if (frame.Length < 14 + 20 || frame[12] != 0x08 || frame[13] != 0x00) continue; // not IPv4
                int ihl = (frame[14] & 0x0F) * 4;
                if (frame[14 + 9] != (byte)IpProtocol.Tcp) continue;
                int total = frame[16] << 8 | frame[17];
                var bytes = frame.AsSpan(14 + ihl, total - ihl);
                if (TcpSegment.TryCreate(bytes, out var segment) != WireError.None) throw new InvalidOperationException("the stack sent a malformed segment");
                if (TcpRepr.TryParse(segment, Local, Remote, verifyChecksum: true, out var repr) != WireError.None)
                    throw new InvalidOperationException("the stack sent a segment with a bad checksum or options");
                return new Sent(repr, segment.Payload.ToArray());
            }
            if (Environment.TickCount64 > deadline) return null;
            Thread.Sleep(1);
        }
    }

    /// <summary>Asserts that the stack sends nothing (within <paramref name="waitMs"/> real milliseconds).</summary>
    public bool Quiet(int waitMs = 100) => Next(waitMs) is null;

    /// <summary>Injects a segment from the peer.</summary>
    public void Inject(TcpRepr repr, ReadOnlySpan<byte> payload = default)
    {
        var frame = new byte[14 + 20 + repr.HeaderLength + payload.Length];
        new EthernetRepr(RemoteMac, LocalMac, EtherType.IPv4).Emit(frame);
        new IPv4Repr(Remote, Local, IpProtocol.Tcp, repr.HeaderLength + payload.Length).Emit(frame.AsSpan(14));
        repr.Emit(frame.AsSpan(34), payload, Remote, Local);
        InjectFrame(frame);
    }

    private void InjectFrame(ReadOnlySpan<byte> bytes)
    {
        PacketBuffer? buffer;
        lock (_poolGate) buffer = _pool.TryRent();
        bytes.CopyTo(buffer!.Append(bytes.Length));
        buffer.InterfaceIndex = 0;
        Stack.Receive(buffer);
    }

    /// <summary>Moves virtual time on and lets the protocol thread run what fell due.</summary>
    public void Advance(TimeSpan by)
    {
        Clock.Advance(by);
        // A protocol thread runs due callouts after its message batch, and a callout only posts its connection's
        // message: the first sync's batch may end before the callouts run, the second may be queued before their
        // messages, and the third comes after them. Three rounds, then, before the test looks at the result.
        Threads.Sync();
        Threads.Sync();
        Threads.Sync();
    }

    public void Dispose()
    {
        Threads.Dispose();
        _pool.Dispose();
    }

    /// <summary>The link: captures transmitted frames.</summary>
    private sealed class Device : ILinkDevice
    {
        private readonly byte[] _mac = new byte[6];
        public Device() => LocalMac.WriteTo(_mac);
        public readonly ConcurrentQueue<byte[]> Frames = new();
        public string Name => "script0";
        public int Mtu => 1500;
        public ReadOnlySpan<byte> HardwareAddress => _mac;
        public bool IsUp => false; // no gratuitous ARP to script around
        public void Start(NetStack stack, int interfaceIndex) { }
        public bool Transmit(PacketBuffer frame)
        {
            var copy = new byte[frame.ChainLength];
            int at = 0;
            for (var b = frame; b is not null; b = b.Next)
            {
                b.Data.CopyTo(copy.AsSpan(at));
                at += b.Length;
            }
            Frames.Enqueue(copy);
            frame.Free();
            return true;
        }
        public long ReceivedFrames => 0;
        public long ReceiveDrops => 0;
        public long TransmittedFrames => Frames.Count;
        public long TransmitDrops => 0;
        public void Dispose() { }
    }
}
