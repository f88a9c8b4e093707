using System;
using System.Buffers.Binary;
using CsCheck;
using NetKit.Runtime.Hashing;
using Xunit;

namespace NetKit.Runtime.Tests.Hashing;

public sealed class ToeplitzHashTests
{
    // The key of Microsoft's "Verifying the RSS Hash Calculation" suite (also in Intel 82599 datasheet 7.1.2.8.3).
    private static readonly byte[] MicrosoftKey = Convert.FromHexString(
        "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    private static uint Ip(byte a, byte b, byte c, byte d) => (uint)(a << 24 | b << 16 | c << 8 | d);

    public static TheoryData<uint, uint, ushort, ushort, uint, uint> Vectors => new()
    {
        // source, destination, source port, destination port, address-only hash, 4-tuple hash
        { Ip(66, 9, 149, 187), Ip(161, 142, 100, 80), 2794, 1766, 0x323e8fc2, 0x51ccc178 },
        { Ip(199, 92, 111, 2), Ip(65, 69, 140, 83), 14230, 4739, 0xd718262a, 0xc626b0ea },
        { Ip(24, 19, 198, 95), Ip(12, 22, 207, 184), 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
        { Ip(38, 27, 205, 30), Ip(209, 142, 163, 6), 48228, 2217, 0x82989176, 0xafc7327f },
        { Ip(153, 39, 163, 191), Ip(202, 188, 127, 2), 44251, 1303, 0x5d1809c5, 0x10e828a2 },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_the_published_RSS_verification_suite(uint src, uint dst, ushort sport, ushort dport, uint addrHash, uint tupleHash)
    {
        var toeplitz = new ToeplitzHash(MicrosoftKey);
        Assert.Equal(addrHash, toeplitz.HashIPv4(src, dst));
        Assert.Equal(tupleHash, toeplitz.HashIPv4(src, dst, sport, dport));
        // The generic byte form agrees with the specialised one.
        Span<byte> input = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(input, src);
        BinaryPrimitives.WriteUInt32BigEndian(input[4..], dst);
        BinaryPrimitives.WriteUInt16BigEndian(input[8..], sport);
        BinaryPrimitives.WriteUInt16BigEndian(input[10..], dport);
        Assert.Equal(tupleHash, toeplitz.Compute(input));
    }

    /// <summary>Bit-by-bit Toeplitz straight from the definition, to check the table version against.</summary>
    private static uint Reference(byte[] key, ReadOnlySpan<byte> input)
    {
        uint result = 0;
        for (int bit = 0; bit < input.Length * 8; bit++)
        {
            if ((input[bit / 8] & (0x80 >> (bit % 8))) == 0) continue;
            uint window = 0;
            for (int k = 0; k < 32; k++)
            {
                int keyBit = bit + k;
                if ((key[keyBit / 8] & (0x80 >> (keyBit % 8))) != 0) window |= 1u << (31 - k);
            }
            result ^= window;
        }
        return result;
    }

    [Fact]
    public void Table_lookup_equals_the_bitwise_definition_for_random_keys_and_inputs()
    {
        Gen.Select(Gen.Byte.Array[40], Gen.Byte.Array[0, ToeplitzHash.MaxInputLength]).Sample((key, input) =>
            new ToeplitzHash(key).Compute(input) == Reference(key, input), iter: 300);
    }

    [Fact]
    public void The_symmetric_key_hashes_both_directions_of_a_flow_alike()
    {
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UShort, Gen.UShort).Sample((a, b, pa, pb) =>
            FlowHash.IPv4FourTuple(a, b, pa, pb) == FlowHash.IPv4FourTuple(b, a, pb, pa) &&
            FlowHash.IPv4Addresses(a, b) == FlowHash.IPv4Addresses(b, a), iter: 10_000);
    }

    [Fact]
    public void The_folded_form_for_the_symmetric_key_equals_the_byte_by_byte_hash()
    {
        var symmetric = ToeplitzHash.Symmetric;
        Assert.True(symmetric.IsSymmetric);
        Assert.False(new ToeplitzHash(MicrosoftKey).IsSymmetric);
        Gen.Select(Gen.UInt, Gen.UInt, Gen.UShort, Gen.UShort).Sample((a, b, pa, pb) =>
        {
            Span<byte> input = stackalloc byte[12];
            BinaryPrimitives.WriteUInt32BigEndian(input, a);
            BinaryPrimitives.WriteUInt32BigEndian(input[4..], b);
            BinaryPrimitives.WriteUInt16BigEndian(input[8..], pa);
            BinaryPrimitives.WriteUInt16BigEndian(input[10..], pb);
            return symmetric.HashIPv4(a, b, pa, pb) == symmetric.Compute(input) &&
                   symmetric.HashIPv4(a, b) == symmetric.Compute(input[..8]) &&
                   symmetric.Compute(input) == Reference(symmetric.Key, input);
        }, iter: 10_000);
    }

    [Fact]
    public void The_default_key_is_DragonFlys_two_seed_bytes_repeated()
    {
        var key = ToeplitzHash.Symmetric.Key;
        Assert.Equal(40, key.Length);
        for (int i = 0; i < 40; i += 2)
        {
            Assert.Equal(0x6d, key[i]);
            Assert.Equal(0x5a, key[i + 1]);
        }
    }

    [Fact]
    public void Cpu_selection_is_low_seven_bits_modulo_cpu_count()
    {
        Assert.Equal(0, FlowHash.CpuOf(0x80, 3));          // 0x80 & 127 = 0
        Assert.Equal(127 % 5, FlowHash.CpuOf(0xFFFF_FFFF, 5));
        Gen.Select(Gen.UInt, Gen.Int[1, 128]).Sample((h, n) => FlowHash.CpuOf(h, n) == (int)((h & 127) % (uint)n));
    }

    [Fact]
    public void The_symmetric_hash_spreads_flows_over_cpus()
    {
        // 20,000 client ports to one server: each of 4 CPUs gets a fair share (within 20% of even).
        var counts = new int[4];
        for (int port = 10_000; port < 30_000; port++)
            counts[FlowHash.CpuOf(FlowHash.IPv4FourTuple(Ip(10, 0, 0, 2), Ip(10, 0, 0, 1), (ushort)port, 80), 4)]++;
        Assert.All(counts, c => Assert.InRange(c, 4000, 6000));
    }

    [Fact]
    public void Bad_keys_and_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ToeplitzHash(new byte[39]));
        Assert.Throws<ArgumentException>(() => ToeplitzHash.Symmetric.Compute(new byte[37]));
    }
}
