using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Tap;
using NetKit.Drivers.Tests.Support;
using NetKit.Drivers.Tests.Virtio;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;
using Xunit;
using Xunit.Abstractions;

namespace NetKit.Drivers.Tests.Tap;

/// <summary>
/// <see cref="TapDevice"/> against the real kernel: what it negotiates and configures on the kernel side (checked in
/// sysfs), removal on dispose, and frames both ways between the kernel's IPv4 stack and a test stack on two protocol
/// threads. Every interface has a unique name and is deleted in <see cref="Dispose"/> should a test leave it behind.
/// </summary>
public sealed class TapDeviceTests : IDisposable
{
    private readonly List<string> _names = [];
    private readonly List<TapDevice> _devices = [];
    private readonly List<ProtocolThreadGroup> _groups = [];
    private readonly PacketBufferPool _pool = new(new PacketBufferPoolOptions { BufferSize = 2048, DefaultHeadroom = 128, MaxBuffers = 1024 });
    private readonly ITestOutputHelper _output;
    private int _subnet;

    public TapDeviceTests(ITestOutputHelper output)
    {
        _output = output;
        Misuse.Reset();
    }

    /// <summary>The kernel side's address: 10.250.S.1/24; the stack's: 10.250.S.2.</summary>
    private uint KernelIp => 0x0AFA0001u | (uint)Subnet << 8;

    private uint StackIp => 0x0AFA0002u | (uint)Subnet << 8;

    private int Subnet => _subnet != 0 ? _subnet : _subnet = KernelSide.FreeSubnet();

