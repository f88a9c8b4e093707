using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Impairments;

/// <summary>
/// Where an <see cref="Impairer"/> hands the frames that are due (the wire, a device's transmit ring). Implement it on
/// a struct and pass it by reference: the generic call is specialized, with no delegate or closure per frame.
/// </summary>
public interface IFrameSink
{
    /// <summary>Takes <paramref name="frame"/> over.</summary>
    void Deliver(PacketBuffer frame);
}
