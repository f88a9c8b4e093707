using System;
using NetKit.Runtime.Timers;

namespace NetKit.Drivers.Capture;

/// <summary>How a <see cref="PcapCapture"/> records.</summary>
public sealed class PcapCaptureOptions
{
    /// <summary>Which paths to record.</summary>
    public CaptureDirection Directions { get; set; } = CaptureDirection.Both;

    /// <summary>Timestamp resolution of the file.</summary>
    public PcapTimestampPrecision Precision { get; set; } = PcapTimestampPrecision.Microseconds;

    /// <summary>Most bytes kept of each frame.</summary>
    public int SnapLength { get; set; } = 262144;

    /// <summary>
    /// Clock the timestamps follow (the stack's, so a <see cref="ManualClock"/> gives virtual, reproducible times).
    /// </summary>
    public NetClock Clock { get; set; } = NetClock.Monotonic;

    /// <summary>Wall time the clock's reading at the capture's creation stands for; null is now.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Leave the stream open when the capture is disposed.</summary>
    public bool LeaveOpen { get; set; }
}
