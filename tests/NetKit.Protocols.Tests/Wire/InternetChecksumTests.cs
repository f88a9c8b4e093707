using System;
using System.Buffers.Binary;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class InternetChecksumTests
{
    /// <summary>The definition, one big-endian word at a time with an end-around carry after each add.</summary>
    internal static ushort ReferenceSum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            uint word = (uint)data[i] << 8 | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }

    private static bool AllZero(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;

    [Fact]
    public void Matches_the_RFC_1071_worked_example()
    {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0xddf2, InternetChecksum.Sum(data));
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Computes_a_known_IPv4_header_checksum()
    {
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Assert.Equal(0xb861, InternetChecksum.Compute(header));
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), 0xb861);
        Assert.Equal(0, InternetChecksum.Compute(header));
    }

    [Fact]
    public void Odd_length_pads_the_last_byte_as_a_high_byte()
    {
        Assert.Equal(0xab00, InternetChecksum.Sum([0xab]));
        Assert.Equal(0x0102 + 0x0300, InternetChecksum.Sum([0x01, 0x02, 0x03]));
        Assert.Equal(0, InternetChecksum.Sum([]));
    }

    [Fact]
    public void Fold_keeps_the_value_modulo_0xFFFF()
    {
        Assert.Equal(0, InternetChecksum.Fold(0));
        Assert.Equal(0xFFFF, InternetChecksum.Fold(0xFFFF));
        Assert.Equal(0xFFFF, InternetChecksum.Fold(0x1FFFE));
        Assert.Equal(0x0001, InternetChecksum.Fold(0x10000));
        Assert.Equal(0xFFFF, InternetChecksum.Fold(ulong.MaxValue));
        Gen.ULong.Sample(v => v == 0 ? InternetChecksum.Fold(v) == 0 : InternetChecksum.Fold(v) == (ushort)((v - 1) % 0xFFFF + 1), iter: 10_000);
    }

    [Fact]
    public void Vectorized_sum_equals_the_scalar_reference_at_any_length_and_alignment()
    {
        Gen.Select(Gen.Byte.Array[0, 9100], Gen.Int[0, 63]).Sample((data, skip) =>
        {
            ReadOnlySpan<byte> span = data.AsSpan(Math.Min(skip, data.Length));
            return InternetChecksum.Sum(span) == ReferenceSum(span);
        }, iter: 2000);
    }

    [Theory]
    [InlineData(0xFF, 3 * 1024 * 1024 + 77)]
    [InlineData(0xFF, (1 << 19) + 31)]
    [InlineData(0x7F, 1 << 20)]
    public void Long_buffers_of_large_words_do_not_overflow_the_vector_lanes(byte fill, int length)
    {
        byte[] data = new byte[length];
        data.AsSpan().Fill(fill);
        data[^1] = 0x12;
        Assert.Equal(ReferenceSum(data), InternetChecksum.Sum(data));
    }

    [Fact]
    public void Piecewise_accumulation_equals_the_whole_including_odd_pieces()
    {
        Gen.Select(Gen.Byte.Array[0, 3000], Gen.Int[0, 3000].Array[0, 6]).Sample((data, cuts) =>
        {
            Array.Sort(cuts);
            var accumulator = new ChecksumAccumulator();
            ushort viaOffsets = 0;
            int start = 0;
            foreach (int rawCut in cuts)
            {
                int cut = Math.Min(rawCut, data.Length);
                accumulator.Add(data.AsSpan(start..cut));
                viaOffsets = InternetChecksum.Add(viaOffsets, InternetChecksum.Sum(data.AsSpan(start..cut), start));
                start = cut;
            }
            accumulator.Add(data.AsSpan(start));
            viaOffsets = InternetChecksum.Add(viaOffsets, InternetChecksum.Sum(data.AsSpan(start)), start);
            ushort whole = InternetChecksum.Sum(data);
            return accumulator.Sum == whole && viaOffsets == whole && accumulator.Length == data.Length
                && accumulator.Checksum == InternetChecksum.Compute(data);
        }, iter: 2000);
    }

    [Fact]
    public void Accumulator_words_at_odd_offsets_equal_the_bytes_they_stand_for()
    {
        Gen.Select(Gen.Byte.Array[0, 9], Gen.UShort, Gen.UInt).Sample((prefix, word, dword) =>
        {
            var accumulator = new ChecksumAccumulator();
            accumulator.Add(prefix);
            accumulator.AddUInt16(word);
            accumulator.AddUInt32(dword);
            var bytes = new byte[prefix.Length + 6];
            prefix.CopyTo(bytes, 0);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(prefix.Length), word);
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(prefix.Length + 2), dword);
            return accumulator.Sum == InternetChecksum.Sum(bytes);
        }, iter: 2000);
    }

    [Fact]
    public void Pseudo_header_sum_equals_the_sum_of_the_12_pseudo_header_bytes()
    {
        Gen.Select(WireGenerators.IPv4, WireGenerators.IPv4, Gen.Byte, Gen.UShort).Sample((source, destination, protocol, length) =>
        {
            Span<byte> pseudo = stackalloc byte[12];
            source.WriteTo(pseudo);
            destination.WriteTo(pseudo[4..]);
            pseudo[8] = 0;
            pseudo[9] = protocol;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo[10..], length);
            return InternetChecksum.PseudoHeaderSum(source, destination, (IpProtocol)protocol, length) == InternetChecksum.Sum(pseudo);
        }, iter: 5000);
    }

    [Fact]
    public void Incremental_16_bit_update_equals_full_recomputation()
    {
        Gen.Select(Gen.Byte.Array[2, 80], Gen.Int, Gen.UShort).Sample((data, index, newWord) =>
        {
            int at = (int)((uint)index % (uint)(data.Length / 2)) * 2;
            ushort before = InternetChecksum.Compute(data);
            ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), newWord);
            ushort updated = InternetChecksum.UpdateUInt16(before, oldWord, newWord);
            // All-zero data is the one case where the two zeros differ: its sum is +0, eqn. 3 gives -0 (RFC 1624 §3).
            return AllZero(data) ? updated == 0 : updated == InternetChecksum.Compute(data);
        }, iter: 10_000);
    }

    [Fact]
    public void Incremental_32_bit_update_equals_full_recomputation()
    {
        Gen.Select(Gen.Byte.Array[4, 80], Gen.Int, Gen.UInt).Sample((data, index, newValue) =>
        {
            int at = (int)((uint)index % (uint)((data.Length - 2) / 2)) * 2;
            ushort before = InternetChecksum.Compute(data);
            uint oldValue = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at), newValue);
            ushort updated = InternetChecksum.UpdateUInt32(before, oldValue, newValue);
            return AllZero(data) ? updated == 0 : updated == InternetChecksum.Compute(data);
        }, iter: 10_000);
    }

    [Fact]
    public void Ttl_decrement_updates_the_header_checksum_as_recomputation_would()
    {
        Gen.Select(WireGenerators.ValidIPv4Packet, Gen.Byte[2, 255]).Sample((bytes, ttl) =>
        {
            var packet = IPv4Packet.CreateUnchecked(bytes);
            packet.TimeToLive = ttl;
            packet.FillChecksum();
            Assert.Equal(ttl - 1, packet.DecrementTimeToLive());
            ushort incremental = packet.HeaderChecksum;
            packet.FillChecksum();
            Assert.Equal(packet.HeaderChecksum, incremental);
            Assert.True(packet.VerifyChecksum());
        }, iter: 2000);
    }

    [Fact]
    public void Checksumming_does_not_allocate()
    {
        byte[] data = new byte[9000];
        new Random(1).NextBytes(data);
        InternetChecksum.Compute(data); // warm up (tiering, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int acc = 0;
        for (int i = 0; i < 100; i++)
        {
            acc += InternetChecksum.Compute(data.AsSpan(i));
            var accumulator = new ChecksumAccumulator();
            accumulator.Add(data.AsSpan(0, 13));
            accumulator.Add(data.AsSpan(13));
            acc += accumulator.Checksum;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(-1, acc);
    }
}
