using NetKit.Drivers.Impairments;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Memory;

/// <summary>The end of a memory interface's transmit path: frames the impairer lets through go on the link.</summary>
internal readonly struct MemoryWireSink(MemoryInterface device) : IFrameSink
{
    public void Deliver(PacketBuffer frame) => device.PutOnWire(frame);
}
