using System;
using BenchmarkDotNet.Attributes;
using NetKit.Protocols.Wire;

namespace NetKit.Benchmarks;

/// <summary>
/// The Internet checksum (RFC 1071) at a minimum-size frame, the IPv4 minimum reassembly size (576), the Ethernet MTU
/// and a jumbo frame: NetKit's vectorized sum against the textbook loop — one big-endian word at a time into a
/// 32-bit accumulator with an end-around carry per add — as the baseline. .NET has no public checksum to compare with.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ChecksumBenchmarks
{
    private byte[] _data = null!;

    [Params(64, 576, 1500, 9000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(42).NextBytes(_data);
    }

    [Benchmark(Baseline = true)]
    public ushort Scalar_reference() => ReferenceChecksum(_data);

    [Benchmark]
    public ushort NetKit_vectorized() => InternetChecksum.Compute(_data);

    private static ushort ReferenceChecksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8 | data[i + 1]);
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
