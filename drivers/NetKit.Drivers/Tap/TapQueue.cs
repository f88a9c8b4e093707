using System;
using System.Threading;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Tap.Interop;
using NetKit.Drivers.Virtio;
using NetKit.Drivers.Queues;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Tap;

/// <summary>
/// One queue (file descriptor) of a multi-queue TAP. Transmit: protocol thread <i>i</i> writes queue <i>i</i> with one
/// <c>writev</c> per frame (virtio-net header + the frame's buffers, no copy). Receive reads frames with <c>readv</c>
/// straight into packet buffers — a small buffer for headers and small frames plus a 64 KiB one a GSO frame spills
/// into — in one of two ways (<see cref="TapReceiveMode"/>):
/// <list type="bullet">
/// <item>the owner protocol thread polls the queue itself on every loop pass and sleeps on its descriptor
/// (<see cref="IPollSource"/>); a frame of a flow it owns is input at once, others are queued to their owner. The kernel
/// learns which queue a flow is written on (tun's flow table) and sends its packets back there, so after a flow's first
/// packet nearly every frame arrives on its owner's queue;</item>
/// <item>a reader thread per queue waits in <c>poll</c> and queues every frame to its flow's owner. It owns the receive
/// impairer; its poll timeout is the impairer's next due time, so held frames need no timer.</item>
/// </list>
/// </summary>
internal sealed unsafe class TapQueue : IPollSource
{
    private const int ReadBudget = 64;          // frames per wake-up before polling again
    private const int MaxTransmitPieces = 128;   // iovecs per frame: a 64 KiB segment of 2 KiB buffers needs 34
    private const int SmallBufferSize = 2048;   // reader-thread pools; the protocol thread reads into its own pool
    private const int SmallHeadroom = 64;
    private const int LargeBufferSize = 65536;   // with the small buffer's room: any 65535-byte IP packet + Ethernet

    private readonly TapDevice _device;
    private readonly int _fd;
    private readonly int _wake;   // eventfd: Stop rings it to get the reader out of poll
    private readonly bool _header;
    private readonly Impairer _receiveImpairer;
    private Thread? _reader;
    private volatile bool _stopping;
    private volatile bool _detached;

    private long _read, _readErrors, _malformed, _noBuffers;   // reader thread
    private long _written, _writeErrors, _refused;              // transmit queues (several threads share one queue without multi-queue)
    private long _inputFaults;

