using CsCheck;
using Xunit;
using TcpSeq = NetKit.Protocols.Tcp.Algorithms.TcpSequence;

namespace NetKit.Protocols.Tests.Tcp.Algorithms;

public sealed class TcpSequenceTests
{
    [Fact]
    public void ComparesWithoutWrap()
    {
        Assert.True(TcpSeq.Lt(1, 2));
        Assert.False(TcpSeq.Lt(2, 2));
        Assert.True(TcpSeq.Leq(2, 2));
        Assert.True(TcpSeq.Gt(3, 2));
        Assert.False(TcpSeq.Gt(2, 2));
        Assert.True(TcpSeq.Geq(2, 2));
    }

    [Fact]
    public void ComparesAcrossTheWrap()
    {
        Assert.True(TcpSeq.Lt(0xFFFF_FFF0, 0x10));
        Assert.True(TcpSeq.Leq(0xFFFF_FFFF, 0));
        Assert.True(TcpSeq.Gt(0x10, 0xFFFF_FFF0));
        Assert.True(TcpSeq.Geq(0, 0xFFFF_FFFF));
        Assert.False(TcpSeq.Gt(0xFFFF_FFF0, 0x10));
        Assert.Equal(0x10u, TcpSeq.Max(0xFFFF_FFF0, 0x10));
        Assert.Equal(0xFFFF_FFF0u, TcpSeq.Min(0xFFFF_FFF0, 0x10));
        Assert.Equal(0x20, TcpSeq.Distance(0xFFFF_FFF0, 0x10));
        Assert.Equal(-0x20, TcpSeq.Distance(0x10, 0xFFFF_FFF0));
    }

    [Fact]
    public void HalfTheSpaceApartIsTheAmbiguousEdge()
    {
        // 2^31 apart has no defined order: both directions read "before" (int.MinValue is negative).
        Assert.True(TcpSeq.Lt(0, 0x8000_0000));
        Assert.True(TcpSeq.Lt(0x8000_0000, 0));
        Assert.True(TcpSeq.Lt(0, 0x7FFF_FFFF));
        Assert.True(TcpSeq.Gt(0x7FFF_FFFF, 0));
    }

    [Fact]
    public void InRangeIsHalfOpenAndWraps()
    {
        Assert.True(TcpSeq.InRange(100, 100, 200));
        Assert.True(TcpSeq.InRange(199, 100, 200));
        Assert.False(TcpSeq.InRange(200, 100, 200));
        Assert.False(TcpSeq.InRange(99, 100, 200));
        Assert.False(TcpSeq.InRange(100, 100, 100));

        Assert.True(TcpSeq.InRange(0xFFFF_FFF0, 0xFFFF_FFF0, 0x10));
        Assert.True(TcpSeq.InRange(0xFFFF_FFFF, 0xFFFF_FFF0, 0x10));
        Assert.True(TcpSeq.InRange(0, 0xFFFF_FFF0, 0x10));
        Assert.True(TcpSeq.InRange(0xF, 0xFFFF_FFF0, 0x10));
        Assert.False(TcpSeq.InRange(0x10, 0xFFFF_FFF0, 0x10));
        Assert.False(TcpSeq.InRange(0xFFFF_FFEF, 0xFFFF_FFF0, 0x10));
    }

    [Fact]
    public void AnythingLessThanHalfTheSpaceAheadIsLater()
    {
        Gen.Select(Gen.UInt, Gen.UInt[1, int.MaxValue]).Sample((a, d) =>
        {
            uint b = unchecked(a + d);
            Assert.True(TcpSeq.Lt(a, b));
            Assert.True(TcpSeq.Leq(a, b));
            Assert.True(TcpSeq.Gt(b, a));
            Assert.True(TcpSeq.Geq(b, a));
            Assert.False(TcpSeq.Lt(b, a));
            Assert.False(TcpSeq.Gt(a, b));
            Assert.Equal(b, TcpSeq.Max(a, b));
            Assert.Equal(a, TcpSeq.Min(b, a));
            Assert.Equal((int)d, TcpSeq.Distance(a, b));
            Assert.Equal(-(int)d, TcpSeq.Distance(b, a));
        });
    }

    [Fact]
    public void InRangeAgreesWithTheComparisons()
    {
        Gen.Select(Gen.UInt, Gen.UInt[0, int.MaxValue], Gen.UInt).Sample((low, span, seq) =>
        {
            uint high = unchecked(low + span);
            bool expected = TcpSeq.Geq(seq, low) && TcpSeq.Lt(seq, high);
            Assert.Equal(expected, TcpSeq.InRange(seq, low, high));
        });
    }
}
