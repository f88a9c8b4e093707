using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using NetKit.Protocols.Tcp.Sack;
using Xunit;
using TcpSeq = NetKit.Protocols.Tcp.Algorithms.TcpSequence;

namespace NetKit.Protocols.Tests.Tcp.Sack;

public sealed class TcpSackScoreboardTests
{
    private const uint Una = 1000;
    private const uint Max = 1_000_000;
    private const int Mss = 100;

    /// <summary>A scoreboard holding the given blocks, each added with SND.UNA = <see cref="Una"/>, SND.MAX = <see cref="Max"/>.</summary>
    private static TcpSackScoreboard With(params (uint Left, uint Right)[] blocks)
    {
        var sb = new TcpSackScoreboard();
        foreach (var (left, right) in blocks) sb.Add(left, right, Una, Max);
        AssertInvariants(sb, Una);
        return sb;
    }

    internal static (uint Start, uint End)[] Ranges(TcpSackScoreboard sb)
    {
        var ranges = new (uint Start, uint End)[sb.RangeCount];
        for (int i = 0; i < ranges.Length; i++) ranges[i] = sb[i];
        return ranges;
    }

    /// <summary>Sorted, disjoint, non-adjacent, non-empty ranges at or above SND.UNA whose lengths sum to SackedBytes.</summary>
    internal static void AssertInvariants(TcpSackScoreboard sb, uint sndUna)
    {
        var ranges = Ranges(sb);
        Assert.InRange(ranges.Length, 0, TcpSackScoreboard.MaxRanges);
        Assert.Equal(ranges.Length == 0, sb.IsEmpty);
        long sum = 0;
        for (int i = 0; i < ranges.Length; i++)
        {
            var (start, end) = ranges[i];
            Assert.True(TcpSeq.Lt(start, end), $"range {i} [{start}, {end}) is empty or inverted");
            Assert.True(TcpSeq.Geq(start, sndUna), $"range {i} [{start}, {end}) starts below SND.UNA {sndUna}");
            if (i > 0) Assert.True(TcpSeq.Lt(ranges[i - 1].End, start), $"ranges {i - 1} and {i} overlap or touch");
            sum += TcpSeq.Distance(start, end);
        }
        Assert.Equal(sum, sb.SackedBytes);
        if (ranges.Length > 0) Assert.Equal(ranges[^1].End, sb.HighestSacked);
    }

    private static List<(uint Start, uint End)> Holes(TcpSackScoreboard sb, uint sndUna)
    {
        var holes = new List<(uint Start, uint End)>();
        uint cursor = sndUna;
        while (sb.TryGetHole(cursor, sndUna, out uint start, out uint end))
        {
            Assert.True(TcpSeq.Lt(start, end));
            holes.Add((start, end));
            Assert.True(holes.Count <= TcpSackScoreboard.MaxRanges + 1, "hole enumeration does not terminate");
            cursor = end;
        }
        return holes;
    }

    // ---- Empty ----

    [Fact]
    public void ANewScoreboardIsEmpty()
    {
        var sb = new TcpSackScoreboard();
        Assert.True(sb.IsEmpty);
        Assert.Equal(0, sb.RangeCount);
        Assert.Equal(0, sb.SackedBytes);
        Assert.False(sb.IsSacked(Una, out _));
        Assert.Equal(Max, sb.NextSackedAfter(Una, Max));
        Assert.False(sb.TryGetHole(Una, Una, out _, out _));
        Assert.False(sb.IsLost(Una, Mss));
        Assert.Equal(0, sb.SackedAbove(Una, out int ranges));
        Assert.Equal(0, ranges);
        Assert.Equal(0, sb.SackedWithin(Una, Max));
        Assert.Throws<ArgumentOutOfRangeException>(() => sb[0]);
        sb.Advance(Una + 10);
        Assert.True(sb.IsEmpty);
        AssertInvariants(sb, Una + 10);
    }

