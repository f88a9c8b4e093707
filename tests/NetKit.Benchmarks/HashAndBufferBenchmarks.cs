using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;

namespace NetKit.Benchmarks;

/// <summary>Flow hashing: the Toeplitz 4-tuple hash against <see cref="HashCode.Combine{T1,T2,T3,T4}"/> (the BCL's general-purpose hash, for scale).</summary>
public class FlowHashBenchmarks
{
    private const int Flows = 1024;
    private readonly uint[] _src = new uint[Flows], _dst = new uint[Flows];
    private readonly ushort[] _sport = new ushort[Flows], _dport = new ushort[Flows];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        for (int i = 0; i < Flows; i++)
        {
            _src[i] = (uint)rng.Next();
            _dst[i] = (uint)rng.Next();
            _sport[i] = (ushort)rng.Next();
            _dport[i] = (ushort)rng.Next();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Flows)]
    public int HashCode_Combine()
    {
        int acc = 0;
        for (int i = 0; i < Flows; i++) acc ^= HashCode.Combine(_src[i], _dst[i], _sport[i], _dport[i]);
        return acc;
    }

    [Benchmark(OperationsPerInvoke = Flows)]
    public uint Toeplitz_FourTuple()
    {
        var toeplitz = ToeplitzHash.Symmetric;
        uint acc = 0;
        for (int i = 0; i < Flows; i++) acc ^= toeplitz.HashIPv4(_src[i], _dst[i], _sport[i], _dport[i]);
        return acc;
    }
}

/// <summary>Packet buffer rent + free on the owning thread against <see cref="ArrayPool{T}"/> rent + return.</summary>
public class PacketBufferBenchmarks
{
    private const int Pairs = 1024;
    private PacketBufferPool _pool = null!;
    private readonly ArrayPool<byte> _privateArrayPool = ArrayPool<byte>.Create(2048, 1024);

    [GlobalSetup]
    public void Setup() => _pool = new PacketBufferPool(new PacketBufferPoolOptions { BufferSize = 2048 });

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Pairs)]
    public int ArrayPool_Shared_RentReturn() => RentReturn(ArrayPool<byte>.Shared);

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int ArrayPool_Private_RentReturn() => RentReturn(_privateArrayPool);

    private static int RentReturn(ArrayPool<byte> pool)
    {
        int acc = 0;
        for (int i = 0; i < Pairs; i++)
        {
            var a = pool.Rent(2048);
            acc += a.Length;
            pool.Return(a);
        }
        return acc;
    }

    [Benchmark(OperationsPerInvoke = Pairs)]
    public int NetKitPool_RentFree()
    {
        int acc = 0;
        for (int i = 0; i < Pairs; i++)
        {
            var b = _pool.TryRent()!;
            acc += b.Capacity;
            b.Free();
        }
        return acc;
    }
}
