using NetKit.Drivers.Impairments;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Tap;

/// <summary>Where a TAP queue's reader hands frames (directly, or as the receive impairer lets them through): steering.</summary>
internal readonly struct TapReceiveSink(TapDevice device) : IFrameSink
{
    public void Deliver(PacketBuffer frame) => device.Steer(frame);
}
