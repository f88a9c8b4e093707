using System.Runtime.CompilerServices;
using System.Threading;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Capture;

/// <summary>
/// The tap point a driver embeds on its receive and transmit paths (the memory link today, TAP next): one volatile
/// read per frame while nothing captures. A capture can be attached or detached at any time, from any thread.
/// </summary>
public sealed class CaptureHook
{
    private IFrameCapture? _capture;

    /// <summary>The attached capture, or null.</summary>
    public IFrameCapture? Current
    {
        get => Volatile.Read(ref _capture);
        set => Volatile.Write(ref _capture, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Capture(CaptureDirection direction, PacketBuffer frame)
    {
        var capture = Volatile.Read(ref _capture);
        if (capture is not null) capture.Capture(direction, frame);
    }
}
