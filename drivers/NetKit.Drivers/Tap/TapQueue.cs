using System;
using System.Threading;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Tap.Interop;
using NetKit.Drivers.Virtio;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Tap;

/// <summary>
/// One queue (file descriptor) of a multi-queue TAP. Transmit: protocol thread <i>i</i> writes queue <i>i</i> with one
/// <c>writev</c> per frame (virtio-net header + the frame's buffers, no copy). Receive: a reader thread per queue waits
/// in <c>poll</c>, reads frames with <c>readv</c> straight into packet buffers — a small buffer for headers and small
/// frames plus a 64 KiB one a GSO frame spills into — and steers each to the protocol thread owning its flow (the
/// kernel picks the queue by its own flow hash, not by our Toeplitz hash). The reader owns the receive impairer; its
/// poll timeout is the impairer's next due time, so held frames need no timer.
/// </summary>
internal sealed unsafe class TapQueue
{
    private const int ReadBudget = 64;          // frames per wake-up before polling again
    private const int MaxTransmitPieces = 128;   // iovecs per frame: a 64 KiB segment of 2 KiB buffers needs 34
    private const int SmallBufferSize = 2048;
    private const int SmallHeadroom = 64;
    private const int LargeBufferSize = 65536;   // with the small buffer's room: any 65535-byte IP packet + Ethernet

    private readonly TapDevice _device;
    private readonly int _fd;
    private readonly int _wake;   // eventfd: Stop rings it to get the reader out of poll
    private readonly bool _header;
    private readonly Impairer _receiveImpairer;
    private Thread? _reader;
    private volatile bool _stopping;

    private long _read, _readErrors, _malformed, _noBuffers;   // reader thread
    private long _written, _writeErrors, _refused;              // the owner protocol thread

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

    public int Descriptor => _fd;

    public long FramesRead => Volatile.Read(ref _read);
    public long ReadErrors => Volatile.Read(ref _readErrors);
    public long MalformedFrames => Volatile.Read(ref _malformed);
    public long BufferShortages => Volatile.Read(ref _noBuffers);
    public long FramesWritten => Volatile.Read(ref _written);
    public long WriteErrors => Volatile.Read(ref _writeErrors);
    public long RefusedFrames => Volatile.Read(ref _refused);
    public ImpairmentCounters ReceiveImpairments => _receiveImpairer.Counters;

    public void StartReader()
    {
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tap-rx{Index}" };
        _reader.Start();
    }

    /// <summary>Stops the reader and waits for it; the descriptors stay open (the device closes them).</summary>
    public void StopReader()
    {
        _stopping = true;
        ulong one = 1;
        LibC.Write(_wake, &one, sizeof(ulong));
        _reader?.Join();
    }

    public void CloseDescriptors()
    {
        LibC.Close(_fd);
        LibC.Close(_wake);
    }

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
            _refused++;
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
                _refused++;
                frame.Free();
                return;
            }
            pieces[count++] = new IoVector(b.Pointer + b.Offset, b.Length);
        }
        nint written;
        do written = LibC.WriteVector(_fd, pieces, count);
        while (written < 0 && LibC.LastError == LibC.EINTR);
        if (written < 0) _writeErrors++;
        else _written++;
        frame.Free();
    }

    // ---- receive (reader thread) ----

    private void ReadLoop()
    {
        // Pools made here are owned by this thread: renting takes no atomics; buffers the stack frees come home
        // through the pools' lock-free inboxes.
        var small = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = SmallBufferSize, DefaultHeadroom = SmallHeadroom, MaxBuffers = 16384 });
        var large = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = LargeBufferSize, DefaultHeadroom = 0, MaxBuffers = 512, BuffersPerSlab = 8 });
        var clock = _device.Clock;
        var sink = new TapReceiveSink(_device);
        PollDescriptor* poll = stackalloc PollDescriptor[2];
        poll[0].Descriptor = _fd;
        poll[0].Events = PollDescriptor.POLLIN;
        poll[1].Descriptor = _wake;
        poll[1].Events = PollDescriptor.POLLIN;
        PacketBuffer? head = null, spill = null;
        VirtioNetHeader header = default;
        IoVector* pieces = stackalloc IoVector[3];
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
                    head ??= small.TryRent();
                    spill ??= large.TryRent();
                    if (head is null || spill is null)
                    {
                        // The stack still holds every buffer: leave frames in the kernel's queue (it drops and counts
                        // beyond its length) and look again shortly.
                        Interlocked.Increment(ref _noBuffers);
                        timeout = 1;
                        break;
                    }
                    int count = 0;
                    if (_header) pieces[count++] = new IoVector(&header, VirtioNetHeader.Size);
                    int headRoom = head.Capacity - SmallHeadroom;
                    pieces[count++] = new IoVector(head.Pointer + SmallHeadroom, headRoom);
                    pieces[count++] = new IoVector(spill.Pointer, spill.Capacity);
                    nint read = LibC.ReadVector(_fd, pieces, count);
                    if (read < 0)
                    {
                        int errno = LibC.LastError;
                        if (errno == LibC.EAGAIN) break;
                        if (errno == LibC.EINTR) continue;
                        Interlocked.Increment(ref _readErrors);
                        timeout = 10; // e.g. EBADFD while the interface is torn down: do not spin
                        break;
                    }
                    int length = (int)read - (_header ? VirtioNetHeader.Size : 0);
                    if (length < 14)
                    {
                        Interlocked.Increment(ref _malformed);
                        continue; // keep both buffers for the next read
                    }
                    var frame = head;
                    head = null;
                    if (length <= headRoom) frame.SetData(SmallHeadroom, length);
                    else
                    {
                        frame.SetData(SmallHeadroom, headRoom);
                        spill.SetData(0, length - headRoom);
                        frame.Next = spill;
                        spill = null;
                    }
                    if (_header && !VirtioOffloads.TryApplyReceive(header, frame))
                    {
                        Interlocked.Increment(ref _malformed);
                        frame.Free();
                        continue;
                    }
                    Interlocked.Increment(ref _read);
                    if (_receiveImpairer.IsPassThrough) sink.Deliver(frame);
                    else _receiveImpairer.Offer(frame, clock.NowNanoseconds, ref sink);
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
        }
    }
}
