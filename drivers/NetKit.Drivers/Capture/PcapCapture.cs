using System;
using System.IO;
using System.Threading;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Capture;

/// <summary>
/// Records an interface's frames in a pcap file (attach it with a device's capture hook, e.g.
/// <see cref="Memory.MemoryInterface.Capture"/>). Capture is a debugging path, not the data path: each frame is
/// written under a lock of this capture alone into a buffered stream, so a protocol thread waits at most for another
/// thread's memory copy, or for the occasional flush of a full buffer. Timestamps follow the configured clock, mapped to
/// wall time from the capture's creation.
/// </summary>
public sealed class PcapCapture : IFrameCapture, IDisposable
{
    private readonly Lock _gate = new();
    private readonly PcapWriter _writer;
    private readonly PcapCaptureOptions _options;
    private readonly long _startUnixNanoseconds;
    private readonly long _startClock;
    private bool _disposed;
    private long _frames;

    public PcapCapture(Stream stream, PcapCaptureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options = options ?? new PcapCaptureOptions();
        _writer = new PcapWriter(stream, _options.Precision, _options.SnapLength, PcapWriter.LinkTypeEthernet, _options.LeaveOpen);
        var start = _options.StartTime ?? DateTimeOffset.UtcNow;
        _startUnixNanoseconds = (start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        _startClock = _options.Clock.NowNanoseconds;
    }

    /// <summary>A capture into a new file at <paramref name="path"/> (64 KiB write buffer).</summary>
    public static PcapCapture ToFile(string path, PcapCaptureOptions? options = null)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        return new PcapCapture(stream, options);
    }

    /// <summary>Frames recorded.</summary>
    public long Frames => Volatile.Read(ref _frames);

    public void Capture(CaptureDirection direction, PacketBuffer frame)
    {
        if ((direction & _options.Directions) == 0) return;
        lock (_gate)
        {
            if (_disposed) return;
            // Read under the lock so records are in time order even when several threads capture.
            long timestamp = _startUnixNanoseconds + (_options.Clock.NowNanoseconds - _startClock);
            _writer.WriteRecord(timestamp, frame);
            _frames++;
        }
    }

    /// <summary>Pushes buffered records to the stream's backing store.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed) _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _writer.Dispose();
        }
    }
}
