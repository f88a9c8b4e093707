using System;
using System.Collections.Generic;
using System.Threading;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Queues;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Memory;

/// <summary>
/// A NIC on a <see cref="MemoryLink"/>, multi-queue like an RSS NIC. Receive: the sending thread steers each frame
/// with the receiving stack's <see cref="NetStack.SelectThread"/>, stamps the interface index and puts it on that
/// thread's <see cref="ReceiveQueue"/> (lock-free, several senders at once); the owner drains in batches, woken by a
/// doorbell only when the queue was idle. Transmit: protocol thread <i>i</i> uses transmit queue <i>i</i> with its own
/// <see cref="Impairer"/>, whose held frames a callout on that thread releases. Steady state allocates nothing.
/// A frame transmitted from a thread that is not one of the stack's protocol threads goes through
/// <see cref="OwnerThreadTransmit"/>.
/// </summary>
public sealed unsafe class MemoryInterface : ILinkDevice
{
    /// <summary>Ethernet header bytes, allowed on top of the MTU.</summary>
    public const int HeaderLength = 14;

    private const int StateCreated = 0, StateRunning = 1, StateDisposed = 2;

    private readonly byte[] _address;
    private readonly MemoryInterfaceOptions _options;
    private readonly CaptureHook _capture = new();
    private readonly Lock _gate = new(); // start and dispose only
    private int _state;
    private volatile bool _adminUp = true;
    private NetStack? _stack;
    private int _interfaceIndex = -1;
    private ReceiveQueue[] _receive = [];
    private TransmitQueue<MemoryWireSink>[] _transmit = [];
    private long _receiveDrops, _transmitDrops; // drops off the queues (not started, down, disposed): Interlocked

    /// <summary>Creates the interface and attaches it to <paramref name="link"/>.</summary>
    public MemoryInterface(MemoryLink link, string name, ReadOnlySpan<byte> hardwareAddress, MemoryInterfaceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(name);
        if (hardwareAddress.Length != 6)
            throw new ArgumentException("a MAC address has 6 bytes.", nameof(hardwareAddress));
        _options = options ?? new MemoryInterfaceOptions();
        _options.Validate();
        Link = link;
        Name = name;
        _address = hardwareAddress.ToArray();
        AddressKey = MemoryLink.AddressKey(_address);
        link.Attach(this);
    }

    public MemoryLink Link { get; }

    public string Name { get; }

    public int Mtu => _options.Mtu;

    public ReadOnlySpan<byte> HardwareAddress => _address;

    internal ulong AddressKey { get; }

    /// <summary>Administrative state (ifconfig up/down): while false the interface drops what it sends and receives.</summary>
    public bool AdminUp
    {
        get => _adminUp;
        set => _adminUp = value;
    }

    /// <summary>Up when administratively up, the link is up and the interface is not disposed.</summary>
    public bool IsUp => _adminUp && Link.IsUp && Volatile.Read(ref _state) != StateDisposed;

    /// <summary>
    /// The capture attached to both paths, or null. Receive is tapped on the owner thread just before input, transmit
    /// as the frame goes on the link (after impairments).
    /// </summary>
    public IFrameCapture? Capture
    {
        get => _capture.Current;
        set => _capture.Current = value;
    }

    /// <summary>The stack frames are delivered to, once started.</summary>
    public NetStack? Stack => Volatile.Read(ref _state) == StateCreated ? null : _stack;

    /// <summary>The index stamped on received frames (<see cref="PacketBuffer.InterfaceIndex"/>), once started.</summary>
    public int InterfaceIndex => _interfaceIndex;

    public long ReceivedFrames => QueueSums.Sum(Volatile.Read(ref _receive), static q => q.Received);

    public long ReceiveDrops => Volatile.Read(ref _receiveDrops) + QueueSums.Sum(Volatile.Read(ref _receive), static q => q.Drops);

    public long TransmittedFrames => QueueSums.Sum(Volatile.Read(ref _transmit), static q => q.Transmitted);

    /// <summary>Checksum offload both ways when <see cref="MemoryInterfaceOptions.ChecksumOffload"/> is set.</summary>
    public DeviceOffloads Offloads => _options.ChecksumOffload ? DeviceOffloads.TransmitChecksum | DeviceOffloads.ReceiveChecksum : DeviceOffloads.None;

    public long TransmitDrops => Volatile.Read(ref _transmitDrops) + QueueSums.Sum(Volatile.Read(ref _transmit), static q => q.Drops);

    /// <summary>Frames handed to the stack by receive queue <paramref name="thread"/>.</summary>
    public long ReceivedOn(int thread) => Volatile.Read(ref _receive)[thread].Received;

    /// <summary>Doorbells rung (messages sent to wake a receive queue's owner): far fewer than frames under load.</summary>
    public long Doorbells => QueueSums.Sum(Volatile.Read(ref _receive), static q => q.Doorbells);

    /// <summary>True when no received frame is queued and no doorbell is owed (a snapshot, for tests and diagnostics).</summary>
    public bool IsReceiveIdle
    {
        get
        {
            foreach (var queue in Volatile.Read(ref _receive))
                if (queue.Pending != 0 || queue.IsScheduled) return false;
            return true;
        }
    }