    public TapQueue(TapDevice device, int fd, int index, bool header, ImpairmentOptions receiveImpairments)
    {
        _device = device;
        _fd = fd;
        Index = index;
        _header = header;
        _receiveImpairer = new Impairer(receiveImpairments, 1000 + index);
        _wake = LibC.EventDescriptor(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (_wake < 0) throw TapControl.Failure("eventfd", LibC.LastError);
    }

    public int Index { get; }

    /// <summary>Protocol-thread mode with receive impairments: the queue (impairer + release callout) frames pass through.</summary>
    public TransmitQueue<TapReceiveSink>? ImpairedReceive { get; set; }

    int IPollSource.Descriptor => _fd;

    int IPollSource.Poll(int budget) => PollOnOwner(budget, ImpairedReceive);

    public int Descriptor => _fd;

    public long FramesRead => Volatile.Read(ref _read);
    public long ReadErrors => Volatile.Read(ref _readErrors);
    public long MalformedFrames => Volatile.Read(ref _malformed);
    public long BufferShortages => Volatile.Read(ref _noBuffers);
    public long FramesWritten => Volatile.Read(ref _written);
    public long WriteErrors => Volatile.Read(ref _writeErrors);
    public long RefusedFrames => Volatile.Read(ref _refused);
    public long InputFaults => Volatile.Read(ref _inputFaults);
    public ImpairmentCounters ReceiveImpairments => _receiveImpairer.Counters;

    /// <summary>True once the kernel detached the queue (its interface was deleted): nothing more will arrive.</summary>
    public bool IsDetached => _detached;

    /// <summary>True once <see cref="StopReceiving"/> was called.</summary>
    public bool IsStopping => _stopping;

    public void StartReader()
    {
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tap-rx{Index}" };
        _reader.Start();
    }

    /// <summary>Stops receiving: the reader thread (waited for) or polls on the owner thread; descriptors stay open.</summary>
    public void StopReceiving()
    {
        _stopping = true;
        ulong one = 1;
        LibC.Write(_wake, &one, sizeof(ulong));
        _reader?.Join();
    }

    public void CloseDescriptors()
    {
        LibC.Close(_fd);
        CloseWakeDescriptor();
    }

    public void CloseWakeDescriptor() => LibC.Close(_wake);

    // ---- transmit (owner protocol thread) ----

    /// <summary>Writes one frame to the kernel and frees it. Errors (EIO while the kernel side is down) are counted drops.</summary>
    public void Write(PacketBuffer frame, CaptureHook capture, int maxFrame)
    {
        VirtioNetHeader header = default;
        bool ok;
        if (_header) ok = VirtioOffloads.TryDescribeTransmit(frame, out header);
        else
        {
            // No header to ask the kernel with: finish the checksum here; a frame needing segmentation cannot go.
            PartialChecksum.Complete(frame);
            ok = frame.SegmentationSize == 0 || frame.ChainLength <= maxFrame;
        }
        if (!ok)
        {
            Interlocked.Increment(ref _refused);
            frame.Free();
            return;
        }
        capture.Capture(CaptureDirection.Transmit, frame);
        IoVector* pieces = stackalloc IoVector[MaxTransmitPieces];
        int count = 0;
        if (_header) pieces[count++] = new IoVector(&header, VirtioNetHeader.Size);
        for (var b = frame; b is not null; b = b.Next)
        {
            if (b.Length == 0) continue;
            if (count == MaxTransmitPieces)
            {
                Interlocked.Increment(ref _refused);
                frame.Free();
                return;
            }
            pieces[count++] = new IoVector(b.Pointer + b.Offset, b.Length);
        }
        nint written;
        do written = LibC.WriteVector(_fd, pieces, count);
        while (written < 0 && LibC.LastError == LibC.EINTR);
        if (written < 0) Interlocked.Increment(ref _writeErrors);
        else Interlocked.Increment(ref _written);
        frame.Free();
    }

    // ---- receive ----

    private enum ReadResult { Frame, Empty, NoBuffers, Error, Skipped }

    /// <summary>
    /// Reads one frame with <c>readv</c>: the virtio-net header into <paramref name="header"/>, the frame into
    /// <paramref name="head"/> (a small buffer at its pool's headroom) spilling into <paramref name="spill"/> (64 KiB)
    /// when it is a GSO frame. The buffers a frame used are handed over in <paramref name="frame"/> and set to null.
    /// </summary>
    private ReadResult ReadOne(PacketBufferPool small, PacketBufferPool large, ref PacketBuffer? head, ref PacketBuffer? spill, out PacketBuffer? frame)
    {
        frame = null;
        head ??= small.TryRent();
        spill ??= large.TryRent();
        if (head is null || spill is null)
        {
            // The stack still holds every buffer: leave frames in the kernel's queue (it drops and counts beyond its
            // length) and look again shortly.
            Interlocked.Increment(ref _noBuffers);
            return ReadResult.NoBuffers;
        }
        VirtioNetHeader header = default;
        IoVector* pieces = stackalloc IoVector[3];
        int count = 0;
        if (_header) pieces[count++] = new IoVector(&header, VirtioNetHeader.Size);
        int headroom = head.Headroom;
        int headRoom = head.Capacity - headroom;
        pieces[count++] = new IoVector(head.Pointer + headroom, headRoom);
        pieces[count++] = new IoVector(spill.Pointer, spill.Capacity);
        nint read = LibC.ReadVector(_fd, pieces, count);
        if (read < 0)
        {
            int errno = LibC.LastError;
            if (errno == LibC.EAGAIN) return ReadResult.Empty;
            if (errno == LibC.EINTR) return ReadResult.Skipped;
            Interlocked.Increment(ref _readErrors);
            if (errno == LibC.EBADFD) _detached = true; // permanent: poll(2) would report POLLERR for ever
            return ReadResult.Error;
        }
        int length = (int)read - (_header ? VirtioNetHeader.Size : 0);
        if (length < 14)
        {
            Interlocked.Increment(ref _malformed);
            return ReadResult.Skipped; // both buffers stay for the next read
        }
        var received = head;
        head = null;
        if (length <= headRoom) received.SetData(headroom, length);
        else
        {
            received.SetData(headroom, headRoom);
            spill.SetData(0, length - headRoom);
            received.Next = spill;
            spill = null;
        }
        if (_header && !VirtioOffloads.TryApplyReceive(header, received))
        {
            Interlocked.Increment(ref _malformed);
            received.Free();
            return ReadResult.Skipped;
        }
        Interlocked.Increment(ref _read);
        frame = received;
        return ReadResult.Frame;
    }

    private static PacketBufferPool LargePool() =>
        new(new PacketBufferPoolOptions { BufferSize = LargeBufferSize, DefaultHeadroom = 0, MaxBuffers = 512, BuffersPerSlab = 8 });

    // -- serviced by the owner protocol thread (IPollSource) --

    private PacketBufferPool? _ownerLarge;
    private PacketBuffer? _ownerHead, _ownerSpill;

    /// <summary>Owner protocol thread: reads up to <paramref name="budget"/> frames and hands each to its flow's thread.</summary>
    public int PollOnOwner(int budget, TransmitQueue<TapReceiveSink>? impaired)
    {
        if (_stopping) return 0;
        var small = ProtocolThread.Current!.Buffers;
        var large = _ownerLarge ??= LargePool(); // made on the owner thread: owned by it
        int frames = 0;
        for (int i = 0; i < budget; i++)
        {
            var result = ReadOne(small, large, ref _ownerHead, ref _ownerSpill, out var frame);
            if (result == ReadResult.Frame)
            {
                frames++;
                try
                {
                    if (impaired is null) _device.InputOnOwner(frame!);
                    else impaired.Transmit(frame!);
                }
                catch (Exception)
                {
                    // A protocol fault on one frame (counted) must not skip this pass's rollups (ACK flush, transmit
                    // kick) for the frames already input, nor leave the rest of the queue unread.
                    Interlocked.Increment(ref _inputFaults);
                }
                continue;
            }
            if (result == ReadResult.NoBuffers && frames == 0)
            {
                // Every buffer is lent out (to sockets that do not read): the descriptor stays readable, so sleeping
                // on it would return at once. Pause a millisecond instead of spinning; messages still run in between.
                Thread.Sleep(1);
            }
            if (result != ReadResult.Skipped) break;
        }
        // The interface is gone: stop polling (and sleeping on) a descriptor that will only ever report an error.
        if (_detached) ProtocolThread.Current!.RemovePollSource(this);
        return frames;
    }

    /// <summary>Owner protocol thread (or any once it stopped): frees the buffers kept for the next read.</summary>
    public void ReleaseOwnerBuffers()
    {
        _ownerHead?.Free();
        _ownerSpill?.Free();
        _ownerHead = _ownerSpill = null;
    }

    // -- serviced by a reader thread --

    private void ReadLoop()
    {
        // Pools made here are owned by this thread: renting takes no atomics; buffers the stack frees come home
        // through the pools' lock-free inboxes.
        var small = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = SmallBufferSize, DefaultHeadroom = SmallHeadroom, MaxBuffers = 16384 });
        var large = LargePool();
        var clock = _device.Clock;
        var sink = new TapReceiveSink(_device);
        PollDescriptor* poll = stackalloc PollDescriptor[2];
        poll[0].Descriptor = _fd;
        poll[0].Events = PollDescriptor.POLLIN;
        poll[1].Descriptor = _wake;
        poll[1].Events = PollDescriptor.POLLIN;
        PacketBuffer? head = null, spill = null;
        int timeout = -1;
        try
        {
            while (!_stopping)
            {
                poll[0].ReturnedEvents = poll[1].ReturnedEvents = 0;
                int ready = LibC.Poll(poll, 2, timeout);
                if (_stopping) break;
                if (ready < 0 && LibC.LastError != LibC.EINTR)
                {
                    Interlocked.Increment(ref _readErrors);
                    Thread.Sleep(1);
                }
                timeout = -1;
                for (int i = 0; i < ReadBudget; i++)
                {
                    var result = ReadOne(small, large, ref head, ref spill, out var frame);
                    if (result == ReadResult.Frame)
                    {
                        if (_receiveImpairer.IsPassThrough) sink.Deliver(frame!);
                        else _receiveImpairer.Offer(frame!, clock.NowNanoseconds, ref sink);
                        continue;
                    }
                    if (result == ReadResult.Skipped) continue;
                    if (_detached) return; // the interface is gone: nothing more will arrive
                    if (result == ReadResult.NoBuffers) Thread.Sleep(1); // the descriptor stays readable: poll would not wait
                    else if (result == ReadResult.Error) timeout = 10; // e.g. while the interface is torn down: do not spin
                    break;
                }
                if (!_receiveImpairer.IsPassThrough)
                {
                    long now = clock.NowNanoseconds;
                    _receiveImpairer.Release(now, ref sink);
                    long due = _receiveImpairer.NextDue;
                    if (due != long.MaxValue)
                    {
                        int wait = (int)Math.Clamp((due - now + 999_999) / 1_000_000, 0, 1000);
                        timeout = timeout < 0 ? wait : Math.Min(timeout, wait);
                    }
                }
            }
        }
        finally
        {
            head?.Free();
            spill?.Free();
            _receiveImpairer.Flush();
            small.Dispose(); // releases the memory now if every buffer is home, else when the last one is collected
            large.Dispose();
        }
    }
}
