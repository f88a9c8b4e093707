using System;
using System.Buffers.Binary;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;

namespace NetKit.Drivers.Tests.Support;

/// <summary>
/// Test frames in the test protocols' layout: 14-byte link header (destination MAC, source MAC, ethertype 0x0800),
/// 20-byte IPv4-shaped header (protocol 17 at byte 9, addresses at 12..19), ports, then a 32-bit sequence number and
/// filler bytes derived from it, so any frame can be rebuilt from its sequence for comparison.
/// </summary>
internal static class Frames
{
    public const int PortsOffset = TestLink.HeaderLength + TestNetwork.HeaderLength;
    public const int SequenceOffset = PortsOffset + 4;
    public const int MinimumLength = SequenceOffset + 4;

    public static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>A locally administered unicast MAC ending in <paramref name="n"/>.</summary>
    public static byte[] Mac(int n) => [0x02, 0x00, 0x00, 0x00, (byte)(n >> 8), (byte)n];

    public static uint Ip(int n) => 0x0A000000u | (uint)n;

    /// <summary>Writes a whole frame into <paramref name="data"/>.</summary>
    public static void Write(Span<byte> data, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source,
        uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, uint sequence)
    {
        destination.CopyTo(data);
        source.CopyTo(data[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(data[12..], 0x0800);
        var ip = data[TestLink.HeaderLength..];
        ip[..TestNetwork.HeaderLength].Clear();
        ip[0] = 0x45;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], sourceIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destinationIp);
        BinaryPrimitives.WriteUInt16BigEndian(data[PortsOffset..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(data[(PortsOffset + 2)..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(data[SequenceOffset..], sequence);
        for (int i = MinimumLength; i < data.Length; i++) data[i] = (byte)(sequence * 31 + i);
    }

    /// <summary>Rents and fills a frame of <paramref name="length"/> bytes, or null when the pool is exhausted.</summary>
    public static PacketBuffer? TryUdp(PacketBufferPool pool, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source,
        uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, uint sequence, int length = 64)
    {
        var frame = pool.TryRent();
        if (frame is null) return null;
        Write(frame.Append(Math.Max(length, MinimumLength)), destination, source, sourceIp, destinationIp, sourcePort, destinationPort, sequence);
        return frame;
    }

    public static PacketBuffer Udp(PacketBufferPool pool, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source,
        uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, uint sequence, int length = 64)
        => TryUdp(pool, destination, source, sourceIp, destinationIp, sourcePort, destinationPort, sequence, length)
           ?? throw new InvalidOperationException("test pool exhausted");

    /// <summary>The bytes <see cref="Write"/> produces, for comparison.</summary>
    public static byte[] Expected(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source,
        uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, uint sequence, int length = 64)
    {
        var bytes = new byte[Math.Max(length, MinimumLength)];
        Write(bytes, destination, source, sourceIp, destinationIp, sourcePort, destinationPort, sequence);
        return bytes;
    }

    public static uint SequenceOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt32BigEndian(frame[SequenceOffset..]);

    public static ushort SourcePortOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt16BigEndian(frame[PortsOffset..]);

    /// <summary>The thread a stack of <paramref name="threads"/> threads owns this flow on (4-tuple, symmetric).</summary>
    public static int OwnerThread(uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort, int threads) =>
        FlowHash.CpuOf(FlowHash.IPv4FourTuple(sourceIp, destinationIp, sourcePort, destinationPort), threads);

    /// <summary>A fresh standalone pool owned by the calling thread, every buffer created and home.</summary>
    public static PacketBufferPool WarmPool(int buffers = 512, int bufferSize = 2048, int headroom = 128)
    {
        var pool = new PacketBufferPool(new PacketBufferPoolOptions
        {
            MaxBuffers = buffers,
            BufferSize = bufferSize,
            DefaultHeadroom = headroom,
        });
        var rented = new PacketBuffer[buffers];
        for (int i = 0; i < buffers; i++) rented[i] = pool.TryRent() ?? throw new InvalidOperationException("pool too small");
        foreach (var b in rented) b.Free();
        if (pool.Available != buffers) throw new InvalidOperationException($"warm pool has {pool.Available} of {buffers} buffers home");
        return pool;
    }
}
