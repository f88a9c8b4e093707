using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NetKit.Protocols.Wire;

/// <summary>
/// The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of the data taken as
/// big-endian 16-bit words, an odd final byte padded with a zero low byte.
/// <para>
/// Sums here are "partial sums": a folded 16-bit one's-complement sum, not yet complemented. Pieces combine with
/// <see cref="Add(ushort, ushort)"/>; <see cref="Finish"/> complements the total into the value sent on the wire.
/// A piece that starts at an odd byte offset of the checksummed message contributes its bytes in the other half of
/// each word, so its partial sum is byte-swapped before it is added (RFC 1071 §2(B), byte order independence):
/// <see cref="Sum(ReadOnlySpan{byte}, int)"/> does that from the piece's offset, and
/// <see cref="ChecksumAccumulator"/> tracks offsets itself for a payload split across buffers.
/// </para>
/// </summary>
public static class InternetChecksum
{
    // Bytes summed into 32-bit vector lanes before they are widened into the 64-bit total. A lane gains at most
    // 2 * 0xFFFF per vector it sees: in 512 KiB a Vector128 accumulator sees at most 16384 vectors (2^31 in all), so
    // no lane overflows.
    private const int BlockBytes = 1 << 19;

    /// <summary>The checksum to put on the wire: <c>~Sum(data)</c>. Verifying data that includes its checksum gives 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Sum(data);

    /// <summary>The folded one's-complement sum of <paramref name="data"/> as if it started at an even offset.</summary>
    public static ushort Sum(ReadOnlySpan<byte> data)
    {
        // The words are summed in host order and swapped once at the end (RFC 1071 §2(B)): on little-endian hosts this
        // saves a byte shuffle per vector.
        ushort native = Fold(SumNative(data));
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(native) : native;
    }

    /// <summary>
    /// The partial sum of a piece that begins at byte <paramref name="offset"/> of the checksummed message (offsets
    /// count from the start of the first piece, e.g. the UDP header; the pseudo-header sits outside and is even).
    /// At an odd offset the piece's bytes fall in the other half of each word, so its sum is byte-swapped.
    /// </summary>
    public static ushort Sum(ReadOnlySpan<byte> piece, int offset)
    {
        ushort sum = Sum(piece);
        return (offset & 1) == 0 ? sum : BinaryPrimitives.ReverseEndianness(sum);
    }

    /// <summary>One's-complement addition of two partial sums (the end-around carry is folded back in).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Add(ushort a, ushort b) => Fold((uint)a + b);

    /// <summary>Adds the partial sum of a piece at <paramref name="pieceOffset"/> (see <see cref="Sum(ReadOnlySpan{byte}, int)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Add(ushort sum, ushort pieceSum, int pieceOffset)
        => Add(sum, (pieceOffset & 1) == 0 ? pieceSum : BinaryPrimitives.ReverseEndianness(pieceSum));

