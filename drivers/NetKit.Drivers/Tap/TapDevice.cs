using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Queues;
using NetKit.Drivers.Tap.Interop;
using NetKit.Drivers.Virtio;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;
using NetKit.Runtime.Timers;

namespace NetKit.Drivers.Tap;

/// <summary>
/// A Linux TAP interface as a multi-queue NIC: <c>IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE</c>, one queue
/// per protocol thread, with checksum and TCP segmentation offloads through the virtio-net header (the kernel fills
/// checksums and cuts 64 KiB segments into MTU-sized ones; it hands us 64 KiB GSO frames when TUNSETOFFLOAD allows).
/// Every feature is probed and the device degrades to what the kernel grants (<see cref="Features"/>).
/// <para>
/// The constructor creates the interface (so its kernel side can be configured or moved to another network namespace
/// at once); <see cref="Start"/> opens the remaining queues and starts a reader per queue. The descriptors survive a
/// move of the kernel side to another namespace; while that side is down, writes fail and are counted as drops.
/// Closing the last descriptor (<see cref="Dispose"/>) removes the interface.
/// </para>
/// </summary>
public sealed class TapDevice : ILinkDevice
{
    private const int EthernetHeaderLength = 14;
    private const int StateCreated = 0, StateRunning = 1, StateDisposed = 2;

    private readonly TapDeviceOptions _options;
    private readonly byte[] _address;
    private readonly CaptureHook _capture = new();
    private readonly Lock _gate = new();
    private readonly short _flags;
    private readonly int _firstDescriptor;
    private int _state;
    private NetStack? _stack;
    private int _interfaceIndex = -1;
    private TapQueue[] _queues = [];
    private ReceiveQueue[] _receive = [];
    private TransmitQueue<TapWireSink>[] _transmit = [];
    private long _receiveDrops, _transmitDrops;
    private long _handedOver;

