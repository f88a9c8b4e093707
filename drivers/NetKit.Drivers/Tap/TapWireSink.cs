using NetKit.Drivers.Impairments;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Tap;

/// <summary>The end of a TAP transmit queue: frames its impairer lets through are written to that thread's queue descriptor.</summary>
internal readonly struct TapWireSink(TapDevice device, TapQueue queue) : IFrameSink
{
    public void Deliver(PacketBuffer frame) => device.WriteToKernel(queue, frame);
}