    /// <summary>
    /// Folds a wide accumulator of 16- or 32-bit words into a 16-bit one's-complement sum: 2^16 ≡ 1 (mod 0xFFFF), so
    /// adding the high halves back into the low halves keeps the value (RFC 1071 §2(C), deferred carries).
    /// Only an all-zero input folds to 0; any other input folds into 1..0xFFFF.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        uint s = (uint)sum;
        s = (s & 0xFFFF) + (s >> 16);
        s = (s & 0xFFFF) + (s >> 16);
        return (ushort)s;
    }

    /// <summary>Complements a partial sum into the checksum field value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Finish(ushort sum) => (ushort)~sum;

    /// <summary>
    /// The partial sum of the IPv4 pseudo-header that UDP and TCP prepend (RFC 768, "Fields"; RFC 9293 §3.1): source,
    /// destination, zero, protocol and the transport length. It is 12 bytes, so the transport header after it stays
    /// at an even offset.
    /// </summary>
    public static ushort PseudoHeaderSum(IPv4Address source, IPv4Address destination, IpProtocol protocol, ushort length)
    {
        ulong sum = (source.Value >> 16) + (source.Value & 0xFFFF)
                  + (destination.Value >> 16) + (destination.Value & 0xFFFF)
                  + (uint)protocol + length;
        return Fold(sum);
    }

    /// <summary>
    /// Incremental update for one 16-bit word at an even offset changing from <paramref name="oldWord"/> to
    /// <paramref name="newWord"/>: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'). Eqn. 3 rather than RFC 1141's form
    /// because its result equals full recomputation for any data that is not all zeros (RFC 1624 §3, the -0 case).
    /// A byte field (the TTL) is updated as the word that contains it (TTL and protocol).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort UpdateUInt16(ushort checksum, ushort oldWord, ushort newWord)
        => (ushort)~Fold((uint)(ushort)~checksum + (ushort)~oldWord + newWord);

    /// <summary>RFC 1624 eqn. 3 for a 32-bit field at an even offset (an IPv4 address rewrite): both of its words change.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort UpdateUInt32(ushort checksum, uint oldValue, uint newValue)
        => (ushort)~Fold((ulong)(ushort)~checksum
                         + (ushort)~(oldValue >> 16) + (ushort)~oldValue
                         + (newValue >> 16) + (newValue & 0xFFFF));

    /// <summary>
    /// One's-complement sum of <paramref name="data"/> read as host-order words into a 64-bit total. Any group of
    /// whole words can be added as one wider integer because 2^16 ≡ 1 (mod 0xFFFF): a 32-bit lane or a 64-bit load
    /// already equals the sum of its words there.
    /// </summary>
    private static ulong SumNative(ReadOnlySpan<byte> data)
    {
        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;
        ulong total = 0;

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            Vector256<uint> low = Vector256.Create(0xFFFFu);
            while (length - i >= (nuint)Vector256<byte>.Count)
            {
                // Each uint lane holds two words: widen them into the lane as (lane & 0xFFFF) + (lane >> 16).
                // Two accumulators and four loads per step keep the adds independent.
                nuint blockEnd = i + Math.Min(length - i, (nuint)BlockBytes);
                Vector256<uint> acc0 = Vector256<uint>.Zero, acc1 = Vector256<uint>.Zero;
                while (blockEnd - i >= 128)
                {
                    Vector256<uint> v0 = Vector256.LoadUnsafe(ref start, i).AsUInt32();
                    Vector256<uint> v1 = Vector256.LoadUnsafe(ref start, i + 32).AsUInt32();
                    Vector256<uint> v2 = Vector256.LoadUnsafe(ref start, i + 64).AsUInt32();
                    Vector256<uint> v3 = Vector256.LoadUnsafe(ref start, i + 96).AsUInt32();
                    acc0 += (v0 & low) + (v0 >>> 16);
                    acc1 += (v1 & low) + (v1 >>> 16);
                    acc0 += (v2 & low) + (v2 >>> 16);
                    acc1 += (v3 & low) + (v3 >>> 16);
                    i += 128;
                }
                while (blockEnd - i >= 32)
                {
                    Vector256<uint> v = Vector256.LoadUnsafe(ref start, i).AsUInt32();
                    acc0 += (v & low) + (v >>> 16);
                    i += 32;
                }
                total += WidenSum(acc0) + WidenSum(acc1);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            Vector128<uint> low = Vector128.Create(0xFFFFu);
            while (length - i >= (nuint)Vector128<byte>.Count)
            {
                nuint blockEnd = i + Math.Min(length - i, (nuint)BlockBytes);
                Vector128<uint> acc0 = Vector128<uint>.Zero, acc1 = Vector128<uint>.Zero;
                while (blockEnd - i >= 64)
                {
                    Vector128<uint> v0 = Vector128.LoadUnsafe(ref start, i).AsUInt32();
                    Vector128<uint> v1 = Vector128.LoadUnsafe(ref start, i + 16).AsUInt32();
                    Vector128<uint> v2 = Vector128.LoadUnsafe(ref start, i + 32).AsUInt32();
                    Vector128<uint> v3 = Vector128.LoadUnsafe(ref start, i + 48).AsUInt32();
                    acc0 += (v0 & low) + (v0 >>> 16);
                    acc1 += (v1 & low) + (v1 >>> 16);
                    acc0 += (v2 & low) + (v2 >>> 16);
                    acc1 += (v3 & low) + (v3 >>> 16);
                    i += 64;
                }
                while (blockEnd - i >= 16)
                {
                    Vector128<uint> v = Vector128.LoadUnsafe(ref start, i).AsUInt32();
                    acc0 += (v & low) + (v >>> 16);
                    i += 16;
                }
                total += WidenSum(acc0) + WidenSum(acc1);
            }
        }

        // Scalar tail (and the whole of short headers): a 64-bit load adds as its two 32-bit halves, each at most
        // 2^32 - 1, so the 64-bit total cannot overflow for any span length.
        while (length - i >= 8)
        {
            ulong v = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            total += (v & 0xFFFF_FFFF) + (v >> 32);
            i += 8;
        }
        if (length - i >= 4)
        {
            total += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            i += 4;
        }
        if (length - i >= 2)
        {
            total += Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref start, i));
            i += 2;
        }
        if (length - i != 0)
        {
            // RFC 1071 §4.1: an odd final byte is the high byte of a word whose low byte is zero; in host order on a
            // little-endian machine that is the low byte.
            uint last = Unsafe.Add(ref start, i);
            total += BitConverter.IsLittleEndian ? last : last << 8;
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong WidenSum(Vector256<uint> lanes)
    {
        (Vector256<ulong> lower, Vector256<ulong> upper) = Vector256.Widen(lanes);
        return Vector256.Sum(lower + upper);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong WidenSum(Vector128<uint> lanes)
    {
        (Vector128<ulong> lower, Vector128<ulong> upper) = Vector128.Widen(lanes);
        return Vector128.Sum(lower + upper);
    }
}
