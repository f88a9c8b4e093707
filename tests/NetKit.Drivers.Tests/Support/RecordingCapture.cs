using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using NetKit.Drivers.Capture;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Tests.Support;

/// <summary>
/// A capture that records, for each received frame, the thread it was drained on (the receive tap runs on the owner
/// thread just before the stack's input), the interface index stamped on it, the thread its flow hashes to, and its
/// flow and sequence; and for each transmitted frame its bytes.
/// </summary>
internal sealed class RecordingCapture(int threads, bool keepBytes = false) : IFrameCapture
{
    public readonly record struct Arrival(int Thread, int ExpectedThread, int InterfaceIndex, ushort SourcePort, uint Sequence, byte[]? Bytes);

    public ConcurrentQueue<Arrival> Received { get; } = new();

    public ConcurrentQueue<byte[]> Transmitted { get; } = new();

    public void Capture(CaptureDirection direction, PacketBuffer frame)
    {
        var data = frame.Data;
        if (direction == CaptureDirection.Transmit)
        {
            Transmitted.Enqueue(data.ToArray());
            return;
        }
        bool full = data.Length >= Frames.MinimumLength;
        Received.Enqueue(new Arrival(
            ProtocolThread.Current?.Index ?? -1,
            FlowHash.CpuOf(Hash(data), threads),
            frame.InterfaceIndex,
            full ? Frames.SourcePortOf(data) : (ushort)0,
            full ? Frames.SequenceOf(data) : 0,
            keepBytes ? data.ToArray() : null));
    }

    private static uint Hash(ReadOnlySpan<byte> data)
    {
        if (data.Length < Frames.PortsOffset + 4 || BinaryPrimitives.ReadUInt16BigEndian(data[12..]) != 0x0800) return 0;
        var ip = data[14..];
        return FlowHash.IPv4FourTuple(
            BinaryPrimitives.ReadUInt32BigEndian(ip[12..]), BinaryPrimitives.ReadUInt32BigEndian(ip[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[Frames.PortsOffset..]), BinaryPrimitives.ReadUInt16BigEndian(data[(Frames.PortsOffset + 2)..]));
    }
}
