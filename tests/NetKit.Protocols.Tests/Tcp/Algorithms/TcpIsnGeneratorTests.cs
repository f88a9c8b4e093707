using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Threading.Tasks;
using Xunit;
using Isn = NetKit.Protocols.Tcp.Algorithms.TcpIsnGenerator;

namespace NetKit.Protocols.Tests.Tcp.Algorithms;

public sealed class TcpIsnGeneratorTests
{
    private const uint Local = 0x0A000001, Remote = 0xC0A80102;
    private const ushort LocalPort = 49152, RemotePort = 443;

    private static byte[] Key(byte fill)
    {
        var key = new byte[Isn.KeyLength];
        for (int i = 0; i < key.Length; i++) key[i] = (byte)(fill + i);
        return key;
    }

    [Fact]
    public void SameKeyTupleAndTimeGiveTheSameIsn()
    {
        var a = new Isn(Key(1));
        var b = new Isn(Key(1));
        Assert.Equal(a.Next(Local, LocalPort, Remote, RemotePort, 123_456), b.Next(Local, LocalPort, Remote, RemotePort, 123_456));
        Assert.Equal(a.Next(Local, LocalPort, Remote, RemotePort, 123_456), a.Next(Local, LocalPort, Remote, RemotePort, 123_456));
    }

    [Fact]
    public void MatchesTheRfc6528Construction()
    {
        var key = Key(7);
        var isn = new Isn(key);
        Span<byte> tuple = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(tuple, Local);
        BinaryPrimitives.WriteUInt16BigEndian(tuple[4..], LocalPort);
        BinaryPrimitives.WriteUInt32BigEndian(tuple[6..], Remote);
        BinaryPrimitives.WriteUInt16BigEndian(tuple[10..], RemotePort);
        uint f = BinaryPrimitives.ReadUInt32BigEndian(HMACSHA256.HashData(key, tuple.ToArray()));
        const long now = 4_000_000_123;
        Assert.Equal(unchecked((uint)(now / 4) + f), isn.Next(Local, LocalPort, Remote, RemotePort, now));
    }

    [Fact]
    public void DifferentTuplesGiveDifferentIsns()
    {
        var isn = new Isn(Key(1));
        uint baseline = isn.Next(Local, LocalPort, Remote, RemotePort, 0);
        Assert.NotEqual(baseline, isn.Next(Local, LocalPort + 1, Remote, RemotePort, 0));
        Assert.NotEqual(baseline, isn.Next(Local, LocalPort, Remote, RemotePort + 1, 0));
        Assert.NotEqual(baseline, isn.Next(Local + 1, LocalPort, Remote, RemotePort, 0));
        Assert.NotEqual(baseline, isn.Next(Local, LocalPort, Remote + 1, RemotePort, 0));
        Assert.NotEqual(baseline, isn.Next(Remote, RemotePort, Local, LocalPort, 0)); // the reverse direction
    }

    [Fact]
    public void AdvancesOncePerFourMicroseconds()
    {
        var isn = new Isn(Key(3));
        const long t = 1_000_000;
        uint start = isn.Next(Local, LocalPort, Remote, RemotePort, t);
        Assert.Equal(start, isn.Next(Local, LocalPort, Remote, RemotePort, t + 3));
        Assert.Equal(unchecked(start + 1), isn.Next(Local, LocalPort, Remote, RemotePort, t + 4));
        Assert.Equal(unchecked(start + 250_000), isn.Next(Local, LocalPort, Remote, RemotePort, t + 1_000_000));
        // M wraps modulo 2^32 after about 4.77 hours.
        Assert.Equal(start, isn.Next(Local, LocalPort, Remote, RemotePort, t + 4 * (1L << 32)));
    }

    [Fact]
    public void DifferentKeysGiveDifferentIsns()
    {
        Assert.NotEqual(new Isn(Key(1)).Next(Local, LocalPort, Remote, RemotePort, 0),
            new Isn(Key(2)).Next(Local, LocalPort, Remote, RemotePort, 0));
        Assert.NotEqual(new Isn().Next(Local, LocalPort, Remote, RemotePort, 0),
            new Isn().Next(Local, LocalPort, Remote, RemotePort, 0));
    }

    [Fact]
    public void RejectsShortKeys()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Isn(new byte[Isn.MinKeyLength - 1]));
        _ = new Isn(new byte[Isn.MinKeyLength]);
    }

    [Fact]
    public void TheKeyIsCopied()
    {
        var key = Key(5);
        var isn = new Isn(key);
        uint before = isn.Next(Local, LocalPort, Remote, RemotePort, 0);
        key[0] ^= 0xFF;
        Assert.Equal(before, isn.Next(Local, LocalPort, Remote, RemotePort, 0));
    }

    [Fact]
    public void NextDoesNotAllocate()
    {
        var isn = new Isn();
        uint sink = 0;
        for (int i = 0; i < 100; i++) sink += isn.Next(Local, (ushort)i, Remote, RemotePort, i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) sink += isn.Next(Local, (ushort)i, Remote, RemotePort, i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        GC.KeepAlive(sink);
    }

    [Fact]
    public void IsSafeToShareBetweenThreads()
    {
        var isn = new Isn(Key(9));
        var expected = new uint[256];
        for (int i = 0; i < expected.Length; i++) expected[i] = isn.Next(Local, (ushort)i, Remote, RemotePort, i * 10L);
        var mismatches = 0;
        Parallel.For(0, 64, _ =>
        {
            for (int i = 0; i < expected.Length; i++)
                if (isn.Next(Local, (ushort)i, Remote, RemotePort, i * 10L) != expected[i]) System.Threading.Interlocked.Increment(ref mismatches);
        });
        Assert.Equal(0, mismatches);
    }
}