    /// <summary>True when this process can create TAP interfaces; otherwise <paramref name="reason"/> says why not.</summary>
    public static bool IsAvailable(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "TAP interfaces need Linux";
            return false;
        }
        if (!File.Exists(TapControl.DevicePath))
        {
            reason = $"{TapControl.DevicePath} does not exist (no TUN/TAP driver, or not visible in this container)";
            return false;
        }
        int fd = TapControl.TryOpenDevice(out int errno);
        if (fd < 0)
        {
            reason = $"cannot open {TapControl.DevicePath}: {LibC.Describe(errno)}";
            return false;
        }
        LibC.Close(fd);
        reason = "";
        return true;
    }

    /// <summary>Creates (or attaches to) the TAP interface; throws <see cref="IOException"/> when the kernel refuses.</summary>
    public TapDevice(TapDeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!IsAvailable(out string reason)) throw new IOException(reason);
        _options = options;
        _address = options.HardwareAddress is { } mac ? (byte[])mac.Clone() : RandomLocalAddress();
        Name = options.Name;

        int fd = TapControl.TryOpenDevice(out int errno);
        if (fd < 0) throw TapControl.Failure($"open {TapControl.DevicePath}", errno);
        try
        {
            int supported = TapControl.Features(fd);
            short flags = TunConstants.IFF_TAP | TunConstants.IFF_NO_PI;
            if (options.Offloads && (supported & TunConstants.IFF_VNET_HDR) != 0) flags |= TunConstants.IFF_VNET_HDR;
            if ((supported & TunConstants.IFF_MULTI_QUEUE) != 0) flags |= TunConstants.IFF_MULTI_QUEUE;
            if (!TapControl.TryAttach(fd, options.Name, flags, out string actual, out errno))
            {
                // An existing single-queue TAP refuses a multi-queue attach (and the other way round): use its mode.
                if (errno != LibC.EINVAL || !TapControl.TryAttach(fd, options.Name, flags ^= TunConstants.IFF_MULTI_QUEUE, out actual, out int again))
                    throw TapControl.Failure($"TUNSETIFF {options.Name}", errno);
            }
            Name = actual;
            var features = TapFeatures.None;
            if ((flags & TunConstants.IFF_MULTI_QUEUE) != 0) features |= TapFeatures.MultiQueue;
            if ((flags & TunConstants.IFF_VNET_HDR) != 0)
            {
                if (TapControl.TrySetHeaderSize(fd, VirtioNetHeader.Size)) features |= TapFeatures.VirtioNetHeader;
                else
                {
                    // Without our header size the kernel would frame with 10 bytes we do not parse: start over without it.
                    LibC.Close(fd);
                    fd = TapControl.TryOpenDevice(out errno);
                    if (fd < 0) throw TapControl.Failure($"open {TapControl.DevicePath}", errno);
                    flags &= ~TunConstants.IFF_VNET_HDR;
                    Name = TapControl.Attach(fd, Name, flags);
                }
            }
            if ((features & TapFeatures.VirtioNetHeader) != 0)
            {
                // Probe from the most to the least: TSO needs CSUM (the kernel refuses TSO alone).
                if (TapControl.TrySetOffload(fd, TunConstants.TUN_F_CSUM | TunConstants.TUN_F_TSO4 | TunConstants.TUN_F_TSO6))
                    features |= TapFeatures.ReceiveChecksum | TapFeatures.ReceiveTso4 | TapFeatures.ReceiveTso6;
                else if (TapControl.TrySetOffload(fd, TunConstants.TUN_F_CSUM | TunConstants.TUN_F_TSO4))
                    features |= TapFeatures.ReceiveChecksum | TapFeatures.ReceiveTso4;
                else if (TapControl.TrySetOffload(fd, TunConstants.TUN_F_CSUM))
                    features |= TapFeatures.ReceiveChecksum;
            }
            _flags = flags;
            Features = features;
            TapControl.SetMtu(Name, options.Mtu);
            if (options.SetKernelSideUp) TapControl.SetUp(Name);
            KernelHardwareAddress = TapControl.KernelHardwareAddress(Name);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
        _firstDescriptor = fd;
    }

    /// <summary>The interface's name (a <c>%d</c> template in the options is resolved by the kernel).</summary>
    public string Name { get; }

    public int Mtu => _options.Mtu;

    public ReadOnlySpan<byte> HardwareAddress => _address;

    /// <summary>The MAC address of the kernel's side of the interface (read when it was created).</summary>
    public byte[] KernelHardwareAddress { get; }

    /// <summary>What the kernel granted.</summary>
    public TapFeatures Features { get; }

    /// <summary>"vnet-hdr multi-queue rx-csum rx-tso4 rx-tso6", for logs.</summary>
    public string NegotiatedOffloadsDescription => Describe(Features);

    /// <summary>Queues (descriptors) opened: one per protocol thread with multi-queue, else one; 0 before <see cref="Start"/>.</summary>
    public int QueueCount => Volatile.Read(ref _queues).Length;

    /// <summary>Up until disposed or until the kernel deleted the interface (its descriptors then only report errors).</summary>
    public bool IsUp
    {
        get
        {
            if (Volatile.Read(ref _state) == StateDisposed) return false;
            foreach (var queue in Volatile.Read(ref _queues))
                if (queue.IsDetached) return false;
            return true;
        }
    }

    /// <summary>
    /// With the virtio-net header the kernel completes checksums and segments our 64 KiB TCP frames; what it hands us
    /// is either verified or partial from a sender on this host (trusted as Linux does).
    /// </summary>
    public DeviceOffloads Offloads => (Features & TapFeatures.VirtioNetHeader) != 0
        ? DeviceOffloads.TransmitChecksum | DeviceOffloads.ReceiveChecksum | DeviceOffloads.TcpSegmentation
        : DeviceOffloads.None;

    /// <summary>The capture attached to both paths, or null (receive is tapped on the owner thread, transmit just before the write).</summary>
    public IFrameCapture? Capture
    {
        get => _capture.Current;
        set => _capture.Current = value;
    }

    internal NetClock Clock => _stack!.Threads.Options.Clock;

    public long ReceivedFrames => QueueSums.Sum(Volatile.Read(ref _receive), static q => q.Received);

    public long ReceiveDrops => Volatile.Read(ref _receiveDrops)
        + QueueSums.Sum(Volatile.Read(ref _receive), static q => q.Drops)
        + QueueSums.Sum(Volatile.Read(ref _queues), static q => q.MalformedFrames);

    public long TransmittedFrames => QueueSums.Sum(Volatile.Read(ref _queues), static q => q.FramesWritten);

    /// <summary>Frames whose input threw on a polling thread (counted, the thread carried on).</summary>
    public long InputFaults => QueueSums.Sum(Volatile.Read(ref _queues), static q => q.InputFaults);

    public long TransmitDrops => Volatile.Read(ref _transmitDrops)
        + QueueSums.Sum(Volatile.Read(ref _transmit), static q => q.Drops)
        + QueueSums.Sum(Volatile.Read(ref _queues), static q => q.WriteErrors + q.RefusedFrames);

    /// <summary>Frames read from the kernel (before receive impairments).</summary>
    public long FramesRead => QueueSums.Sum(Volatile.Read(ref _queues), static q => q.FramesRead);

    /// <summary>
    /// Protocol-thread mode: frames read on one thread's queue that belong to another thread's flow and were handed over
    /// (a flow's first packets, before the kernel has seen it written on its owner's queue, and thread-0 traffic).
    /// </summary>
    public long FramesHandedOver => Volatile.Read(ref _handedOver);

    /// <summary>Writes the kernel refused (EIO while its side is down, ENOBUFS); counted in <see cref="TransmitDrops"/>.</summary>
    public long WriteErrors => QueueSums.Sum(Volatile.Read(ref _queues), static q => q.WriteErrors);

    /// <summary>Times a reader found its buffer pools empty and left frames in the kernel's queue.</summary>
    public long ReceiveBufferShortages => QueueSums.Sum(Volatile.Read(ref _queues), static q => q.BufferShortages);

    // Reader threads impair in the queue; polling protocol threads in the queue's ImpairedReceive.
    public ImpairmentCounters ReceiveImpairmentCounters => QueueSums.Sum(Volatile.Read(ref _queues),
        static q => q.ImpairedReceive is { } impaired ? impaired.Impairer.Counters : q.ReceiveImpairments);

    public ImpairmentCounters TransmitImpairmentCounters => QueueSums.Sum(Volatile.Read(ref _transmit), static q => q.Impairer.Counters);

    public void Start(NetStack stack, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        lock (_gate)
        {
            if (_state != StateCreated) throw new InvalidOperationException($"{Name} was already started or disposed.");
            var threads = stack.Threads;
            int queueCount = (Features & TapFeatures.MultiQueue) != 0 ? threads.Count : 1;
            bool header = (Features & TapFeatures.VirtioNetHeader) != 0;
            var queues = new TapQueue[queueCount];
            queues[0] = new TapQueue(this, _firstDescriptor, 0, header, _options.ReceiveImpairments);
            try
            {
                for (int i = 1; i < queueCount; i++)
                {
                    int fd = TapControl.TryOpenDevice(out int errno);
                    if (fd < 0) throw TapControl.Failure($"open {TapControl.DevicePath}", errno);
                    try
                    {
                        TapControl.Attach(fd, Name, _flags);
                        queues[i] = new TapQueue(this, fd, i, header, _options.ReceiveImpairments);
                    }
                    catch
                    {
                        LibC.Close(fd);
                        throw;
                    }
                }
            }
            catch
            {
                for (int i = 1; i < queueCount; i++) queues[i]?.CloseDescriptors();
                queues[0].CloseWakeDescriptor(); // the first queue's descriptor stays: Dispose closes it
                throw;
            }
            var receive = new ReceiveQueue[threads.Count];
            var transmit = new TransmitQueue<TapWireSink>[threads.Count];
            for (int i = 0; i < threads.Count; i++)
            {
                receive[i] = new ReceiveQueue(stack, i, _options.ReceiveQueueCapacity, _options.ReceiveBatch, _capture);
                transmit[i] = new TransmitQueue<TapWireSink>(threads[i], new Impairer(_options.TransmitImpairments, i),
                    new TapWireSink(this, queues[i % queueCount]));
            }
            _stack = stack;
            _interfaceIndex = interfaceIndex;
            Volatile.Write(ref _receive, receive);
            Volatile.Write(ref _transmit, transmit);
            Volatile.Write(ref _queues, queues);
            Volatile.Write(ref _state, StateRunning);
            if (_options.ReceiveMode == TapReceiveMode.ReaderThread)
            {
                foreach (var queue in queues) queue.StartReader();
                return;
            }
            // Queue i is polled by thread i (with fewer queues than threads, by the first ones).
            for (int i = 0; i < queues.Length; i++)
            {
                if (!_options.ReceiveImpairments.IsPassThrough)
                    queues[i].ImpairedReceive = new TransmitQueue<TapReceiveSink>(threads[i], new Impairer(_options.ReceiveImpairments, 1000 + i), new TapReceiveSink(this));
                threads[i].AddPollSource(queues[i]);
            }
        }
    }

    public bool Transmit(PacketBuffer frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (Volatile.Read(ref _state) == StateRunning && TransmitQueue<TapWireSink>.OfCurrentThread(_transmit) is { } queue)
            return queue.TransmitOrDrop(frame, FitsTheLink(frame));
        if (Volatile.Read(ref _state) != StateRunning || !FitsTheLink(frame) || _stack is not { Threads.IsRunning: true } stack
            || !OwnerThreadTransmit.Post(stack, this, frame))
        {
            Interlocked.Increment(ref _transmitDrops);
            frame.Free();
            return false;
        }
        return true;
    }

    // An MTU-sized frame, or a TCP segment the kernel will cut (at most a 64 KiB IP packet).
    private bool FitsTheLink(PacketBuffer frame)
    {
        int length = frame.ChainLength;
        if (length <= _options.Mtu + EthernetHeaderLength) return true;
        return frame.SegmentationSize > 0 && (Features & TapFeatures.VirtioNetHeader) != 0 && length <= 65535 + EthernetHeaderLength;
    }

    /// <summary>End of the transmit path (owner thread of a transmit queue).</summary>
    internal void WriteToKernel(TapQueue queue, PacketBuffer frame) =>
        queue.Write(frame, _capture, _options.Mtu + EthernetHeaderLength);

    /// <summary>Protocol thread polling its queue: a frame of a flow it owns is input at once, others are queued to their owner.</summary>
    internal void InputOnOwner(PacketBuffer frame)
    {
        VirtioOffloads.ResolvePartial(frame, complete: _capture.Current is not null);
        int thread = _stack!.SelectThread(frame);
        frame.InterfaceIndex = _interfaceIndex;
        var receive = _receive;
        // Straight in, unless older frames wait in the ring (handed over before the kernel moved the flow to this
        // queue): they go first, so a flow keeps its order.
        if (thread == ProtocolThread.Current!.Index && !receive[thread].IsScheduled) receive[thread].InputNow(frame);
        else
        {
            Interlocked.Increment(ref _handedOver);
            receive[thread].Enqueue(frame);
        }
    }

    /// <summary>Reader thread: a frame from the kernel goes to the receive queue of the protocol thread owning its flow.</summary>
    internal void Steer(PacketBuffer frame)
    {
        if (Volatile.Read(ref _state) != StateRunning)
        {
            Interlocked.Increment(ref _receiveDrops);
            frame.Free();
            return;
        }
        VirtioOffloads.ResolvePartial(frame, complete: _capture.Current is not null);
        int thread = _stack!.SelectThread(frame);
        frame.InterfaceIndex = _interfaceIndex;
        _receive[thread].Enqueue(frame);
    }

    /// <summary>
    /// Stops receiving, frees every queued and held frame (on the owner threads while they run), and closes the
    /// descriptors, which removes the interface. Call it from a non-protocol thread, while the stack's threads still
    /// run or after they stopped.
    /// </summary>
    public void Dispose()
    {
        int previous;
        lock (_gate)
        {
            previous = _state;
            if (previous == StateDisposed) return;
            Volatile.Write(ref _state, StateDisposed);
        }
        if (previous == StateCreated)
        {
            LibC.Close(_firstDescriptor);
            return;
        }
        var queues = _queues;
        var threads = _stack!.Threads;
        foreach (var queue in queues)
        {
            queue.StopReceiving();
            if (_options.ReceiveMode == TapReceiveMode.ProtocolThread) threads[queue.Index].RemovePollSource(queue);
        }
        foreach (var queue in _receive) queue.Close();
        // Once every thread ran the teardown (or stopped), none is inside a queue's poll or asleep on its descriptor.
        bool done = QueueTeardown<TapWireSink>.Run(threads, _receive, _transmit, (thread, onOwner) =>
        {
            if (thread >= queues.Length) return;
            if (queues[thread].ImpairedReceive is { } impaired)
            {
                if (onOwner) impaired.Flush();
                else impaired.FlushStopped();
            }
            queues[thread].ReleaseOwnerBuffers();
        });
        // From a protocol thread the teardown is still on its way: the descriptors stay open (the process is ending,
        // or the caller broke the rule above); closing them under a polling thread could hit a reused number.
        if (done) foreach (var queue in queues) queue.CloseDescriptors();
    }

    private static byte[] RandomLocalAddress()
    {
        var mac = new byte[6];
        RandomNumberGenerator.Fill(mac);
        mac[0] = (byte)((mac[0] & 0xFE) | 0x02); // unicast, locally administered
        return mac;
    }

    private static string Describe(TapFeatures features)
    {
        if (features == TapFeatures.None) return "none";
        var parts = new System.Collections.Generic.List<string>();
        if ((features & TapFeatures.VirtioNetHeader) != 0) parts.Add("vnet-hdr tx-csum tso");
        if ((features & TapFeatures.MultiQueue) != 0) parts.Add("multi-queue");
        if ((features & TapFeatures.ReceiveChecksum) != 0) parts.Add("rx-csum");
        if ((features & TapFeatures.ReceiveTso4) != 0) parts.Add("rx-tso4");
        if ((features & TapFeatures.ReceiveTso6) != 0) parts.Add("rx-tso6");
        return string.Join(' ', parts);
    }

    public override string ToString() => $"{Name} ({Convert.ToHexString(_address)}) tap [{NegotiatedOffloadsDescription}]";
}