    /// <summary>Frames the transmit queues' impairers hold (a snapshot of values their owner threads write).</summary>
    public int HeldTransmitFrames => (int)QueueSums.Sum(Volatile.Read(ref _transmit), static q => (long)q.Impairer.HeldFrames);

    /// <summary>The impairers' counters summed over the transmit queues.</summary>
    public ImpairmentCounters ImpairmentCounters => QueueSums.Sum(Volatile.Read(ref _transmit), static q => q.Impairer.Counters);

    public void Start(NetStack stack, int interfaceIndex)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentOutOfRangeException.ThrowIfNegative(interfaceIndex);
        lock (_gate)
        {
            if (_state != StateCreated)
                throw new InvalidOperationException($"{Name} was already started or disposed.");
            var threads = stack.Threads;
            var receive = new ReceiveQueue[threads.Count];
            var transmit = new TransmitQueue<MemoryWireSink>[threads.Count];
            for (int i = 0; i < threads.Count; i++)
            {
                receive[i] = new ReceiveQueue(stack, i, _options.ReceiveQueueCapacity, _options.ReceiveBatch, _capture);
                transmit[i] = new TransmitQueue<MemoryWireSink>(threads[i], new Impairer(_options.Impairments, i), new MemoryWireSink(this));
            }
            _stack = stack;
            _interfaceIndex = interfaceIndex;
            Volatile.Write(ref _receive, receive);
            Volatile.Write(ref _transmit, transmit);
            Volatile.Write(ref _state, StateRunning); // publishes everything above to senders that read the state first
        }
    }

    public bool Transmit(PacketBuffer frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (Volatile.Read(ref _state) == StateRunning && TransmitQueue<MemoryWireSink>.OfCurrentThread(_transmit) is { } queue)
            return queue.TransmitOrDrop(frame, _adminUp && Link.IsUp && frame.ChainLength <= _options.Mtu + HeaderLength);
        return TransmitFromElsewhere(frame);
    }

    // Not on one of the stack's protocol threads: hand the frame to the thread owning its flow.
    private bool TransmitFromElsewhere(PacketBuffer frame)
    {
        if (Volatile.Read(ref _state) != StateRunning || !_adminUp || !Link.IsUp ||
            frame.ChainLength > _options.Mtu + HeaderLength || _stack is not { Threads.IsRunning: true } stack ||
            !OwnerThreadTransmit.Post(stack, this, frame))
            return DropTransmit(frame);
        return true;
    }

    private bool DropTransmit(PacketBuffer frame)
    {
        Interlocked.Increment(ref _transmitDrops);
        frame.Free();
        return false;
    }

    /// <summary>End of the transmit path (owner thread of a transmit queue): tap, then the link.</summary>
    internal void PutOnWire(PacketBuffer frame)
    {
        _capture.Capture(CaptureDirection.Transmit, frame);
        Link.Forward(frame, this);
    }

    /// <summary>Start of the receive path, on the sender's thread: steer, stamp, queue.</summary>
    internal void Deliver(PacketBuffer frame)
    {
        if (Volatile.Read(ref _state) != StateRunning || !_adminUp)
        {
            Interlocked.Increment(ref _receiveDrops);
            frame.Free();
            return;
        }
        // A frame whose checksum the sender left to the link: vouched for here, or completed in software for a
        // receiver without the offload (what the sending NIC would have done).
        if (frame.ChecksumState == ChecksumState.Partial)
        {
            if (_options.ChecksumOffload) frame.ChecksumState = ChecksumState.Verified;
            else PartialChecksum.Complete(frame);
        }
        // The receiving NIC puts a frame in one buffer, whatever the sender's scatter-gather list looked like.
        if (FrameCopy.Linearize(frame) is not { } contiguous)
        {
            Interlocked.Increment(ref _receiveDrops);
            return;
        }
        frame = contiguous;
        int thread = _stack!.SelectThread(frame);
        frame.InterfaceIndex = _interfaceIndex;
        _receive[thread].Enqueue(frame);
    }

    /// <summary>
    /// Detaches from the link and frees every queued and held frame. Call it from a non-protocol thread while the
    /// stack's threads run (it waits for the senders and the queue owners) or after they stopped; from a protocol
    /// thread it cannot wait, so it only asks the owners to free their queues. Not concurrently with stopping them.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_state == StateDisposed) return;
            Volatile.Write(ref _state, StateDisposed);
        }
        Interlocked.MemoryBarrier();
        var attached = Link.Detach(this);
        var receive = _receive;
        foreach (var queue in receive) queue.Close();
        bool canWait = ProtocolThread.Current is null;
        if (canWait)
        {
            // Senders are protocol threads of the stacks on this link and may have read the interface list before the
            // detach. Once each of their groups has run a no-op message on every thread, none is still delivering here.
            var synced = new HashSet<ProtocolThreadGroup>();
            foreach (var device in attached)
            {
                if (device.Stack?.Threads is { IsRunning: true } group && synced.Add(group)) group.Sync();
            }
        }
        if (_stack is { } stack) QueueTeardown<MemoryWireSink>.Run(stack.Threads, receive, _transmit);
    }

    public override string ToString() => $"{Name} ({Convert.ToHexString(_address)}) on {Link.Name}";
}
