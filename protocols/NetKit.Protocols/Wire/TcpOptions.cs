using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace NetKit.Protocols.Wire;

/// <summary>
/// The TCP options NetKit reads and writes, held by value: MSS (RFC 9293 §3.7.1), window scale and timestamps
/// (RFC 7323 §2, §3), SACK-permitted and up to four SACK blocks (RFC 2018). Two values are equal when they carry the
/// same options: a window scale or timestamp whose flag is clear is ignored, as are SACK slots past the count.
/// </summary>
public struct TcpOptions : IEquatable<TcpOptions>
{
    /// <summary>The options area is at most 40 bytes: the data offset caps the header at 60 (RFC 9293 §3.1).</summary>
    public const int MaxLength = TcpSegment.MaxHeaderLength - TcpSegment.MinHeaderLength;

    /// <summary>A SACK option of 2 + 8n bytes holds at most 4 blocks in 40 bytes (RFC 2018 §3).</summary>
    public const int MaxSackBlocks = 4;

    /// <summary>The largest shift count; a larger one received is used as 14 (RFC 7323 §2.3).</summary>
    public const byte MaxWindowScale = 14;

    private const int MaxSegmentSizeLength = 4;
    private const int WindowScaleLength = 3;
    private const int SackPermittedLength = 2;
    private const int TimestampsLength = 10;
    private const int SackBlockLength = 8;
    private const int SackHeaderLength = 2;

    private SackBlockArray _sackBlocks;
    private int _sackBlockCount;

    /// <summary>The MSS to announce (RFC 9293 §3.7.1); 0 means the option is absent.</summary>
    public ushort MaxSegmentSize { get; set; }

    public bool HasWindowScale { get; set; }

    /// <summary>The shift count (RFC 7323 §2.2); meaningful when <see cref="HasWindowScale"/> is set.</summary>
    public byte WindowScale { get; set; }

    /// <summary>SACK-permitted, sent on a SYN (RFC 2018 §2).</summary>
    public bool SackPermitted { get; set; }

    public bool HasTimestamps { get; set; }

    /// <summary>TSval (RFC 7323 §3.2).</summary>
    public uint TimestampValue { get; set; }

    /// <summary>TSecr (RFC 7323 §3.2).</summary>
    public uint TimestampEcho { get; set; }

    /// <summary>SACK blocks held, at most <see cref="MaxSackBlocks"/>; <see cref="Emit"/> may send fewer.</summary>
    public readonly int SackBlockCount => _sackBlockCount;