    [Fact]
    public void TheIndexerRejectsIndicesOutsideTheRangesHeld()
    {
        var sb = With((1100, 1200), (1300, 1400));
        Assert.Equal((1100u, 1200u), sb[0]);
        Assert.Equal((1300u, 1400u), sb[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sb[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sb[-1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => sb[int.MaxValue]);
        sb.Advance(1200);
        Assert.Throws<ArgumentOutOfRangeException>(() => sb[1]); // the shifted-out slot is not readable
    }

    // ---- Add ----

    [Fact]
    public void DisjointBlocksAreKeptSortedWhateverTheOrderTheyArrive()
    {
        var sb = new TcpSackScoreboard();
        Assert.Equal(100, sb.Add(1500, 1600, Una, Max));
        Assert.Equal(100, sb.Add(1100, 1200, Una, Max));
        Assert.Equal(100, sb.Add(1900, 2000, Una, Max));
        Assert.Equal(50, sb.Add(1300, 1350, Una, Max));
        Assert.Equal(new[] { (1100u, 1200u), (1300u, 1350u), (1500u, 1600u), (1900u, 2000u) }, Ranges(sb));
        Assert.Equal(350, sb.SackedBytes);
        Assert.Equal(2000u, sb.HighestSacked);
        Assert.False(sb.IsEmpty);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void AnOverlappingBlockMergesAndCountsOnlyItsNewBytes()
    {
        var sb = With((1100, 1200));
        Assert.Equal(50, sb.Add(1150, 1250, Una, Max)); // overlaps the top
        Assert.Equal(new[] { (1100u, 1250u) }, Ranges(sb));
        Assert.Equal(30, sb.Add(1070, 1120, Una, Max)); // overlaps the bottom
        Assert.Equal(new[] { (1070u, 1250u) }, Ranges(sb));
        Assert.Equal(180, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void TouchingBlocksMergeIntoOneRange()
    {
        var sb = With((1100, 1200));
        Assert.Equal(100, sb.Add(1200, 1300, Una, Max)); // starts where the range ends
        Assert.Equal(new[] { (1100u, 1300u) }, Ranges(sb));
        Assert.Equal(100, sb.Add(1000, 1100, Una, Max)); // ends where the range starts
        Assert.Equal(new[] { (1000u, 1300u) }, Ranges(sb));
        Assert.Equal(1, sb.RangeCount);
        Assert.Equal(300, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockFillingTheGapBetweenTwoRangesExactlyJoinsThem()
    {
        var sb = With((1100, 1200), (1300, 1400));
        Assert.Equal(100, sb.Add(1200, 1300, Una, Max));
        Assert.Equal(new[] { (1100u, 1400u) }, Ranges(sb));
        Assert.Equal(300, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void AContainedOrRepeatedBlockAddsNothingAndChangesNothing()
    {
        var sb = With((1100, 1200), (1300, 1400));
        var before = Ranges(sb);
        Assert.Equal(0, sb.Add(1100, 1200, Una, Max)); // the same
        Assert.Equal(0, sb.Add(1120, 1180, Una, Max)); // inside
        Assert.Equal(0, sb.Add(1100, 1101, Una, Max)); // first byte
        Assert.Equal(0, sb.Add(1399, 1400, Una, Max)); // last byte
        Assert.Equal(before, Ranges(sb));
        Assert.Equal(200, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockContainingARangeSwallowsIt()
    {
        var sb = With((1100, 1200), (1500, 1600));
        Assert.Equal(100, sb.Add(1050, 1250, Una, Max)); // only the parts outside the range are new
        Assert.Equal(new[] { (1050u, 1250u), (1500u, 1600u) }, Ranges(sb));
        Assert.Equal(300, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockBridgingSeveralRangesMergesThemAllAndCountsTheGaps()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600), (1700, 1800), (2000, 2100));
        // [1150, 1750) covers the tail of the first, the middle two whole, the head of the fourth.
        Assert.Equal(100 + 100 + 100, sb.Add(1150, 1750, Una, Max));
        Assert.Equal(new[] { (1100u, 1800u), (2000u, 2100u) }, Ranges(sb));
        Assert.Equal(800, sb.SackedBytes);
        AssertInvariants(sb, Una);

        // From below everything to above everything.
        Assert.Equal(100 + 200 + 100, sb.Add(1000, 2200, Una, Max));
        Assert.Equal(new[] { (1000u, 2200u) }, Ranges(sb));
        Assert.Equal(1200, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockBridgingRangesByTouchingBothEndsMergesThem()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        Assert.Equal(200, sb.Add(1200, 1500, Una, Max)); // touches the first's end and the third's start
        Assert.Equal(new[] { (1100u, 1600u) }, Ranges(sb));
        Assert.Equal(500, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ADsackBlockBelowSndUnaIsIgnored()
    {
        var sb = With((1100, 1200));
        Assert.Equal(0, sb.Add(500, 900, Una, Max));
        Assert.Equal(0, sb.Add(500, 1000, Una, Max)); // ends exactly at SND.UNA
        Assert.Equal(new[] { (1100u, 1200u) }, Ranges(sb));
        Assert.Equal(100, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockStraddlingSndUnaIsClippedToIt()
    {
        var sb = new TcpSackScoreboard();
        Assert.Equal(50, sb.Add(900, 1050, Una, Max));
        Assert.Equal(new[] { (1000u, 1050u) }, Ranges(sb));
        Assert.True(sb.IsSacked(1000, out _));
        Assert.False(sb.IsSacked(999, out _));
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockBeyondSndMaxIsIgnoredAndOneStraddlingItIsClipped()
    {
        const uint sndMax = 2000;
        var sb = new TcpSackScoreboard();
        Assert.Equal(0, sb.Add(2000, 2100, Una, sndMax)); // starts at SND.MAX
        Assert.Equal(0, sb.Add(2500, 2600, Una, sndMax));
        Assert.True(sb.IsEmpty);
        Assert.Equal(100, sb.Add(1900, 2100, Una, sndMax));
        Assert.Equal(new[] { (1900u, 2000u) }, Ranges(sb));
        Assert.Equal(2000u, sb.HighestSacked);
        Assert.Equal(0, sb.Add(1950, 2300, Una, sndMax)); // its new part lies beyond SND.MAX
        Assert.Equal(new[] { (1900u, 2000u) }, Ranges(sb));
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ABlockCoveringAllOfTheFlightIsClippedAtBothEnds()
    {
        const uint sndMax = 2000;
        var sb = new TcpSackScoreboard();
        Assert.Equal(1000, sb.Add(500, 2500, Una, sndMax));
        Assert.Equal(new[] { (Una, sndMax) }, Ranges(sb));
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void InvertedAndEmptyBlocksAreIgnored()
    {
        var sb = With((1100, 1200));
        Assert.Equal(0, sb.Add(1500, 1400, Una, Max));
        Assert.Equal(0, sb.Add(1300, 1300, Una, Max));
        Assert.Equal(0, sb.Add(1200, 1100, Una, Max)); // the held range, inverted
        Assert.Equal(0, sb.Add(1250, 1150, Una, Max)); // inverted across a range
        Assert.Equal(0, sb.Add(1100, 1100, Una, Max)); // empty at a range's start
        Assert.Equal(0, sb.Add(1200, 1200, Una, Max)); // empty at a range's end (touching, but nothing to add)
        Assert.Equal(new[] { (1100u, 1200u) }, Ranges(sb));
        Assert.Equal(100, sb.SackedBytes);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void AnEmptyBlockBetweenTwoRangesDoesNotBridgeThem()
    {
        var sb = With((1100, 1200), (1300, 1400));
        Assert.Equal(0, sb.Add(1250, 1250, Una, Max));
        Assert.Equal(0, sb.Add(1200, 1200, Una, Max));
        Assert.Equal(new[] { (1100u, 1200u), (1300u, 1400u) }, Ranges(sb));
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void ManyRangesGrowTheArrayWithoutLosingAny()
    {
        var sb = new TcpSackScoreboard();
        // Added from the top down so every insertion shifts the ones above.
        for (int i = 99; i >= 0; i--) Assert.Equal(5, sb.Add(Una + 10 * (uint)i, Una + 10 * (uint)i + 5, Una, Max));
        Assert.Equal(100, sb.RangeCount);
        Assert.Equal(500, sb.SackedBytes);
        for (int i = 0; i < 100; i++) Assert.Equal((Una + 10 * (uint)i, Una + 10 * (uint)i + 5), sb[i]);
        AssertInvariants(sb, Una);
    }

    // ---- Advance / Clear ----

    [Fact]
    public void AdvanceDropsCoveredRangesAndTrimsTheOneItEndsIn()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        sb.Advance(1050); // inside the first hole: nothing changes
        Assert.Equal(new[] { (1100u, 1200u), (1300u, 1400u), (1500u, 1600u) }, Ranges(sb));
        AssertInvariants(sb, 1050);

        sb.Advance(1200); // exactly the end of the first range
        Assert.Equal(new[] { (1300u, 1400u), (1500u, 1600u) }, Ranges(sb));
        Assert.Equal(200, sb.SackedBytes);
        AssertInvariants(sb, 1200);

        sb.Advance(1350); // inside the next: trimmed
        Assert.Equal(new[] { (1350u, 1400u), (1500u, 1600u) }, Ranges(sb));
        Assert.Equal(150, sb.SackedBytes);
        AssertInvariants(sb, 1350);

        sb.Advance(1500); // exactly the start of the last: kept whole
        Assert.Equal(new[] { (1500u, 1600u) }, Ranges(sb));
        Assert.Equal(100, sb.SackedBytes);
        AssertInvariants(sb, 1500);

        sb.Advance(1600);
        Assert.True(sb.IsEmpty);
        Assert.Equal(0, sb.SackedBytes);
        AssertInvariants(sb, 1600);
    }

    [Fact]
    public void AdvancePastEverythingEmptiesTheScoreboard()
    {
        var sb = With((1100, 1200), (1300, 1400));
        sb.Advance(5000);
        Assert.True(sb.IsEmpty);
        Assert.Equal(0, sb.SackedBytes);
        Assert.False(sb.TryGetHole(5000, 5000, out _, out _));
        AssertInvariants(sb, 5000);
    }

    [Fact]
    public void AdvanceDroppingSeveralRangesAndTrimmingTheNextKeepsTheRestInOrder()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600), (1700, 1800), (1900, 2000));
        sb.Advance(1550);
        Assert.Equal(new[] { (1550u, 1600u), (1700u, 1800u), (1900u, 2000u) }, Ranges(sb));
        Assert.Equal(250, sb.SackedBytes);
        AssertInvariants(sb, 1550);
        // New blocks still merge correctly after the shift.
        Assert.Equal(100, sb.Add(1600, 1700, 1550, Max));
        Assert.Equal(new[] { (1550u, 1800u), (1900u, 2000u) }, Ranges(sb));
        AssertInvariants(sb, 1550);
    }

    [Fact]
    public void ClearForgetsEverythingAndTheScoreboardIsReusable()
    {
        var sb = With((1100, 1200), (1300, 1400));
        sb.Clear();
        Assert.True(sb.IsEmpty);
        Assert.Equal(0, sb.RangeCount);
        Assert.Equal(0, sb.SackedBytes);
        Assert.False(sb.IsSacked(1150, out _));
        Assert.False(sb.TryGetHole(Una, Una, out _, out _));
        AssertInvariants(sb, Una);
        Assert.Equal(50, sb.Add(1150, 1200, Una, Max));
        Assert.Equal(new[] { (1150u, 1200u) }, Ranges(sb));
        AssertInvariants(sb, Una);
    }

    // ---- Queries ----

    [Fact]
    public void IsSackedReportsWhereTheRangeEnds()
    {
        var sb = With((1100, 1200), (1300, 1400));
        Assert.True(sb.IsSacked(1100, out uint end));
        Assert.Equal(1200u, end);
        Assert.True(sb.IsSacked(1199, out end));
        Assert.Equal(1200u, end);
        Assert.True(sb.IsSacked(1350, out end));
        Assert.Equal(1400u, end);
        Assert.False(sb.IsSacked(1200, out _));
        Assert.False(sb.IsSacked(1099, out _));
        Assert.False(sb.IsSacked(1400, out _));
        Assert.False(sb.IsSacked(Una, out _));
        Assert.False(sb.IsSacked(9999, out _));
    }

    [Fact]
    public void NextSackedAfterFindsTheNextRangeStartCappedAtTheLimit()
    {
        var sb = With((1100, 1200), (1300, 1400));
        Assert.Equal(1100u, sb.NextSackedAfter(Una, Max));
        Assert.Equal(1100u, sb.NextSackedAfter(1099, Max));
        Assert.Equal(1300u, sb.NextSackedAfter(1100, Max)); // a range starting at the sequence is not "after" it
        Assert.Equal(1300u, sb.NextSackedAfter(1150, Max));
        Assert.Equal(1300u, sb.NextSackedAfter(1250, Max));
        Assert.Equal(Max, sb.NextSackedAfter(1300, Max));
        Assert.Equal(Max, sb.NextSackedAfter(1500, Max));
        Assert.Equal(1050u, sb.NextSackedAfter(Una, 1050)); // limit below the next start
        Assert.Equal(1100u, sb.NextSackedAfter(Una, 1100));
        Assert.Equal(1250u, sb.NextSackedAfter(1150, 1250));
    }

    [Fact]
    public void TryGetHoleEnumeratesTheHolesBelowTheHighestSackedByte()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        Assert.Equal(new[] { (1000u, 1100u), (1200u, 1300u), (1400u, 1500u) }, Holes(sb, Una));
    }

    [Fact]
    public void TryGetHoleStartsFromTheCursor()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        uint start, end;
        Assert.True(sb.TryGetHole(1050, Una, out start, out end)); // inside a hole: its rest
        Assert.Equal((1050u, 1100u), (start, end));
        Assert.True(sb.TryGetHole(1100, Una, out start, out end)); // at a range's start: the next hole
        Assert.Equal((1200u, 1300u), (start, end));
        Assert.True(sb.TryGetHole(1150, Una, out start, out end)); // inside a range: the next hole
        Assert.Equal((1200u, 1300u), (start, end));
        Assert.True(sb.TryGetHole(1200, Una, out start, out end));
        Assert.Equal((1200u, 1300u), (start, end));
        Assert.True(sb.TryGetHole(1499, Una, out start, out end));
        Assert.Equal((1499u, 1500u), (start, end));
        Assert.False(sb.TryGetHole(1500, Una, out _, out _)); // nothing SACKed above the last range
        Assert.False(sb.TryGetHole(1600, Una, out _, out _));
        Assert.False(sb.TryGetHole(5000, Una, out _, out _));
        Assert.True(sb.TryGetHole(500, Una, out start, out end)); // below SND.UNA: from SND.UNA
        Assert.Equal((Una, 1100u), (start, end));
    }

    [Fact]
    public void NoHoleBeforeARangeStartingAtSndUna()
    {
        var sb = With((Una, 1200), (1300, 1400));
        Assert.Equal(new[] { (1200u, 1300u) }, Holes(sb, Una));
        var single = With((Una, 1200));
        Assert.Empty(Holes(single, Una));
    }

    [Fact]
    public void SackedAboveCountsBytesAndRangesAboveASequence()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        Assert.Equal(300, sb.SackedAbove(Una, out int ranges));
        Assert.Equal(3, ranges);
        Assert.Equal(200, sb.SackedAbove(1200, out ranges));
        Assert.Equal(2, ranges);
        Assert.Equal(150, sb.SackedAbove(1350, out ranges)); // part of a range counts, and so does the range
        Assert.Equal(2, ranges);
        Assert.Equal(1, sb.SackedAbove(1599, out ranges));
        Assert.Equal(1, ranges);
        Assert.Equal(0, sb.SackedAbove(1600, out ranges));
        Assert.Equal(0, ranges);
    }

    [Fact]
    public void SackedWithinCountsOnlyTheOverlap()
    {
        var sb = With((1100, 1200), (1300, 1400), (1500, 1600));
        Assert.Equal(300, sb.SackedWithin(Una, Max));
        Assert.Equal(0, sb.SackedWithin(1200, 1300));
        Assert.Equal(100, sb.SackedWithin(1100, 1200));
        Assert.Equal(100, sb.SackedWithin(1150, 1350));
        Assert.Equal(1, sb.SackedWithin(1599, 1600));
        Assert.Equal(0, sb.SackedWithin(1600, 1700));
        Assert.Equal(0, sb.SackedWithin(1150, 1150)); // empty
        Assert.Equal(0, sb.SackedWithin(1350, 1150)); // inverted
    }

    // ---- IsLost (RFC 6675 §4) ----

    [Fact]
    public void IsLostByDupThreshDiscontiguousRanges()
    {
        // Three one-byte ranges: far below 2 * SMSS bytes, so only the ranges rule can fire.
        var sb = With((1100, 1101), (1200, 1201), (1300, 1301));
        Assert.True(sb.IsLost(1100, Mss));   // all three lie at or above the hole's end
        Assert.True(sb.IsLost(1050, Mss));
        Assert.False(sb.IsLost(1101, Mss));  // two above
        Assert.False(sb.IsLost(1200, Mss));
        Assert.False(sb.IsLost(1300, Mss));
        Assert.False(sb.IsLost(1301, Mss));
    }

    [Fact]
    public void IsLostByMoreThanDupThreshMinusOneSegmentsOfBytes()
    {
        // One range, so only the bytes rule can fire: it needs more than (3 - 1) * 100 = 200 bytes above.
        var sb = With((1100, 1300));
        Assert.False(sb.IsLost(1100, Mss)); // exactly 200: not more
        Assert.Equal(1, sb.Add(1300, 1301, Una, Max));
        Assert.True(sb.IsLost(1100, Mss)); // 201
        Assert.True(sb.IsLost(1000, Mss));
        Assert.False(sb.IsLost(1101, Mss)); // a hole end inside the range counts only the part above: 200
        Assert.False(sb.IsLost(1301, Mss));
        Assert.True(sb.IsLost(1100, 1)); // a smaller SMSS
        Assert.False(sb.IsLost(1100, 1460));
    }

    [Fact]
    public void IsLostAddsTheBytesOfAllRangesAbove()
    {
        var sb = With((1100, 1200), (1300, 1401));
        Assert.True(sb.IsLost(1050, Mss));  // 100 + 101 = 201 in two ranges
        Assert.False(sb.IsLost(1150, Mss)); // 50 + 101
        Assert.False(sb.IsLost(1200, Mss)); // 101
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    public void IsLostRangesRuleFollowsARaisedThreshold(int threshold)
    {
        var sb = new TcpSackScoreboard();
        for (int i = 1; i < threshold; i++) sb.Add(Una + 100 * (uint)i, Una + 100 * (uint)i + 1, Una, Max);
        Assert.Equal(threshold - 1, sb.RangeCount);
        Assert.False(sb.IsLost(Una + 50, Mss, threshold)); // threshold - 1 ranges
        sb.Add(Una + 100 * (uint)threshold, Una + 100 * (uint)threshold + 1, Una, Max);
        Assert.True(sb.IsLost(Una + 50, Mss, threshold));
        Assert.False(sb.IsLost(Una + 150, Mss, threshold));
        Assert.False(sb.IsLost(Una + 50, Mss, threshold + 1)); // the same ranges fall short of a higher threshold
        if (threshold > 3) Assert.True(sb.IsLost(Una + 50, Mss)); // ... but exceed the default one
    }

    [Theory]
    [InlineData(3, 100)]
    [InlineData(4, 100)]
    [InlineData(6, 1460)]
    public void IsLostBytesRuleFollowsARaisedThreshold(int threshold, int mss)
    {
        uint limit = Una + 100 + (uint)((threshold - 1) * mss);
        var sb = With((Una + 100, limit));
        Assert.False(sb.IsLost(Una + 100, mss, threshold)); // exactly (threshold - 1) * SMSS
        Assert.True(sb.IsLost(Una + 100, mss, threshold - 1));
        sb.Add(limit, limit + 1, Una, Max);
        Assert.True(sb.IsLost(Una + 100, mss, threshold));
        Assert.False(sb.IsLost(Una + 100, mss, threshold + 1));
    }

    [Fact]
    public void IsLostWithTheDefaultThresholdUsesDupThresh3()
    {
        Assert.Equal(3, TcpSackScoreboard.DuplicateThreshold);
        var sb = With((1100, 1101), (1200, 1201), (1300, 1301));
        Assert.Equal(sb.IsLost(1050, Mss, 3), sb.IsLost(1050, Mss));
        Assert.Equal(sb.IsLost(1150, Mss, 3), sb.IsLost(1150, Mss));
    }

    // ---- Wrap-around ----

    [Fact]
    public void RangesAcrossTheWrapMergeAdvanceAndEnumerate()
    {
        const uint una = uint.MaxValue - 999; // 2^32 - 1000
        const uint max = 2000;                // 3000 bytes in flight, across 2^32
        var sb = new TcpSackScoreboard();

        Assert.Equal(200, sb.Add(uint.MaxValue - 99, 100, una, max)); // [2^32 - 100, 100)
        Assert.Equal(new[] { (uint.MaxValue - 99, 100u) }, Ranges(sb));
        Assert.Equal(100u, sb.HighestSacked);
        Assert.True(sb.IsSacked(uint.MaxValue, out uint end));
        Assert.Equal(100u, end);
        Assert.True(sb.IsSacked(0, out end));
        Assert.Equal(100u, end);
        Assert.False(sb.IsSacked(uint.MaxValue - 100, out _));
        AssertInvariants(sb, una);

        Assert.Equal(100, sb.Add(uint.MaxValue - 499, uint.MaxValue - 399, una, max)); // below the wrap
        Assert.Equal(100, sb.Add(300, 400, una, max));                                  // above it
        Assert.Equal(new[] { (uint.MaxValue - 499, uint.MaxValue - 399), (uint.MaxValue - 99, 100u), (300u, 400u) }, Ranges(sb));
        Assert.Equal(new[] { (una, uint.MaxValue - 499), (uint.MaxValue - 399, uint.MaxValue - 99), (100u, 300u) }, Holes(sb, una));
        Assert.Equal(400u, sb.HighestSacked);
        AssertInvariants(sb, una);

        // A block ending exactly at 2^32 (0) touches the wrapped range and bridges the hole below it.
        Assert.Equal(300, sb.Add(uint.MaxValue - 399, 0, una, max));
        Assert.Equal(new[] { (uint.MaxValue - 499, 100u), (300u, 400u) }, Ranges(sb));
        Assert.Equal(700, sb.SackedBytes);
        AssertInvariants(sb, una);

        Assert.Equal(700, sb.SackedAbove(una, out int ranges));
        Assert.Equal(2, ranges);
        Assert.Equal(150 + 50, sb.SackedWithin(uint.MaxValue - 49, 350));
        Assert.True(sb.IsLost(una, Mss));       // 700 bytes above
        Assert.False(sb.IsLost(50, Mss));       // 50 + 100 bytes above
        Assert.Equal(300u, sb.NextSackedAfter(50, max));

        // A D-SACK below SND.UNA across the wrap, and a block beyond SND.MAX, are ignored.
        Assert.Equal(0, sb.Add(una - 100, una, una, max));
        Assert.Equal(0, sb.Add(max, max + 10, una, max));
        AssertInvariants(sb, una);

        sb.Advance(uint.MaxValue - 199); // inside the first range, still below 2^32
        Assert.Equal(new[] { (uint.MaxValue - 199, 100u), (300u, 400u) }, Ranges(sb));
        Assert.Equal(400, sb.SackedBytes);
        AssertInvariants(sb, uint.MaxValue - 199);

        sb.Advance(50); // across the wrap
        Assert.Equal(new[] { (50u, 100u), (300u, 400u) }, Ranges(sb));
        Assert.Equal(150, sb.SackedBytes);
        Assert.Equal(new[] { (100u, 300u) }, Holes(sb, 50));
        AssertInvariants(sb, 50);
    }

    [Fact]
    public void ARangeEndingExactlyAt2To32HasHighestSackedZero()
    {
        const uint una = uint.MaxValue - 999;
        var sb = new TcpSackScoreboard();
        Assert.Equal(100, sb.Add(uint.MaxValue - 99, 0, una, 5000));
        Assert.False(sb.IsEmpty);
        Assert.Equal(0u, sb.HighestSacked);
        Assert.True(sb.IsSacked(uint.MaxValue, out uint end));
        Assert.Equal(0u, end);
        Assert.False(sb.IsSacked(0, out _));
        Assert.Equal(new[] { (una, uint.MaxValue - 99) }, Holes(sb, una));
        Assert.Equal(10, sb.Add(0, 10, una, 5000)); // touches across the wrap
        Assert.Equal(new[] { (uint.MaxValue - 99, 10u) }, Ranges(sb));
        AssertInvariants(sb, una);
    }

    [Fact]
    public void SndMaxJustPastTheWrapClipsABlock()
    {
        const uint una = uint.MaxValue - 99;
        var sb = new TcpSackScoreboard();
        Assert.Equal(60, sb.Add(uint.MaxValue - 49, 100, una, 10)); // clipped to [2^32 - 50, 10)
        Assert.Equal(new[] { (uint.MaxValue - 49, 10u) }, Ranges(sb));
        AssertInvariants(sb, una);
    }

    // ---- MaxRanges ----

    /// <summary>MaxRanges five-byte ranges, ten bytes apart, from SND.UNA + 10.</summary>
    private static TcpSackScoreboard Full()
    {
        var sb = new TcpSackScoreboard();
        for (uint i = 1; i <= TcpSackScoreboard.MaxRanges; i++) Assert.Equal(5, sb.Add(Una + 10 * i, Una + 10 * i + 5, Una, Max));
        Assert.Equal(TcpSackScoreboard.MaxRanges, sb.RangeCount);
        Assert.Equal(5L * TcpSackScoreboard.MaxRanges, sb.SackedBytes);
        AssertInvariants(sb, Una);
        return sb;
    }

    private const uint FullTop = Una + 10 * TcpSackScoreboard.MaxRanges + 5;

    [Fact]
    public void WhenFullANewRangeAboveEverythingIsIgnored()
    {
        var sb = Full();
        var before = Ranges(sb);
        Assert.Equal(0, sb.Add(FullTop + 1, FullTop + 100, Una, Max));
        Assert.Equal(before, Ranges(sb));
        Assert.Equal(5L * TcpSackScoreboard.MaxRanges, sb.SackedBytes);
        Assert.Equal(FullTop, sb.HighestSacked);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void WhenFullANewRangeBelowTheTopForgetsTheHighestRange()
    {
        var sb = Full();
        var before = Ranges(sb);
        // Between SND.UNA and the first range.
        Assert.Equal(3, sb.Add(Una + 2, Una + 5, Una, Max));
        Assert.Equal(TcpSackScoreboard.MaxRanges, sb.RangeCount);
        Assert.Equal((Una + 2, Una + 5), sb[0]);
        Assert.Equal(before[..^1], Ranges(sb)[1..]);
        Assert.Equal(before[^2].End, sb.HighestSacked);
        Assert.False(sb.IsSacked(FullTop - 1, out _));
        Assert.Equal(5L * TcpSackScoreboard.MaxRanges + 3 - 5, sb.SackedBytes);
        AssertInvariants(sb, Una);

        // Just below the (new) highest range: it goes, and the new one becomes the highest.
        var top = sb[TcpSackScoreboard.MaxRanges - 1];
        Assert.Equal(2, sb.Add(top.Start - 4, top.Start - 2, Una, Max));
        Assert.Equal(TcpSackScoreboard.MaxRanges, sb.RangeCount);
        Assert.Equal(top.Start - 2, sb.HighestSacked);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void WhenFullBlocksThatMergeStillCountAndForgetNothing()
    {
        var sb = Full();
        Assert.Equal(2, sb.Add(FullTop, FullTop + 2, Una, Max)); // extends the top
        Assert.Equal(FullTop + 2, sb.HighestSacked);
        Assert.Equal(5, sb.Add(Una + 15, Una + 20, Una, Max)); // joins the first two
        Assert.Equal(TcpSackScoreboard.MaxRanges - 1, sb.RangeCount);
        Assert.Equal(5L * TcpSackScoreboard.MaxRanges + 7, sb.SackedBytes);
        AssertInvariants(sb, Una);
        // One free slot again: a range above everything is now kept.
        Assert.Equal(10, sb.Add(FullTop + 100, FullTop + 110, Una, Max));
        Assert.Equal(TcpSackScoreboard.MaxRanges, sb.RangeCount);
        Assert.Equal(FullTop + 110, sb.HighestSacked);
        AssertInvariants(sb, Una);
    }

    [Fact]
    public void AfterAdvanceFreesRoomRangesAboveAreKeptAgain()
    {
        var sb = Full();
        sb.Advance(Una + 30); // drops two
        Assert.Equal(TcpSackScoreboard.MaxRanges - 2, sb.RangeCount);
        Assert.Equal(10, sb.Add(FullTop + 100, FullTop + 110, Una + 30, Max));
        Assert.Equal(FullTop + 110, sb.HighestSacked);
        AssertInvariants(sb, Una + 30);
    }

    // ---- Properties ----

    private enum OpKind { Add, Advance, Grow, Clear }

    private readonly record struct Op(OpKind Kind, int A, int B);

    private static Gen<Op> Ops(int add, int advance, int grow, int clear)
    {
        var kinds = new List<(int, OpKind)> { (add, OpKind.Add) };
        if (advance > 0) kinds.Add((advance, OpKind.Advance));
        if (grow > 0) kinds.Add((grow, OpKind.Grow));
        if (clear > 0) kinds.Add((clear, OpKind.Clear));
        return Gen.Select(Gen.Frequency(kinds.ToArray()), Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20], (k, a, b) => new Op(k, a, b));
    }

    /// <summary>Base sequence numbers: anywhere, or close enough below 2^32 that the window wraps.</summary>
    private static readonly Gen<uint> s_base = Gen.OneOf<uint>(Gen.UInt, Gen.UInt[uint.MaxValue - 6000, uint.MaxValue]);

    /// <summary>
    /// The reference: one bool per byte offset from the base, SND.UNA and SND.MAX as offsets. Bytes below SND.UNA are
    /// never SACKed (Advance clears them) and bytes at or above SND.MAX never set. MaxRanges overflow is modelled as
    /// documented: a new range (touching nothing) above everything is ignored, otherwise the highest range goes.
    /// </summary>
    private sealed class Model
    {
        private readonly bool[] _sacked;
        public long Una;
        public long Max;
        public int Ignored;
        public int Forgotten;

        public Model(int size, long max)
        {
            _sacked = new bool[size];
            Max = max;
        }

        public int Size => _sacked.Length;

        public bool IsSacked(long offset) => offset >= Una && offset < Max && _sacked[offset];

        public List<(long Start, long End)> Ranges()
        {
            var ranges = new List<(long, long)>();
            for (long o = Una; o < Max; o++)
            {
                if (!_sacked[o]) continue;
                long start = o;
                while (o < Max && _sacked[o]) o++;
                ranges.Add((start, o));
            }
            return ranges;
        }

        public int Add(long left, long right)
        {
            long l = Math.Max(left, Una), r = Math.Min(right, Max);
            if (l >= r) return 0;
            var ranges = Ranges();
            bool touches = ranges.Any(x => x.Start <= r && x.End >= l);
            if (!touches && ranges.Count == TcpSackScoreboard.MaxRanges)
            {
                var top = ranges[^1];
                if (l > top.End)
                {
                    Ignored++;
                    return 0;
                }
                for (long o = top.Start; o < top.End; o++) _sacked[o] = false;
                Forgotten++;
            }
            int added = 0;
            for (long o = l; o < r; o++)
            {
                if (_sacked[o]) continue;
                _sacked[o] = true;
                added++;
            }
            return added;
        }

        public void Advance(long una)
        {
            for (long o = Una; o < una; o++) _sacked[o] = false;
            Una = una;
        }

        public void Clear() => Array.Clear(_sacked);
    }

    /// <summary>Applies one operation to both, checking Add's return value.</summary>
    private static void Apply(TcpSackScoreboard sb, Model model, uint seqBase, Op op, int maxLength, int maxAdvance)
    {
        uint Seq(long offset) => unchecked(seqBase + (uint)offset);
        long span = model.Max - model.Una;
        switch (op.Kind)
        {
            case OpKind.Add:
            {
                // Edges reach a little below SND.UNA (D-SACKs) and above SND.MAX; lengths may be empty or inverted.
                long left = model.Una - 60 + op.A % (span + 121);
                // One in eight is empty or inverted.
                long right = left + (op.B % 8 == 0 ? -(op.B / 8 % 31) : 1 + op.B / 8 % maxLength);
                int expected = model.Add(left, right);
                Assert.Equal(expected, sb.Add(Seq(left), Seq(right), Seq(model.Una), Seq(model.Max)));
                break;
            }
            case OpKind.Advance:
            {
                long una = model.Una + op.A % (Math.Min(span, maxAdvance) + 1);
                model.Advance(una);
                sb.Advance(Seq(una));
                break;
            }
            case OpKind.Grow:
                model.Max = Math.Min(model.Size, model.Max + op.A % 1500);
                break;
            default:
                model.Clear();
                sb.Clear();
                break;
        }
    }

    /// <summary>The scoreboard's ranges and holes equal the model's; with <paramref name="points"/> every query is also checked at the interesting offsets (or at all of them when <paramref name="everyOffset"/>).</summary>
    private static void Check(TcpSackScoreboard sb, Model model, uint seqBase, bool points, bool everyOffset)
    {
        uint Seq(long offset) => unchecked(seqBase + (uint)offset);
        uint una = Seq(model.Una);
        var expected = model.Ranges();
        AssertInvariants(sb, una);
        var actual = Ranges(sb);
        Assert.Equal(expected.Select(r => (Seq(r.Start), Seq(r.End))).ToArray(), actual);
        Assert.Equal(expected.Sum(r => r.End - r.Start), sb.SackedBytes);
        if (expected.Count > 0) Assert.Equal(Seq(expected[^1].End), sb.HighestSacked);

        // The holes: the model's gaps from SND.UNA up to the highest SACKed byte.
        var gaps = new List<(uint, uint)>();
        long cursor = model.Una;
        foreach (var (start, end) in expected)
        {
            if (start > cursor) gaps.Add((Seq(cursor), Seq(start)));
            cursor = end;
        }
        Assert.Equal(gaps, Holes(sb, una));

        if (!points) return;
        var offsets = new HashSet<long> { model.Una - 1, model.Una, model.Una + 1, model.Max - 1, model.Max, model.Max + 1 };
        if (everyOffset)
            for (long o = model.Una - 3; o <= model.Max + 3; o++) offsets.Add(o);
        else
            foreach (var (start, end) in expected)
                for (long d = -1; d <= 1; d++)
                {
                    offsets.Add(start + d);
                    offsets.Add(end + d);
                }

        foreach (long o in offsets)
        {
            uint seq = Seq(o);
            int index = expected.FindIndex(r => r.Start <= o && o < r.End);
            Assert.Equal(index >= 0, sb.IsSacked(seq, out uint end));
            if (index >= 0) Assert.Equal(Seq(expected[index].End), end);

            // NextSackedAfter: the first range start above o, capped at a limit.
            long next = expected.Where(r => r.Start > o).Select(r => r.Start).DefaultIfEmpty(long.MaxValue).First();
            Assert.Equal(Seq(Math.Min(next, model.Max)), sb.NextSackedAfter(seq, Seq(model.Max)));
            Assert.Equal(Seq(Math.Min(next, o + 7)), sb.NextSackedAfter(seq, Seq(o + 7)));

            // TryGetHole from o: the first gap part at or above max(o, SND.UNA) below the highest range.
            long from = Math.Max(o, model.Una);
            (long Start, long End)? hole = null;
            long holeStart = model.Una;
            foreach (var (start, end2) in expected)
            {
                long s = Math.Max(holeStart, from);
                if (s < start)
                {
                    hole = (s, start);
                    break;
                }
                holeStart = end2;
            }
            Assert.Equal(hole.HasValue, sb.TryGetHole(seq, una, out uint hs, out uint he));
            if (hole.HasValue) Assert.Equal((Seq(hole.Value.Start), Seq(hole.Value.End)), (hs, he));

            // SackedAbove / IsLost: bytes at or above o, and ranges ending above it.
            long bytesAbove = expected.Sum(r => Math.Max(0, r.End - Math.Max(r.Start, o)));
            int rangesAbove = expected.Count(r => r.End > o);
            Assert.Equal(bytesAbove, sb.SackedAbove(seq, out int ranges));
            Assert.Equal(rangesAbove, ranges);
            foreach (int threshold in new[] { 3, 5 })
                foreach (int mss in new[] { 1, 50, 536 })
                    Assert.Equal(rangesAbove >= threshold || bytesAbove > (long)(threshold - 1) * mss, sb.IsLost(seq, mss, threshold));

            // SackedWithin [o, o + 97).
            long within = expected.Sum(r => Math.Max(0, Math.Min(r.End, o + 97) - Math.Max(r.Start, o)));
            Assert.Equal(within, sb.SackedWithin(seq, Seq(o + 97)));
        }
    }

    [Fact]
    public void RandomBlocksAndAdvancesMatchAPerByteModel()
    {
        Gen.Select(s_base, Gen.Int[1, 5000], Gen.Int[0, 100], Gen.Int[1, 1500], Ops(add: 12, advance: 2, grow: 2, clear: 1).Array[0, 60])
            .Sample((seqBase, total, initialMaxPercent, maxLength, ops) =>
        {
            var sb = new TcpSackScoreboard();
            var model = new Model(total, total * (long)initialMaxPercent / 100);
            foreach (var op in ops)
            {
                Apply(sb, model, seqBase, op, maxLength, int.MaxValue);
                Check(sb, model, seqBase, points: true, everyOffset: false);
            }
            Check(sb, model, seqBase, points: true, everyOffset: true);
        }, iter: 400);
    }

    [Fact]
    public void ManySmallBlocksOverflowingMaxRangesMatchTheModel()
    {
        int ignored = 0, forgotten = 0;
        Gen.Select(s_base, Gen.Int[2500, 4000], Gen.Int[1, 4], Ops(add: 200, advance: 1, grow: 0, clear: 0).Array[600, 1200])
            .Sample((seqBase, total, maxLength, ops) =>
        {
            var sb = new TcpSackScoreboard();
            var model = new Model(total, total);
            foreach (var op in ops)
            {
                Apply(sb, model, seqBase, op, maxLength, maxAdvance: 40);
                Check(sb, model, seqBase, points: false, everyOffset: false);
            }
            Check(sb, model, seqBase, points: true, everyOffset: true);
            Interlocked.Add(ref ignored, model.Ignored);
            Interlocked.Add(ref forgotten, model.Forgotten);
        }, iter: 30);
        // The generator must actually reach the bound, both ways.
        Assert.True(ignored > 0, $"no block was ignored for lack of room ({forgotten} forgotten)");
        Assert.True(forgotten > 0, "no highest range was forgotten");
    }
}
