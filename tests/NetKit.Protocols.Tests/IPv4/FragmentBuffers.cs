using System;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;

namespace NetKit.Protocols.Tests.IPv4;

/// <summary>Builds packet buffer chains from bytes and back, and checks a pool got every buffer home.</summary>
internal static class FragmentBuffers
{
    /// <summary>A private pool: small buffers make fragments chains, so the chain paths get exercised.</summary>
    public static PacketBufferPool Pool(int bufferSize = 256, int maxBuffers = 4096, int headroom = 48) =>
        new(new PacketBufferPoolOptions { BufferSize = bufferSize, DefaultHeadroom = headroom, MaxBuffers = maxBuffers, BuffersPerSlab = 64 });

    /// <summary>A received fragment: <paramref name="header"/>, the payload slice, then link padding.</summary>
    public static PacketBuffer Received(PacketBufferPool pool, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, int padding = 0)
    {
        var chain = pool.TryRentChain(header.Length + payload.Length + padding, pool.Options.DefaultHeadroom)
            ?? throw new InvalidOperationException("test pool exhausted");
        int written = Write(chain, 0, header);
        written = Write(chain, written, payload);
        Span<byte> pad = stackalloc byte[padding];
        pad.Fill(0xEE);
        Write(chain, written, pad);
        return chain;
    }

    /// <summary>A payload chain as a transport would hand it to IPv4 output.</summary>
    public static PacketBuffer Payload(PacketBufferPool pool, ReadOnlySpan<byte> bytes, int headroom)
    {
        var chain = pool.TryRentChain(bytes.Length, headroom) ?? throw new InvalidOperationException("test pool exhausted");
        Write(chain, 0, bytes);
        return chain;
    }

    public static byte[] ToArray(PacketBuffer chain)
    {
        var bytes = new byte[chain.ChainLength];
        int at = 0;
        for (PacketBuffer? b = chain; b is not null; b = b.Next)
        {
            b.Data.CopyTo(bytes.AsSpan(at));
            at += b.Length;
        }
        return bytes;
    }

    /// <summary>True when no buffer of the chain is back in its pool and none appears twice.</summary>
    public static bool IsLive(PacketBuffer chain)
    {
        int count = 0;
        for (PacketBuffer? b = chain; b is not null; b = b.Next)
        {
            if (!b.IsOwned || ++count > 10_000) return false;
        }
        return true;
    }

    /// <summary>Every buffer the pool created is home (this also releases the pool).</summary>
    public static bool AllHome(PacketBufferPool pool) => pool.TryReleaseMemory();

    public static long DoubleFrees => Misuse.Count(MisuseKind.DoubleFree);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes <paramref name="bytes"/> at data offset <paramref name="offset"/> of the chain; returns the offset after them.</summary>
    private static int Write(PacketBuffer chain, int offset, ReadOnlySpan<byte> bytes)
    {
        int end = offset + bytes.Length;
        var b = chain;
        int at = offset;
        while (at >= b.Length && b.Next is not null)
        {
            at -= b.Length;
            b = b.Next;
        }
        while (!bytes.IsEmpty)
        {
            int n = Math.Min(bytes.Length, b.Length - at);
            bytes[..n].CopyTo(b.Data[at..]);
            bytes = bytes[n..];
            if (bytes.IsEmpty) break;
            b = b.Next!;
            at = 0;
        }
        return end;
    }
}