    public readonly TcpSackBlock GetSackBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _sackBlockCount);
        return _sackBlocks[index];
    }

    /// <summary>
    /// Appends a block; one past <see cref="MaxSackBlocks"/> is ignored. RFC 2018 §4 puts the most recent block first,
    /// so add that one first: blocks that do not fit beside the other options are dropped from the end.
    /// </summary>
    public void AddSackBlock(TcpSackBlock block)
    {
        if (_sackBlockCount == MaxSackBlocks) return;
        _sackBlocks[_sackBlockCount++] = block;
    }

    public void ClearSackBlocks() => _sackBlockCount = 0;

    /// <summary>Bytes <see cref="Emit"/> writes: a multiple of 4, at most <see cref="MaxLength"/>.</summary>
    public readonly int EmittedLength
    {
        get
        {
            int sackBlocks = EmittedSackBlocks(out int fixedLength);
            return fixedLength + (sackBlocks == 0 ? 0 : SackGroupLength(sackBlocks));
        }
    }

    /// <summary>
    /// Reads an options area (RFC 9293 §3.2): end-of-list ends it, no-operation is one octet, every other option is
    /// kind, length (counting both) and data, and must lie inside the area. A known kind with the wrong length is
    /// malformed; an unknown kind is skipped by its length. Never reads outside <paramref name="options"/>.
    /// </summary>
    public static WireError TryParse(ReadOnlySpan<byte> options, out TcpOptions parsed)
    {
        parsed = default;
        WireError error = Read(options, ref parsed);
        // A rejected area yields no options, not the ones before the fault.
        if (error != WireError.None) parsed = default;
        return error;
    }

    private static WireError Read(ReadOnlySpan<byte> options, ref TcpOptions parsed)
    {
        int at = 0;
        while (at < options.Length)
        {
            var kind = (TcpOptionKind)options[at];
            if (kind == TcpOptionKind.EndOfList) break;
            if (kind == TcpOptionKind.NoOperation)
            {
                at++;
                continue;
            }
            if (options.Length - at < 2) return WireError.BadOptions;
            int length = options[at + 1];
            if (length < 2 || length > options.Length - at) return WireError.BadOptions;
            ReadOnlySpan<byte> data = options.Slice(at + 2, length - 2);
            switch (kind)
            {
                case TcpOptionKind.MaxSegmentSize:
                    if (length != MaxSegmentSizeLength) return WireError.BadOptions;
                    parsed.MaxSegmentSize = BinaryPrimitives.ReadUInt16BigEndian(data);
                    break;
                case TcpOptionKind.WindowScale:
                    if (length != WindowScaleLength) return WireError.BadOptions;
                    parsed.HasWindowScale = true;
                    // RFC 7323 §2.3: a shift above 14 "MUST use 14 instead"; the caller may log it.
                    parsed.WindowScale = Math.Min(data[0], MaxWindowScale);
                    break;
                case TcpOptionKind.SackPermitted:
                    if (length != SackPermittedLength) return WireError.BadOptions;
                    parsed.SackPermitted = true;
                    break;
                case TcpOptionKind.Timestamps:
                    if (length != TimestampsLength) return WireError.BadOptions;
                    parsed.HasTimestamps = true;
                    parsed.TimestampValue = BinaryPrimitives.ReadUInt32BigEndian(data);
                    parsed.TimestampEcho = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                    break;
                case TcpOptionKind.Sack:
                    int blocks = data.Length / SackBlockLength;
                    if (data.Length % SackBlockLength != 0 || blocks is 0 or > MaxSackBlocks) return WireError.BadOptions;
                    // A repeated SACK option replaces the earlier one rather than adding to it.
                    parsed.ClearSackBlocks();
                    for (int i = 0; i < blocks; i++)
                    {
                        ReadOnlySpan<byte> block = data.Slice(i * SackBlockLength, SackBlockLength);
                        parsed.AddSackBlock(new TcpSackBlock(BinaryPrimitives.ReadUInt32BigEndian(block),
                                                             BinaryPrimitives.ReadUInt32BigEndian(block[4..])));
                    }
                    break;
            }
            at += length;
        }
        return WireError.None;
    }

    /// <summary>
    /// Writes MSS, SACK-permitted, timestamps, window scale and SACK blocks, each NOP-padded to a 32-bit boundary
    /// the way Linux and the BSDs lay them out, so timestamps and SACK blocks are word aligned (RFC 7323 Appendix A).
    /// SACK blocks that would take the area past 40 bytes are left out. Returns <see cref="EmittedLength"/>.
    /// </summary>
    public readonly int Emit(Span<byte> destination)
    {
        int sackBlocks = EmittedSackBlocks(out int fixedLength);
        int length = fixedLength + (sackBlocks == 0 ? 0 : SackGroupLength(sackBlocks));
        if (destination.Length < length) throw new ArgumentException("The destination is shorter than the options.", nameof(destination));

        int at = 0;
        if (MaxSegmentSize != 0)
        {
            destination[at++] = (byte)TcpOptionKind.MaxSegmentSize;
            destination[at++] = MaxSegmentSizeLength;
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], MaxSegmentSize);
            at += 2;
        }
        if (HasTimestamps)
        {
            // SACK-permitted fills the two octets that would otherwise be NOPs before the timestamps.
            if (SackPermitted)
            {
                destination[at++] = (byte)TcpOptionKind.SackPermitted;
                destination[at++] = SackPermittedLength;
            }
            else
            {
                destination[at++] = (byte)TcpOptionKind.NoOperation;
                destination[at++] = (byte)TcpOptionKind.NoOperation;
            }
            destination[at++] = (byte)TcpOptionKind.Timestamps;
            destination[at++] = TimestampsLength;
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], TimestampValue);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], TimestampEcho);
            at += 8;
        }
        else if (SackPermitted)
        {
            destination[at++] = (byte)TcpOptionKind.NoOperation;
            destination[at++] = (byte)TcpOptionKind.NoOperation;
            destination[at++] = (byte)TcpOptionKind.SackPermitted;
            destination[at++] = SackPermittedLength;
        }
        if (HasWindowScale)
        {
            destination[at++] = (byte)TcpOptionKind.NoOperation;
            destination[at++] = (byte)TcpOptionKind.WindowScale;
            destination[at++] = WindowScaleLength;
            destination[at++] = WindowScale;
        }
        if (sackBlocks != 0)
        {
            destination[at++] = (byte)TcpOptionKind.NoOperation;
            destination[at++] = (byte)TcpOptionKind.NoOperation;
            destination[at++] = (byte)TcpOptionKind.Sack;
            destination[at++] = (byte)(SackHeaderLength + sackBlocks * SackBlockLength);
            for (int i = 0; i < sackBlocks; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], _sackBlocks[i].Left);
                BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 4)..], _sackBlocks[i].Right);
                at += SackBlockLength;
            }
        }
        // Every group above is a whole number of words, so no end-of-list padding is needed (RFC 9293 §3.1).
        Debug.Assert(at == length && at % 4 == 0);
        return at;
    }

    public readonly bool Equals(TcpOptions other)
    {
        if (MaxSegmentSize != other.MaxSegmentSize || SackPermitted != other.SackPermitted
            || HasWindowScale != other.HasWindowScale || HasTimestamps != other.HasTimestamps
            || _sackBlockCount != other._sackBlockCount)
            return false;
        if (HasWindowScale && WindowScale != other.WindowScale) return false;
        if (HasTimestamps && (TimestampValue != other.TimestampValue || TimestampEcho != other.TimestampEcho)) return false;
        for (int i = 0; i < _sackBlockCount; i++)
            if (_sackBlocks[i] != other._sackBlocks[i]) return false;
        return true;
    }

    public override readonly bool Equals(object? obj) => obj is TcpOptions other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(MaxSegmentSize);
        hash.Add(SackPermitted);
        hash.Add(HasWindowScale ? WindowScale : -1);
        hash.Add(HasTimestamps);
        if (HasTimestamps)
        {
            hash.Add(TimestampValue);
            hash.Add(TimestampEcho);
        }
        for (int i = 0; i < _sackBlockCount; i++) hash.Add(_sackBlocks[i]);
        return hash.ToHashCode();
    }

    public static bool operator ==(TcpOptions left, TcpOptions right) => left.Equals(right);

    public static bool operator !=(TcpOptions left, TcpOptions right) => !left.Equals(right);

    /// <summary>"mss=1460 sackOK ts=100/0 ws=7 sack=1000-2000,3000-4000", or "none".</summary>
    public override readonly string ToString()
    {
        var text = new StringBuilder(64);
        Describe(text);
        return text.Length == 0 ? "none" : text.ToString(1, text.Length - 1);
    }

    /// <summary>Appends each option present, each after a space.</summary>
    internal readonly void Describe(StringBuilder text)
    {
        if (MaxSegmentSize != 0) text.Append(" mss=").Append(MaxSegmentSize);
        if (SackPermitted) text.Append(" sackOK");
        if (HasTimestamps) text.Append(" ts=").Append(TimestampValue).Append('/').Append(TimestampEcho);
        if (HasWindowScale) text.Append(" ws=").Append(WindowScale);
        for (int i = 0; i < _sackBlockCount; i++)
            text.Append(i == 0 ? " sack=" : ",").Append(_sackBlocks[i].Left).Append('-').Append(_sackBlocks[i].Right);
    }

    // How many SACK blocks fit beside the other options in 40 bytes, and the length of those other options.
    private readonly int EmittedSackBlocks(out int fixedLength)
    {
        fixedLength = (MaxSegmentSize != 0 ? 4 : 0)
                    + (HasTimestamps ? 12 : SackPermitted ? 4 : 0)
                    + (HasWindowScale ? 4 : 0);
        int room = (MaxLength - fixedLength - SackGroupLength(0)) / SackBlockLength;
        return Math.Min(_sackBlockCount, room);
    }

    // NOP, NOP, kind, length, then the blocks (RFC 2018 §3).
    private static int SackGroupLength(int blocks) => 2 + SackHeaderLength + blocks * SackBlockLength;

    [InlineArray(MaxSackBlocks)]
    private struct SackBlockArray
    {
        private TcpSackBlock _element;
    }
}
