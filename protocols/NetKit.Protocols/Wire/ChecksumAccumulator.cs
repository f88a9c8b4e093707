using System;
using System.Buffers.Binary;

namespace NetKit.Protocols.Wire;

/// <summary>
/// Running Internet checksum over a message that arrives in pieces (a header, then a payload split across buffers).
/// It counts the bytes added so far, so a piece that starts at an odd offset — after an odd-length piece — is
/// byte-swapped before it is added (RFC 1071 §2(B)). Copy it by value to checkpoint a prefix.
/// </summary>
public struct ChecksumAccumulator
{
    // Unfolded sum of 16-bit partial sums: 2^48 additions before it could overflow.
    private ulong _sum;
    private long _length;

    /// <summary>Bytes of message added so far (<see cref="AddPartialSum"/> does not count).</summary>
    public readonly long Length => _length;

    /// <summary>The folded one's-complement sum so far.</summary>
    public readonly ushort Sum => InternetChecksum.Fold(_sum);

    /// <summary>The checksum field value for what has been added (<c>~Sum</c>).</summary>
    public readonly ushort Checksum => (ushort)~InternetChecksum.Fold(_sum);

    /// <summary>Appends the next piece of the message.</summary>
    public void Add(ReadOnlySpan<byte> piece)
    {
        _sum += InternetChecksum.Sum(piece, (int)(_length & 1));
        _length += piece.Length;
    }

    /// <summary>Appends two bytes, big-endian (a field value not held in a buffer).</summary>
    public void AddUInt16(ushort value)
    {
        _sum += (_length & 1) == 0 ? value : BinaryPrimitives.ReverseEndianness(value);
        _length += 2;
    }

    /// <summary>Appends four bytes, big-endian.</summary>
    public void AddUInt32(uint value)
    {
        AddUInt16((ushort)(value >> 16));
        AddUInt16((ushort)value);
    }

    /// <summary>
    /// Adds a partial sum computed elsewhere for a piece that sits at an even offset and does not shift the pieces
    /// after it — the 12-byte IPv4 pseudo-header (<see cref="InternetChecksum.PseudoHeaderSum"/>). The length is unchanged.
    /// </summary>
    public void AddPartialSum(ushort partialSum) => _sum += partialSum;
}
