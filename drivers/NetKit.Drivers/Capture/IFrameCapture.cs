using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Capture;

/// <summary>
/// Something that records frames passing an interface (a pcap file, a test's list). Called on protocol threads,
/// possibly several at once: it must copy what it keeps before returning (the frame goes on to the stack or the
/// wire) and must not block for long.
/// </summary>
public interface IFrameCapture
{
    void Capture(CaptureDirection direction, PacketBuffer frame);
}
