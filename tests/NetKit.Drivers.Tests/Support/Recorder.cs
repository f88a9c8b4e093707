using System.Collections.Generic;
using NetKit.Drivers.Impairments;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Tests.Support;

/// <summary>What an impairer delivered: each frame's bytes and the time of the call that delivered it.</summary>
internal sealed class Recorder
{
    public readonly record struct Delivery(long Time, byte[] Bytes);

    public long Now;
    public readonly List<Delivery> Deliveries = [];
    public readonly List<PacketBuffer> Buffers = [];

    /// <summary>Keep the delivered buffers instead of freeing them (to check their identity).</summary>
    public bool Keep;

    public void Add(PacketBuffer frame)
    {
        Deliveries.Add(new Delivery(Now, frame.Data.ToArray()));
        if (Keep) Buffers.Add(frame);
        else frame.Free();
    }
}

/// <summary>A struct sink over a <see cref="Recorder"/>, as drivers pass theirs.</summary>
internal readonly struct RecorderSink(Recorder recorder) : IFrameSink
{
    public void Deliver(PacketBuffer frame) => recorder.Add(frame);
}
