using System;
using System.Numerics;

namespace NetKit.Appliance.Serve;

/// <summary>
/// The bytes the http service's <c>/bytes/N</c> returns, defined for every offset so that a client can check any part
/// of a body without having the whole of it: byte <c>i</c> is <c>unchecked((byte)(i * 7 + (i &gt;&gt; 8) * 13))</c>.
/// The pattern does not repeat every 256 bytes (the <c>i &gt;&gt; 8</c> term), so a lost or duplicated block shows.
/// </summary>
public static class DeterministicContent
{
    // Within the 256-byte block k (i = 256k + j): i*7 + k*13 ≡ 7j + 13k (mod 256), because 7·256k ≡ 0. So each block
    // is one fixed 256-byte pattern (7j) plus a constant (13k): a vector add per block instead of a multiply per byte.
    // The pattern is stored twice so a block's tail can be read as one run from any j.
    private static readonly byte[] s_pattern = CreatePattern();

    private static byte[] CreatePattern()
    {
        var pattern = new byte[512];
        for (int j = 0; j < pattern.Length; j++) pattern[j] = unchecked((byte)(j * 7));
        return pattern;
    }

    /// <summary>The byte at <paramref name="offset"/> (offset ≥ 0).</summary>
    public static byte At(long offset) => unchecked((byte)(offset * 7 + (offset >> 8) * 13));

    /// <summary>Fills <paramref name="destination"/> with the content starting at <paramref name="offset"/> (offset ≥ 0).</summary>
    public static void Fill(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        while (!destination.IsEmpty)
        {
            int j = (int)(offset & 255);
            int run = Math.Min(256 - j, destination.Length);
            byte constant = unchecked((byte)((offset >> 8) * 13));
            AddConstant(s_pattern.AsSpan(j, run), constant, destination[..run]);
            destination = destination[run..];
            offset += run;
        }
    }

    /// <summary>True when <paramref name="data"/> is the content starting at <paramref name="offset"/>; else the first bad index.</summary>
    public static bool Verify(long offset, ReadOnlySpan<byte> data, out int firstMismatch)
    {
        Span<byte> expected = stackalloc byte[256];
        for (int done = 0; done < data.Length; done += expected.Length)
        {
            var chunk = data.Slice(done, Math.Min(expected.Length, data.Length - done));
            Fill(offset + done, expected[..chunk.Length]);
            int mismatch = chunk.CommonPrefixLength(expected[..chunk.Length]);
            if (mismatch < chunk.Length)
            {
                firstMismatch = done + mismatch;
                return false;
            }
        }
        firstMismatch = -1;
        return true;
    }

    private static void AddConstant(ReadOnlySpan<byte> source, byte constant, Span<byte> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            var add = new Vector<byte>(constant);
            for (; i <= source.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                (new Vector<byte>(source[i..]) + add).CopyTo(destination[i..]); // byte lanes wrap: mod 256
        }
        for (; i < source.Length; i++) destination[i] = unchecked((byte)(source[i] + constant));
    }
}
