using System;
using System.Buffers.Binary;
using System.IO;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Capture;

/// <summary>
/// Writes the classic libpcap file format to a stream: a 24-byte global header (magic, version 2.4, zone 0, sigfigs 0,
/// snap length, link type), then per frame a 16-byte record header (seconds, micro- or nanoseconds, captured length,
/// original length) and the captured bytes. Little-endian throughout (readers detect the byte order from the magic).
/// Not thread-safe: <see cref="PcapCapture"/> serializes writers.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    public const uint MagicNanoseconds = 0xA1B23C4D;
    public const ushort VersionMajor = 2;
    public const ushort VersionMinor = 4;
    public const uint LinkTypeEthernet = 1;
    public const int GlobalHeaderLength = 24;
    public const int RecordHeaderLength = 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private bool _disposed;

    /// <summary>Writes the global header at once.</summary>
    /// <param name="stream">Where the file goes; give a buffered stream (a <see cref="FileStream"/> is).</param>
    /// <param name="precision">Timestamp resolution (and magic).</param>
    /// <param name="snapLength">Most bytes kept of each frame (tcpdump's default is 262144).</param>
    /// <param name="linkType">LINKTYPE_ value; 1 is Ethernet.</param>
    /// <param name="leaveOpen">Leave the stream open on dispose.</param>
    public PcapWriter(Stream stream, PcapTimestampPrecision precision = PcapTimestampPrecision.Microseconds,
        int snapLength = 262144, uint linkType = LinkTypeEthernet, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Precision = precision;
        SnapLength = snapLength;
        LinkType = linkType;
        Span<byte> header = stackalloc byte[GlobalHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, precision == PcapTimestampPrecision.Nanoseconds ? MagicNanoseconds : MagicMicroseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone: timestamps are UTC
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], linkType);
        _stream.Write(header);
    }

    public PcapTimestampPrecision Precision { get; }

    public int SnapLength { get; }

    public uint LinkType { get; }

    /// <summary>Records written.</summary>
    public long Records { get; private set; }

    /// <summary>Writes one record of <paramref name="frame"/> stamped <paramref name="unixNanoseconds"/> (since 1970, UTC).</summary>
    public void WriteRecord(long unixNanoseconds, ReadOnlySpan<byte> frame)
    {
        int captured = Math.Min(frame.Length, SnapLength);
        WriteRecordHeader(unixNanoseconds, captured, frame.Length);
        _stream.Write(frame[..captured]);
        Records++;
    }

    /// <summary>Writes one record of a frame and its chain.</summary>
    public void WriteRecord(long unixNanoseconds, PacketBuffer frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int length = frame.ChainLength;
        int remaining = Math.Min(length, SnapLength);
        WriteRecordHeader(unixNanoseconds, remaining, length);
        for (var buffer = frame; buffer is not null && remaining > 0; buffer = buffer.Next)
        {
            int take = Math.Min(buffer.Length, remaining);
            _stream.Write(buffer.Data[..take]);
            remaining -= take;
        }
        Records++;
    }

    private void WriteRecordHeader(long unixNanoseconds, int captured, int original)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long seconds = Math.DivRem(Math.Max(0, unixNanoseconds), 1_000_000_000L, out long nanoseconds);
        Span<byte> header = stackalloc byte[RecordHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(Precision == PcapTimestampPrecision.Nanoseconds ? nanoseconds : nanoseconds / 1000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)original);
        _stream.Write(header);
    }

    public void Flush() => _stream.Flush();

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stream.Flush();
        if (!_leaveOpen) _stream.Dispose();
    }
}