    private static string Dotted(uint ip) => new IPAddress(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(ip))).ToString();

    public void Dispose()
    {
        try
        {
            foreach (var device in _devices) device.Dispose();
            foreach (var group in _groups) group.Dispose();
        }
        finally
        {
            foreach (var name in _names) KernelSide.Remove(name);
        }
        Assert.Equal(0, Misuse.Total);
        Assert.True(_pool.TryReleaseMemory(), "every frame the test rented came home");
    }

    private TapDevice Create(string? name = null, int mtu = 1500, bool offloads = true, bool up = true, byte[]? mac = null,
        TapReceiveMode mode = TapReceiveMode.ProtocolThread, ImpairmentOptions? receiveImpairments = null, ImpairmentOptions? transmitImpairments = null)
    {
        name ??= KernelSide.UniqueName();
        _names.Add(name);
        var device = new TapDevice(new TapDeviceOptions
        {
            Name = name, Mtu = mtu, Offloads = offloads, SetKernelSideUp = up, HardwareAddress = mac, ReceiveMode = mode,
            ReceiveImpairments = receiveImpairments ?? ImpairmentOptions.None, TransmitImpairments = transmitImpairments ?? ImpairmentOptions.None,
        });
        _devices.Add(device);
        return device;
    }

    /// <summary>A test stack on two unpinned protocol threads with <paramref name="device"/> as interface 1, running.</summary>
    private ProtocolThreadGroup Start(TapDevice device, bool startThreads = true)
    {
        var threads = new ProtocolThreadGroup(new ProtocolThreadOptions
        {
            ThreadCount = 2,
            PinThreads = false,
            Clock = NetClock.Monotonic,
            NamePrefix = "tap",
        });
        _groups.Add(threads);
        var stack = new TestStack(threads);
        device.Start(stack, interfaceIndex: 1);
        if (startThreads) threads.Start();
        return threads;
    }

    /// <summary>Gives the kernel side 10.250.S.1/24 and a permanent neighbour entry for the stack's address.</summary>
    private void Configure(TapDevice device)
    {
        KernelSide.Ip($"addr add {Dotted(KernelIp)}/24 dev {device.Name}");
        KernelSide.Ip($"neigh replace {Dotted(StackIp)} lladdr {string.Join(':', device.HardwareAddress.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))} dev {device.Name} nud permanent");
    }

    // ---- creation ----

    [TapFact]
    public void Creating_negotiates_every_offload_and_configures_the_kernel_side()
    {
        var device = Create(mtu: 1400);
        string name = device.Name;
        _output.WriteLine(device.ToString());

        var all = TapFeatures.VirtioNetHeader | TapFeatures.MultiQueue | TapFeatures.ReceiveChecksum | TapFeatures.ReceiveTso4 | TapFeatures.ReceiveTso6;
        Assert.Equal(all, device.Features); // every kernel since 3.8 grants all of them
        Assert.Equal(DeviceOffloads.TransmitChecksum | DeviceOffloads.ReceiveChecksum | DeviceOffloads.TcpSegmentation, device.Offloads);
        Assert.Equal(1400, device.Mtu);
        Assert.True(device.IsUp);
        Assert.Equal(0, device.QueueCount);

        Assert.True(KernelSide.Exists(name));
        Assert.Equal(1400, KernelSide.ReadNumber(name, "mtu"));
        Assert.True((KernelSide.ReadNumber(name, "flags") & KernelSide.IFF_UP) != 0, "IFF_UP on the kernel side");
        long tun = KernelSide.ReadNumber(name, "tun_flags");
        Assert.Equal(KernelSide.IFF_TAP | KernelSide.IFF_NO_PI | KernelSide.IFF_VNET_HDR | KernelSide.IFF_MULTI_QUEUE, tun);
        Assert.True((tun & KernelSide.IFF_PERSIST) == 0, "not persistent: closing the descriptors removes it");
    }

    [TapFact]
    public void The_kernel_side_can_be_left_down()
    {
        var device = Create(up: false);
        Assert.Equal(0, KernelSide.ReadNumber(device.Name, "flags") & KernelSide.IFF_UP);
        Assert.Equal(1500, KernelSide.ReadNumber(device.Name, "mtu"));
    }

    [TapFact]
    public void Without_offloads_there_is_no_virtio_header_and_no_offload()
    {
        var device = Create(offloads: false);
        Assert.Equal(TapFeatures.MultiQueue, device.Features);
        Assert.Equal(DeviceOffloads.None, device.Offloads);
        Assert.Equal(KernelSide.IFF_TAP | KernelSide.IFF_NO_PI | KernelSide.IFF_MULTI_QUEUE, KernelSide.ReadNumber(device.Name, "tun_flags"));
    }

    [TapFact]
    public void The_kernel_side_address_is_reported_and_the_stack_keeps_its_own()
    {
        byte[] mac = [0x02, 0x4E, 0x4B, 0x00, 0x00, 0x07];
        var device = Create(mac: mac);
        Assert.Equal(KernelSide.Address(device.Name), device.KernelHardwareAddress);
        Assert.Equal(mac, device.HardwareAddress.ToArray());
        Assert.NotEqual(mac, device.KernelHardwareAddress);

        var random = Create();
        Assert.Equal(KernelSide.Address(random.Name), random.KernelHardwareAddress);
        byte first = random.HardwareAddress[0];
        Assert.True((first & 0x01) == 0 && (first & 0x02) != 0, $"random MAC {Convert.ToHexString(random.HardwareAddress)} is unicast and locally administered");
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnop")]          // 16 bytes
    [InlineData("nkd-a-much-too-long-name")]
    [InlineData("nkd/x")]
    [InlineData("nkd x")]
    [InlineData("nkdéééééééé")]               // 11 characters, 19 bytes
    public void A_bad_name_is_refused_before_the_kernel_is_asked(string name)
    {
        var options = new TapDeviceOptions { Name = name };
        Assert.Throws<ArgumentException>(() => new TapDevice(options));
        if (name.Length > 0 && !name.Contains('/')) Assert.False(KernelSide.Exists(name));
    }

    [Fact]
    public void Other_bad_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TapDevice(new TapDeviceOptions { Name = "nkdx", HardwareAddress = [1, 2, 3] }));
        Assert.Throws<ArgumentException>(() => new TapDevice(new TapDeviceOptions { Name = "nkdx", HardwareAddress = [0x01, 0, 0x5E, 0, 0, 1] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TapDevice(new TapDeviceOptions { Name = "nkdx", Mtu = 575 }));
        Assert.Throws<ArgumentNullException>(() => new TapDevice(null!));
    }

    /// <summary>
    /// Names the kernel refuses (<c>dev_valid_name</c>: '.', '..', and any ':', '/' or white space) are as bad as the
    /// ones the options reject: they should be an <see cref="ArgumentException"/> too, not an <see cref="IOException"/>
    /// from TUNSETIFF.
    /// </summary>
    [TapTheory]
    [InlineData("nkd:0")]
    [InlineData("nkd\t0")]
    [InlineData(".")]
    [InlineData("..")]
    public void A_name_the_kernel_refuses_is_an_argument_error(string name)
    {
        var options = new TapDeviceOptions { Name = name };
        var error = Record.Exception(() => _devices.Add(new TapDevice(options)));
        Assert.True(error is ArgumentException, $"'{name}': {error?.GetType().Name ?? "no exception"}: {error?.Message}");
    }

    /// <summary>
    /// The kernel takes a name with "%d" as a template ("nkd%d" creates nkd0, nkd1...). The device must then use the
    /// name the kernel chose (TUNSETIFF writes it back into the request), or refuse such a name up front.
    /// </summary>
    [TapFact]
    public void A_name_template_is_resolved_or_refused()
    {
        string prefix = "nk" + RandomNumberGenerator.GetHexString(4, lowercase: true), template = prefix + "%d";
        TapDevice? device = null;
        Exception? error = null;
        try
        {
            device = new TapDevice(new TapDeviceOptions { Name = template });
        }
        catch (Exception e)
        {
            error = e;
        }
        finally
        {
            // Whatever the kernel made from the template (nkXXXX0) is removed in Dispose.
            foreach (var made in Directory.GetDirectories("/sys/class/net", prefix + "*").Select(d => Path.GetFileName(d)!))
                _names.Add(made);
        }
        if (device is not null)
        {
            _devices.Add(device);
            Assert.DoesNotContain('%', device.Name);
            Assert.True(KernelSide.Exists(device.Name), $"{device.Name} exists");
            return;
        }
        Assert.True(error is ArgumentException, $"'{template}': {error!.GetType().Name}: {error.Message}");
    }

    /// <summary>
    /// "Creates (or attaches to) the TAP interface": a persistent TAP made beforehand (<c>ip tuntap add</c>) is attached
    /// to, whatever queue mode it was made with, and outlives the device.
    /// </summary>
    [TapTheory("ip")]
    [InlineData("multi_queue vnet_hdr", TapFeatures.MultiQueue)]
    [InlineData("", TapFeatures.None)]   // the default of ip tuntap: a single-queue TAP
    public void An_existing_persistent_TAP_is_attached_to_and_outlives_the_device(string mode, TapFeatures queueFeature)
    {
        string name = KernelSide.UniqueName();
        _names.Add(name);
        KernelSide.Ip($"tuntap add dev {name} mode tap {mode}");
        Exception? error = Record.Exception(() => _devices.Add(new TapDevice(new TapDeviceOptions { Name = name })));
        Assert.True(error is null, $"attaching to 'ip tuntap add dev X mode tap {mode}': {error?.GetType().Name}: {error?.Message}");
        var device = _devices[^1];
        Assert.Equal(queueFeature, device.Features & TapFeatures.MultiQueue);
        Assert.True((device.Features & TapFeatures.VirtioNetHeader) != 0);
        Start(device);
        Assert.Equal(queueFeature == TapFeatures.MultiQueue ? 2 : 1, device.QueueCount);
        device.Dispose();
        Assert.True(KernelSide.Exists(name), "a persistent interface stays");
    }

    // ---- removal ----

    [TapFact]
    public void Dispose_removes_an_interface_that_was_never_started()
    {
        var device = Create();
        Assert.True(KernelSide.Exists(device.Name));
        device.Dispose();
        Assert.False(device.IsUp);
        Assert.True(KernelSide.WaitGone(device.Name), $"{device.Name} is gone");
        device.Dispose(); // twice is harmless
        var threads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, PinThreads = false });
        _groups.Add(threads);
        Assert.Throws<InvalidOperationException>(() => device.Start(new TestStack(threads), 1));
    }

    [TapTheory]
    [InlineData(true, false)]   // threads running
    [InlineData(false, false)]  // started, threads never started
    [InlineData(true, true)]    // threads stopped before the device goes
    public void Dispose_removes_a_started_interface(bool startThreads, bool stopThreadsFirst)
    {
        var device = Create();
        var threads = Start(device, startThreads);
        Assert.Equal(2, device.QueueCount);
        Assert.True(KernelSide.Exists(device.Name));
        if (stopThreadsFirst) threads.Dispose();
        device.Dispose();
        Assert.True(KernelSide.WaitGone(device.Name), $"{device.Name} is gone");
        Assert.False(device.IsUp);
        Assert.Throws<InvalidOperationException>(() => device.Start(new TestStack(threads), 1));
    }

    [TapFact]
    public void Start_attaches_one_queue_per_protocol_thread()
    {
        var device = Create();
        Start(device);
        Assert.Equal(2, device.QueueCount);
        var queues = Directory.GetDirectories(Path.Combine(KernelSide.SysPath(device.Name), "queues")).Select(d => Path.GetFileName(d)!).Order().ToArray();
        Assert.Equal(new[] { "rx-0", "rx-1", "tx-0", "tx-1" }, queues);
        Assert.Throws<InvalidOperationException>(() => device.Start(new TestStack(_groups[0]), 1));
    }

    // ---- frames from the kernel ----

    [TapTheory("ip")]
    [InlineData(TapReceiveMode.ProtocolThread)]
    [InlineData(TapReceiveMode.ReaderThread)]
    public void An_ARP_request_from_the_kernel_reaches_the_stack(TapReceiveMode mode)
    {
        var device = Create(mode: mode);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        KernelSide.Ip($"addr add {Dotted(KernelIp)}/24 dev {device.Name}");
        // No neighbour entry for .2: a datagram to it makes the kernel ask for it on the TAP.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            socket.SendTo(new byte[1], new IPEndPoint(IPAddress.Parse(Dotted(StackIp)), 9));

        Wait.Until(() => capture.Received.Any(IsArpRequestForStack), "the kernel's ARP request", 5000);
        var arp = capture.Received.First(IsArpRequestForStack);
        Assert.Equal(device.KernelHardwareAddress, arp.Bytes[6..12]);
        Assert.Equal(device.KernelHardwareAddress, arp.Bytes[22..28]); // sender hardware address
        Assert.Equal(KernelIp, BinaryPrimitives.ReadUInt32BigEndian(arp.Bytes.AsSpan(28)));
        Assert.True(device.FramesRead >= 1);
        Assert.True(device.ReceivedFrames >= 1);
        Assert.Equal(0, device.ReceiveDrops);

        bool IsArpRequestForStack(TapCapture.Frame f) =>
            f.Bytes.Length >= 42 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(12)) == 0x0806
            && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(20)) == 1
            && BinaryPrimitives.ReadUInt32BigEndian(f.Bytes.AsSpan(38)) == StackIp;
    }

    /// <summary>
    /// UDP from a kernel socket: the kernel leaves the checksum partial (the TAP offers checksum offload); the frame
    /// arrives verified and, a capture being attached, with the checksum completed. A 5000-byte datagram (MTU 9000)
    /// spills from the reader's small buffer into its large one and arrives as a chain.
    /// </summary>
    [TapTheory("ip")]
    [InlineData(TapReceiveMode.ProtocolThread, true)]
    [InlineData(TapReceiveMode.ReaderThread, true)]
    [InlineData(TapReceiveMode.ProtocolThread, false)] // no virtio header: the kernel checksums in software
    [InlineData(TapReceiveMode.ReaderThread, false)]
    public void UDP_from_the_kernel_arrives_verified_with_a_completed_checksum(TapReceiveMode mode, bool offloads)
    {
        var device = Create(mtu: 9000, mode: mode, offloads: offloads);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        Configure(device);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Dotted(KernelIp)), 0));
        var target = new IPEndPoint(IPAddress.Parse(Dotted(StackIp)), 9999);
        var small = RandomNumberGenerator.GetBytes(101);
        var large = RandomNumberGenerator.GetBytes(5000);
        socket.SendTo(small, target);
        socket.SendTo(large, target);

        Wait.Until(() => capture.Received.Count(IsOurs) == 2, "both datagrams", 5000);
        var frames = capture.Received.Where(IsOurs).OrderBy(f => f.Bytes.Length).ToArray();
        for (int i = 0; i < 2; i++)
        {
            var frame = frames[i];
            var payload = i == 0 ? small : large;
            Assert.Equal(offloads ? ChecksumState.Verified : ChecksumState.None, frame.State);
            Assert.True(Packets.TransportChecksumValid(frame.Bytes, out string detail), detail);
            Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(frame.Bytes.AsSpan(34 + 6))); // not "no checksum"
            Assert.Equal(payload, frame.Bytes[42..]);
            Assert.Equal(device.KernelHardwareAddress, frame.Bytes[6..12]);
            Assert.Equal(device.HardwareAddress.ToArray(), frame.Bytes[..6]);
        }
        Assert.Equal(1, frames[0].Buffers);
        Assert.Equal(2, frames[1].Buffers);          // small buffer + spill
        Assert.True(frames[1].FirstBufferLength >= 14 + 20 + 8, "the headers are in the first buffer");
        Assert.Equal(0, device.ReceiveDrops);

        bool IsOurs(TapCapture.Frame f) =>
            f.Bytes.Length >= 42 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(12)) == 0x0800 && f.Bytes[23] == 17
            && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(36)) == 9999;
    }

    /// <summary>
    /// A receive delay holds frames in the receive impairer (the reader thread's, whose poll timeout is the next due
    /// time; or the polling protocol thread's, released by a callout), so a held frame comes out on time with no
    /// further traffic to wake anything. Loss drops after the read, and is counted.
    /// </summary>
    [TapTheory("ip")]
    [InlineData(TapReceiveMode.ProtocolThread, false)]
    [InlineData(TapReceiveMode.ProtocolThread, true)]
    [InlineData(TapReceiveMode.ReaderThread, false)]
    [InlineData(TapReceiveMode.ReaderThread, true)]
    public void Receive_impairments_apply_between_the_read_and_the_stack(TapReceiveMode mode, bool loss)
    {
        var impairments = loss ? new ImpairmentOptions { LossProbability = 1.0 } : new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(80) };
        var device = Create(mode: mode, receiveImpairments: impairments);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        Configure(device);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Dotted(KernelIp)), 0));
        long readBefore = device.FramesRead;
        var watch = Stopwatch.StartNew();
        socket.SendTo(new byte[100], new IPEndPoint(IPAddress.Parse(Dotted(StackIp)), 9998));
        if (loss)
        {
            // Every frame read is lost (the kernel's own IPv6 chatter included): the counters must say so.
            Wait.Until(() => device.FramesRead > readBefore, "a frame read", 5000);
            var deadline = Stopwatch.StartNew();
            while (device.ReceiveImpairmentCounters.Lost == 0 && deadline.ElapsedMilliseconds < 1000) System.Threading.Thread.Sleep(5);
            var counters = device.ReceiveImpairmentCounters;
            Assert.True(counters.Lost >= 1 && counters.Offered >= counters.Lost,
                $"{device.FramesRead - readBefore} frame(s) read and none received, but ReceiveImpairmentCounters = {counters}");
            Assert.Equal(0, device.ReceivedFrames);
            Assert.DoesNotContain(capture.Received, IsOurs);
            return;
        }
        Wait.Until(() => capture.Received.Any(IsOurs), "the delayed datagram", 5000);
        long elapsed = watch.ElapsedMilliseconds;
        Assert.True(elapsed >= 70, $"arrived after {elapsed} ms, before the 80 ms delay");
        Assert.True(elapsed < 1000, $"arrived after {elapsed} ms: the reader waited for other traffic");

        static bool IsOurs(TapCapture.Frame f) =>
            f.Bytes.Length >= 42 && f.Bytes[23] == 17 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(36)) == 9998;
    }

    /// <summary>
    /// TCP from a kernel socket: the test answers the kernel's SYN by hand (no MSS option: 536-byte segments), then the
    /// kernel sends its first flight as GSO frames of several segments (TUN_F_TSO4). Each arrives in one piece with the
    /// segment size from the virtio header (spilled into the large buffer when it is large), its checksum completed for
    /// the capture.
    /// </summary>
    [TapTheory("ip")]
    [InlineData(TapReceiveMode.ProtocolThread)]
    [InlineData(TapReceiveMode.ReaderThread)]
    public void A_TCP_GSO_frame_from_the_kernel_arrives_whole_with_its_segment_size(TapReceiveMode mode)
    {
        var device = Create(mode: mode);
        Assert.True((device.Features & TapFeatures.ReceiveTso4) != 0);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        Configure(device);
        const ushort port = 8080;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse(Dotted(KernelIp)), 0));
        var connect = client.ConnectAsync(new IPEndPoint(IPAddress.Parse(Dotted(StackIp)), port));

        Wait.Until(() => capture.Received.Any(IsSyn), "the kernel's SYN", 5000);
        var syn = capture.Received.First(IsSyn).Bytes;
        int synHeader = (syn[34 + 12] >> 4) * 4;
        Assert.True(Packets.TransportChecksumValid(syn, out string synDetail), synDetail);
        ushort clientPort = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(34));
        uint isn = BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(34 + 4));
        const uint ourIsn = 5000;
        var synAck = Packets.Build(new Packets.Spec
        {
            Protocol = Packets.Tcp, Payload = 0, Checksum = Packets.Sum.Complete, SourceIp = StackIp, DestinationIp = KernelIp,
            SourcePort = port, DestinationPort = clientPort, Sequence = ourIsn, Acknowledgment = isn + 1, TcpFlags = 0x12,
            DestinationMac = device.KernelHardwareAddress, SourceMac = device.HardwareAddress.ToArray(),
        });
        Assert.True(device.Transmit(Packets.Load(_pool, synAck)));
        Assert.True(connect.Wait(5000), "the kernel's connect completed");
        Assert.True(synHeader >= 20);

        // Corked, the data is queued whole and goes out as the window allows: in GSO frames of several segments.
        var data = RandomNumberGenerator.GetBytes(20_000);
        const int IPPROTO_TCP = 6, TCP_CORK = 3;
        client.SetRawSocketOption(IPPROTO_TCP, TCP_CORK, BitConverter.GetBytes(1));
        Assert.Equal(data.Length, client.Send(data));
        client.SetRawSocketOption(IPPROTO_TCP, TCP_CORK, BitConverter.GetBytes(0));
        Wait.Until(() => capture.Received.Any(IsGso), "a GSO data frame", 5000);
        foreach (var gso in capture.Received.Where(IsGso))
        {
            Assert.Equal(536, gso.SegmentationSize);
            int headers = 34 + (gso.Bytes[34 + 12] >> 4) * 4;
            Assert.True(gso.Bytes.Length - headers > 536, $"a GSO frame of {gso.Bytes.Length} bytes carries more than one segment");
            Assert.Equal(ChecksumState.Verified, gso.State);
            Assert.True(Packets.TransportChecksumValid(gso.Bytes, out string detail), detail);
            uint sequence = BinaryPrimitives.ReadUInt32BigEndian(gso.Bytes.AsSpan(34 + 4));
            int offset = (int)(sequence - (isn + 1));
            Assert.Equal(data.AsSpan(offset, gso.Bytes.Length - headers).ToArray(), gso.Bytes[headers..]);
            Assert.True(gso.FirstBufferLength >= headers, "the headers are in the first buffer");
            if (gso.Bytes.Length > 2048) Assert.True(gso.Buffers == 2, $"a {gso.Bytes.Length}-byte frame in {gso.Buffers} buffers");
        }
        Assert.Equal(0, device.ReceiveDrops);

        bool IsSyn(TapCapture.Frame f) => IsTcpTo(f) && (f.Bytes[34 + 13] & 0x12) == 0x02;
        static bool IsGso(TapCapture.Frame f) => IsTcpTo(f) && f.SegmentationSize > 0;
        static bool IsTcpTo(TapCapture.Frame f) =>
            f.Bytes.Length >= 54 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(12)) == 0x0800 && f.Bytes[23] == 6
            && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(36)) == port;
    }

    // ---- frames to the kernel ----

    /// <summary>
    /// A UDP datagram the stack side transmits from a test (not a protocol) thread reaches a kernel socket. With a
    /// partial checksum: the virtio header asks the kernel to complete it, or — without the header — the driver
    /// completes it itself (the kernel verifies it then). A wrong checksum the frame claims is complete is dropped by
    /// the kernel: the control that shows it checks.
    /// </summary>
    [TapTheory("ip")]
    [InlineData(true, false, ChecksumState.None, true)]
    [InlineData(true, true, ChecksumState.Partial, true)]
    [InlineData(false, true, ChecksumState.Partial, true)]
    [InlineData(false, false, ChecksumState.None, true)]
    [InlineData(true, true, ChecksumState.None, false)]
    public void UDP_from_the_stack_reaches_a_kernel_socket(bool offloads, bool partialField, ChecksumState state, bool delivered)
    {
        var sum = partialField ? Packets.Sum.Partial : Packets.Sum.Complete;
        var device = Create(offloads: offloads);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        Configure(device);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Dotted(KernelIp)), 0));
        var port = (ushort)((IPEndPoint)socket.LocalEndPoint!).Port;
        long rxBefore = KernelSide.RxPackets(device.Name);

        var spec = new Packets.Spec
        {
            Protocol = Packets.Udp, Payload = 333, Checksum = sum, SourceIp = StackIp, DestinationIp = KernelIp,
            SourcePort = 5555, DestinationPort = port, DestinationMac = device.KernelHardwareAddress, SourceMac = device.HardwareAddress.ToArray(),
        };
        var bytes = Packets.Build(spec);
        var frame = Packets.Load(_pool, bytes);
        frame.ChecksumState = state;
        frame.ChecksumStart = 34;
        frame.ChecksumOffset = 6;
        Assert.True(device.Transmit(frame));

        Wait.Until(() => device.TransmittedFrames == 1, "the write", 5000);
        Wait.Until(() => KernelSide.RxPackets(device.Name) > rxBefore, "the kernel's rx_packets", 5000);
        socket.ReceiveTimeout = delivered ? 5000 : 300;
        var buffer = new byte[2048];
        int received;
        try
        {
            received = socket.Receive(buffer);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            received = -1;
        }
        if (delivered)
        {
            Assert.Equal(bytes[42..], buffer[..received]);
            var sent = Assert.Single(capture.Transmitted);
            Assert.Equal(bytes.Length, sent.Bytes.Length);
        }
        else
        {
            Assert.Equal(-1, received);
        }
        Assert.Equal(0, device.TransmitDrops);
        Assert.Equal(0, device.WriteErrors);
    }

    /// <summary>
    /// A 20 000-byte TCP segment with a partial checksum and a segmentation size (TSO) goes out with a GSO virtio header
    /// the kernel accepts; the kernel, with no socket on that port, answers it with a reset that comes back through the
    /// TAP with a checksum that verifies.
    /// </summary>
    [TapTheory("ip")]
    [InlineData(TapReceiveMode.ProtocolThread)]
    [InlineData(TapReceiveMode.ReaderThread)]
    public void A_TSO_segment_is_accepted_by_the_kernel_which_answers_with_a_reset(TapReceiveMode mode)
    {
        var device = Create(mode: mode);
        var capture = new TapCapture();
        device.Capture = capture;
        Start(device);
        Configure(device);
        long rxBefore = KernelSide.RxPackets(device.Name);
        const uint acknowledgment = 0x11223344;
        var spec = new Packets.Spec
        {
            Protocol = Packets.Tcp, Payload = 20_000, TcpOptions = 12, Checksum = Packets.Sum.Partial, SourceIp = StackIp, DestinationIp = KernelIp,
            SourcePort = 40_001, DestinationPort = 9, Sequence = 7, Acknowledgment = acknowledgment, TcpFlags = 0x10, // ACK
            DestinationMac = device.KernelHardwareAddress, SourceMac = device.HardwareAddress.ToArray(),
        };
        var frame = Packets.Load(_pool, Packets.Build(spec));
        Assert.NotNull(frame.Next);
        frame.ChecksumState = ChecksumState.Partial;
        frame.ChecksumStart = 34;
        frame.ChecksumOffset = 16;
        frame.SegmentationSize = 1448;
        Assert.True(device.Transmit(frame));

        Wait.Until(() => capture.Received.Any(IsReset), "the kernel's reset", 5000);
        var reset = capture.Received.First(IsReset);
        Assert.True(Packets.TransportChecksumValid(reset.Bytes, out string detail), detail);
        Assert.Equal(acknowledgment, BinaryPrimitives.ReadUInt32BigEndian(reset.Bytes.AsSpan(34 + 4))); // RST's seq = our ack
        Wait.Until(() => device.TransmittedFrames == 1, "the write counted", 5000); // the reply may come before writev returns
        Assert.Equal(0, device.WriteErrors);
        Assert.Equal(0, device.TransmitDrops);
        Assert.True(KernelSide.RxPackets(device.Name) > rxBefore);

        bool IsReset(TapCapture.Frame f) =>
            f.Bytes.Length >= 54 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(12)) == 0x0800 && f.Bytes[23] == 6
            && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(34)) == 9 && BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(36)) == 40_001
            && (f.Bytes[34 + 13] & 0x04) != 0;
    }

    /// <summary>A transmit delay holds the frame in the owner thread's impairer; its release callout writes it later.</summary>
    [TapFact("ip")]
    public void A_transmit_delay_holds_the_frame_and_a_callout_writes_it()
    {
        var device = Create(transmitImpairments: new ImpairmentOptions { Delay = TimeSpan.FromMilliseconds(80) });
        Start(device);
        Configure(device);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(Dotted(KernelIp)), 0));
        var spec = new Packets.Spec
        {
            Protocol = Packets.Udp, Payload = 50, Checksum = Packets.Sum.Complete, SourceIp = StackIp, DestinationIp = KernelIp,
            SourcePort = 5556, DestinationPort = (ushort)((IPEndPoint)socket.LocalEndPoint!).Port,
            DestinationMac = device.KernelHardwareAddress, SourceMac = device.HardwareAddress.ToArray(),
        };
        socket.ReceiveTimeout = 5000;
        var watch = Stopwatch.StartNew();
        Assert.True(device.Transmit(Packets.Load(_pool, Packets.Build(spec))));
        var buffer = new byte[256];
        Assert.Equal(50, socket.Receive(buffer));
        long elapsed = watch.ElapsedMilliseconds;
        Assert.True(elapsed >= 70, $"delivered after {elapsed} ms, before the 80 ms delay");
        Assert.Equal(1, device.TransmitImpairmentCounters.Delayed);
        Wait.Until(() => device.TransmittedFrames == 1, "the write counted", 5000); // the socket may see it before writev returns
    }

    [TapFact]
    public void A_broadcast_frame_from_the_stack_is_counted_by_the_kernel()
    {
        var device = Create();
        Start(device);
        long before = KernelSide.RxPackets(device.Name);
        var bytes = new byte[60];
        Support.Frames.Broadcast.CopyTo(bytes, 0);
        device.HardwareAddress.CopyTo(bytes.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(12), 0x88B5); // local experimental ethertype
        Assert.True(device.Transmit(Packets.Load(_pool, bytes)));
        Wait.Until(() => KernelSide.RxPackets(device.Name) == before + 1, "the kernel's rx_packets", 5000);
        Wait.Until(() => device.TransmittedFrames == 1, "the write counted", 5000);
    }

    [TapTheory]
    [InlineData(false, 1500)]  // too long without segmentation
    [InlineData(true, 1500)]   // segmentation asked, but no virtio header to ask the kernel with
    public void A_frame_longer_than_the_link_is_dropped_and_counted(bool segmentation, int mtu)
    {
        var device = Create(mtu: mtu, offloads: !segmentation);
        Start(device);
        var frame = Packets.Load(_pool, Packets.Build(new Packets.Spec { Payload = mtu, DestinationMac = device.KernelHardwareAddress }));
        if (segmentation)
        {
            frame.ChecksumState = ChecksumState.Partial;
            frame.ChecksumStart = 34;
            frame.ChecksumOffset = 16;
            frame.SegmentationSize = 1000;
        }
        Assert.False(device.Transmit(frame));
        Assert.Equal(1, device.TransmitDrops);
        Assert.Equal(0, device.TransmittedFrames);
    }

    [TapFact]
    public void Transmit_before_start_or_after_dispose_drops_the_frame()
    {
        var device = Create();
        Assert.False(device.Transmit(Packets.Load(_pool, new byte[60])));
        Assert.Equal(1, device.TransmitDrops);
        Start(device);
        device.Dispose();
        Assert.False(device.Transmit(Packets.Load(_pool, new byte[60])));
    }
}
