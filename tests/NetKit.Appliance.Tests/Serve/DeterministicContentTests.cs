using System;
using NetKit.Appliance.Serve;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The /bytes/N content: the defining formula at every offset, whatever the piece boundaries.</summary>
public sealed class DeterministicContentTests
{
    private static byte Formula(long i) => unchecked((byte)(i * 7 + (i >> 8) * 13));

    [Fact]
    public void TheFirstBytesFollowTheFormula()
    {
        var data = new byte[1024];
        DeterministicContent.Fill(0, data);
        for (int i = 0; i < data.Length; i++) Assert.Equal(Formula(i), data[i]);
        Assert.Equal(new byte[] { 0, 7, 14, 21 }, data[..4]);
        Assert.Equal(Formula(256), data[256]); // 256*7 + 13 = 1805 → 13
        Assert.Equal(13, data[256]);
    }

    [Fact]
    public void AnyPieceMatchesTheFormula()
    {
        var random = new Random(1234);
        for (int round = 0; round < 500; round++)
        {
            long offset = round < 250 ? random.Next(0, 100_000) : random.NextInt64(0, 1L << 40);
            var data = new byte[random.Next(0, 3000)];
            DeterministicContent.Fill(offset, data);
            for (int i = 0; i < data.Length; i++)
                Assert.True(Formula(offset + i) == data[i], $"offset {offset} + {i}");
            Assert.Equal(data.Length == 0 ? default : Formula(offset), data.Length == 0 ? default : DeterministicContent.At(offset));
        }
    }

    [Fact]
    public void PiecesJoinIntoTheWhole()
    {
        var whole = new byte[100_000];
        DeterministicContent.Fill(0, whole);
        var pieces = new byte[whole.Length];
        int done = 0;
        var random = new Random(7);
        while (done < pieces.Length)
        {
            int n = Math.Min(random.Next(1, 5000), pieces.Length - done);
            DeterministicContent.Fill(done, pieces.AsSpan(done, n));
            done += n;
        }
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void TheEndOfTheLargestBodyIsDefined()
    {
        long last = (1L << 40) - 1;
        Span<byte> tail = stackalloc byte[1];
        DeterministicContent.Fill(last, tail);
        Assert.Equal(Formula(last), tail[0]);
    }

    [Fact]
    public void VerifyFindsTheFirstWrongByte()
    {
        var data = new byte[5000];
        DeterministicContent.Fill(300, data);
        Assert.True(DeterministicContent.Verify(300, data, out int mismatch));
        Assert.Equal(-1, mismatch);
        data[4321] ^= 1;
        Assert.False(DeterministicContent.Verify(300, data, out mismatch));
        Assert.Equal(4321, mismatch);
        Assert.False(DeterministicContent.Verify(301, data, out mismatch));
        Assert.Equal(0, mismatch);
    }

    [Fact]
    public void ANegativeOffsetIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeterministicContent.Fill(-1, new byte[1]));
}
