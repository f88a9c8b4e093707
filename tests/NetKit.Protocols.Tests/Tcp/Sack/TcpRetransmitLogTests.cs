using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using NetKit.Protocols.Tcp.Sack;
using Xunit;

namespace NetKit.Protocols.Tests.Tcp.Sack;

public sealed class TcpRetransmitLogTests
{
    private const uint Una = 1000;
    private const uint Max = 1_000_000;
    private const int Mss = 100;
    private const int Thresh = TcpSackScoreboard.DuplicateThreshold;
    private const long Window = 1_000;     // reorder window, µs
    private const long Now = 50_000;

    private static TcpSackScoreboard Sacked(uint sndUna, params (uint Left, uint Right)[] blocks)
    {
        var sb = new TcpSackScoreboard();
        foreach (var (left, right) in blocks) sb.Add(left, right, sndUna, Max);
        return sb;
    }

    /// <summary>Update at <see cref="Now"/> for an entry sent at <see cref="Now"/>: the time rule cannot fire.</summary>
    private static int UpdateNow(TcpRetransmitLog log, uint sndUna, TcpSackScoreboard sb, int threshold = Thresh) =>
        log.Update(sndUna, sb, Mss, threshold, Now, Window);

    private static List<(uint Start, uint End)> TakeAll(TcpRetransmitLog log)
    {
        var taken = new List<(uint, uint)>();
        while (log.TryTakeLostAgain(out uint start, out uint end))
        {
            taken.Add((start, end));
            Assert.True(taken.Count <= TcpRetransmitLog.Capacity, "TryTakeLostAgain does not terminate");
        }
        return taken;
    }

    // ---- Empty ----

    [Fact]
    public void ANewLogIsEmpty()
    {
        var log = new TcpRetransmitLog();
        var sb = new TcpSackScoreboard();
        Assert.Equal(0, log.Count);
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(0, log.BytesInFlight(Una, sb));
        Assert.Equal(0, UpdateNow(log, Una, Sacked(Una, (5000, 6000), (7000, 8000), (9000, 10000))));
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void AddedRetransmissionsAreInFlightButNotLost()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.Add(1200, 1350, 5000, Now);
        Assert.Equal(2, log.Count);
        Assert.Equal(250, log.BytesInFlight(Una, new TcpSackScoreboard()));
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(0, UpdateNow(log, Una, new TcpSackScoreboard()));
        Assert.Equal(2, log.Count);
    }

    // ---- Forgetting ----

    [Fact]
    public void UpdateForgetsCumulativelyAcknowledgedEntriesAndTrimsPartlyAcknowledgedOnes()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.Add(1200, 1300, 5000, Now);
        var sb = new TcpSackScoreboard();

        Assert.Equal(0, UpdateNow(log, 1100, sb)); // exactly the first's end
        Assert.Equal(1, log.Count);
        Assert.Equal(100, log.BytesInFlight(1100, sb));

        Assert.Equal(0, UpdateNow(log, 1250, sb)); // into the second
        Assert.Equal(1, log.Count);
        Assert.Equal(50, log.BytesInFlight(1250, sb));

        // Once lost again it comes back trimmed to SND.UNA.
        sb = Sacked(1250, (5100, 5101), (5200, 5201), (5300, 5301));
        Assert.Equal(1, UpdateNow(log, 1250, sb));
        Assert.True(log.TryTakeLostAgain(out uint start, out uint end));
        Assert.Equal((1250u, 1300u), (start, end));

        log.Add(1300, 1400, 5000, Now);
        Assert.Equal(0, UpdateNow(log, 2000, new TcpSackScoreboard())); // past everything
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void UpdateForgetsFullySackedEntriesAndKeepsPartlySackedOnes()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.Add(1200, 1300, 5000, Now);
        log.Add(1400, 1500, 5000, Now);
        var sb = Sacked(Una, (1200, 1300), (1000, 1050), (1380, 1600)); // all below the mark

        Assert.Equal(0, UpdateNow(log, Una, sb));
        Assert.Equal(1, log.Count); // [1000, 1100) is half SACKed; the other two arrived
        Assert.Equal(50, log.BytesInFlight(Una, sb));
        Assert.False(log.TryTakeLostAgain(out _, out _));

        sb.Add(1050, 1100, Una, Max);
        Assert.Equal(0, UpdateNow(log, Una, sb));
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void AnEntryPartlyAcknowledgedAndSackedForTheRestIsForgotten()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1300, 5000, Now);
        // [1000, 1100) acknowledged, [1100, 1300) SACKed by two touching blocks (one range).
        var sb = Sacked(1100, (1100, 1200), (1200, 1300));
        Assert.Equal(0, UpdateNow(log, 1100, sb));
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void ALostAgainEntryThatIsThenSackedIsForgottenNotRetransmitted()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        var sb = Sacked(Una, (2100, 2101), (2200, 2201), (2300, 2301));
        Assert.Equal(1, UpdateNow(log, Una, sb));
        sb.Add(1000, 1100, Una, Max);
        Assert.Equal(0, UpdateNow(log, Una, sb));
        Assert.Equal(0, log.Count);
        Assert.False(log.TryTakeLostAgain(out _, out _));
    }

    // ---- Lost again: the DupThresh rule above the mark ----

    [Fact]
    public void DupThreshRangesAboveTheMarkMarkItLostAgain()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        var sb = Sacked(Una, (2100, 2101), (2200, 2201));
        Assert.Equal(0, UpdateNow(log, Una, sb)); // two ranges, two bytes
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(100, log.BytesInFlight(Una, sb));

        sb.Add(2300, 2301, Una, Max);
        Assert.Equal(1, UpdateNow(log, Una, sb));
        Assert.Equal(0, log.BytesInFlight(Una, sb)); // lost again: not in flight
        Assert.Equal(0, UpdateNow(log, Una, sb));    // already marked: not counted again
        Assert.Equal(1, log.Count);

        Assert.True(log.TryTakeLostAgain(out uint start, out uint end));
        Assert.Equal((1000u, 1100u), (start, end));
        Assert.Equal(0, log.Count);
        Assert.False(log.TryTakeLostAgain(out _, out _));
    }

    [Fact]
    public void ARaisedThresholdNeedsMoreRangesAboveTheMark()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        var sb = Sacked(Una, (2100, 2101), (2200, 2201), (2300, 2301));
        Assert.Equal(0, UpdateNow(log, Una, sb, threshold: 4));
        sb.Add(2400, 2401, Una, Max);
        Assert.Equal(1, UpdateNow(log, Una, sb, threshold: 4));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    public void MoreThanDupThreshMinusOneSegmentsOfBytesAboveTheMarkMarkItLostAgain(int threshold)
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        uint limit = 2000 + (uint)((threshold - 1) * Mss);
        var sb = Sacked(Una, (2000, limit)); // one range, exactly (threshold - 1) * SMSS bytes
        Assert.Equal(0, UpdateNow(log, Una, sb, threshold));
        sb.Add(limit, limit + 1, Una, Max);
        Assert.Equal(1, sb.RangeCount);
        Assert.Equal(1, UpdateNow(log, Una, sb, threshold));
    }

    [Fact]
    public void SacksBelowTheMarkDoNotCountAndAStraddlingRangeCountsOnlyItsPartAbove()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 3000, Now);
        // Plenty SACKed, in many ranges, but all of it sent before the retransmission.
        var sb = Sacked(Una, (1200, 1300), (1400, 1500), (1600, 1700), (1800, 2900));
        Assert.Equal(0, UpdateNow(log, Una, sb));

        sb.Add(2950, 3200, Una, Max); // 200 bytes above the mark: not more than 2 * SMSS
        Assert.Equal(0, UpdateNow(log, Una, sb));
        sb.Add(3200, 3201, Una, Max); // 201
        Assert.Equal(1, UpdateNow(log, Una, sb));
    }

    [Fact]
    public void TheMarkItselfIsTheFirstByteAbove()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        var sb = Sacked(Una, (1900, 2000)); // ends at the mark: nothing above
        Assert.Equal(0, log.Update(Una, sb, Mss, Thresh, Now + 10 * Window, Window)); // even with the time rule
        sb.Add(2000, 2001, Una, Max);
        Assert.Equal(1, log.Update(Una, sb, Mss, Thresh, Now + 10 * Window, Window));
    }

    [Fact]
    public void UpdateCountsEveryEntryNewlyMarked()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        log.Add(1200, 1300, 2000, Now);
        log.Add(1400, 1500, 9000, Now); // sent later: nothing above its mark yet
        var sb = Sacked(Una, (2100, 2101), (2200, 2201), (2300, 2301));
        Assert.Equal(2, UpdateNow(log, Una, sb));
        Assert.Equal(3, log.Count);
        Assert.Equal(100, log.BytesInFlight(Una, sb));
        sb.Add(9100, 9101, Una, Max);
        sb.Add(9200, 9201, Una, Max);
        sb.Add(9300, 9301, Una, Max);
        Assert.Equal(1, UpdateNow(log, Una, sb));
        Assert.Equal(0, log.BytesInFlight(Una, sb));
        Assert.Equal(new[] { (1000u, 1100u), (1200u, 1300u), (1400u, 1500u) }, TakeAll(log));
    }

    // ---- Lost again: the time rule ----

    [Fact]
    public void AnySackAboveTheMarkMarksItOnceTheReorderWindowHasPassed()
    {
        const long sent = 10_000, window = 5_000;
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, sent);
        var sb = Sacked(Una, (2000, 2001)); // a single byte above the mark (a probe)

        Assert.Equal(0, log.Update(Una, sb, Mss, Thresh, sent, window));
        Assert.Equal(0, log.Update(Una, sb, Mss, Thresh, sent + window - 1, window)); // not yet
        Assert.Equal(100, log.BytesInFlight(Una, sb));
        Assert.Equal(1, log.Update(Una, sb, Mss, Thresh, sent + window, window));    // the window has passed
        Assert.Equal(0, log.BytesInFlight(Una, sb));
        Assert.True(log.TryTakeLostAgain(out uint start, out uint end));
        Assert.Equal((1000u, 1100u), (start, end));
    }

    [Fact]
    public void TheTimeRuleNeedsSomethingSackedAboveTheMark()
    {
        const long sent = 10_000, window = 5_000;
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, sent);
        var sb = Sacked(Una, (1200, 1300), (1400, 1500), (1600, 2000)); // all below the mark
        Assert.Equal(0, log.Update(Una, sb, Mss, Thresh, sent + 100 * window, window));
        Assert.Equal(0, log.Update(Una, new TcpSackScoreboard(), Mss, Thresh, sent + 100 * window, window));
        Assert.False(log.TryTakeLostAgain(out _, out _));
    }

    [Fact]
    public void TheTimeRuleIsMeasuredFromEachEntrysOwnSendTime()
    {
        const long window = 5_000;
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, 10_000);
        log.Add(1200, 1300, 2000, 14_000);
        var sb = Sacked(Una, (2500, 2600));
        Assert.Equal(1, log.Update(Una, sb, Mss, Thresh, 15_000, window)); // only the first is old enough
        Assert.Equal(100, log.BytesInFlight(Una, sb));
        Assert.True(log.TryTakeLostAgain(out uint start, out _));
        Assert.Equal(1000u, start);
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(1, log.Update(Una, sb, Mss, Thresh, 19_000, window));
        Assert.True(log.TryTakeLostAgain(out start, out _));
        Assert.Equal(1200u, start);
    }

    [Fact]
    public void AZeroReorderWindowMarksOnAnySackAboveTheMark()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        Assert.Equal(1, log.Update(Una, Sacked(Una, (2000, 2001)), Mss, Thresh, Now, 0));
    }

    // ---- TryTakeLostAgain / AddLost ----

    [Fact]
    public void TryTakeLostAgainReturnsTheLowestFirstAndRemovesIt()
    {
        var log = new TcpRetransmitLog();
        log.Add(3000, 3100, 4000, Now);
        log.Add(1000, 1100, 4000, Now);
        log.Add(1500, 1600, 9000, Now); // not lost
        log.Add(2000, 2100, 4000, Now);
        var sb = Sacked(Una, (4100, 4101), (4200, 4201), (4300, 4301));
        Assert.Equal(3, UpdateNow(log, Una, sb));

        Assert.True(log.TryTakeLostAgain(out uint start, out uint end));
        Assert.Equal((1000u, 1100u), (start, end));
        Assert.Equal(3, log.Count);
        Assert.True(log.TryTakeLostAgain(out start, out end));
        Assert.Equal((2000u, 2100u), (start, end));
        Assert.True(log.TryTakeLostAgain(out start, out end));
        Assert.Equal((3000u, 3100u), (start, end));
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(1, log.Count); // the one not lost stays
        Assert.Equal(100, log.BytesInFlight(Una, sb));
    }

    [Fact]
    public void AddLostEntriesComeBackWithoutAnUpdateAndAreNotInFlight()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.AddLost(2500, 2600);
        log.AddLost(1500, 1550);
        Assert.Equal(3, log.Count);
        Assert.Equal(100, log.BytesInFlight(Una, new TcpSackScoreboard()));
        Assert.Equal(new[] { (1500u, 1550u), (2500u, 2600u) }, TakeAll(log));
        Assert.Equal(1, log.Count);
    }

    [Fact]
    public void AddLostEntriesSurviveUpdatesUntilAcknowledgedOrSacked()
    {
        var log = new TcpRetransmitLog();
        log.AddLost(1000, 1100);
        log.AddLost(1200, 1300);
        log.AddLost(1400, 1500);
        var sb = Sacked(Una, (1400, 1500));
        Assert.Equal(0, UpdateNow(log, Una, sb)); // already lost: not newly marked; the SACKed one goes
        Assert.Equal(2, log.Count);
        Assert.Equal(0, UpdateNow(log, 1250, sb)); // the first acknowledged, the second trimmed
        Assert.Equal(new[] { (1250u, 1300u) }, TakeAll(log));
    }

    [Fact]
    public void LostAgainAndAddLostEntriesInterleaveByStart()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 2000, Now);
        log.AddLost(1050, 1080);
        log.Add(1300, 1400, 2000, Now);
        log.AddLost(1200, 1250);
        Assert.Equal(2, UpdateNow(log, Una, Sacked(Una, (2100, 2101), (2200, 2201), (2300, 2301))));
        Assert.Equal(new[] { (1000u, 1100u), (1050u, 1080u), (1200u, 1250u), (1300u, 1400u) }, TakeAll(log));
        Assert.Equal(0, log.Count);
    }

    // ---- BytesInFlight ----

    [Fact]
    public void BytesInFlightExcludesLostAgainAcknowledgedAndSackedParts()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.Add(1200, 1300, 5000, Now);
        log.Add(1400, 1500, 5000, Now);
        log.AddLost(1600, 1700);
        var sb = Sacked(Una, (1250, 1280));
        Assert.Equal(100 + 70 + 100, log.BytesInFlight(Una, sb));
        Assert.Equal(50 + 70 + 100, log.BytesInFlight(1050, sb));  // before any Update: SND.UNA alone trims
        Assert.Equal(20 + 100, log.BytesInFlight(1260, sb));       // SND.UNA inside a SACKed part
        sb.Advance(1300);
        Assert.Equal(100, log.BytesInFlight(1300, sb));
        Assert.Equal(0, log.BytesInFlight(1700, sb));
    }

    [Fact]
    public void BytesInFlightIgnoresEmptyAndInvertedEntries()
    {
        var log = new TcpRetransmitLog();
        log.Add(1100, 1100, 5000, Now);
        log.Add(1200, 1100, 5000, Now);
        Assert.Equal(0, log.BytesInFlight(Una, new TcpSackScoreboard()));
        Assert.Equal(0, UpdateNow(log, Una, new TcpSackScoreboard()));
        Assert.Equal(0, log.Count);
    }

    // ---- Capacity / Clear ----

    [Fact]
    public void TheLogHoldsAtMostCapacityEntries()
    {
        var log = new TcpRetransmitLog();
        for (uint i = 0; i < TcpRetransmitLog.Capacity + 50; i++) log.Add(Una + 10 * i, Una + 10 * i + 5, 100_000, Now);
        Assert.Equal(TcpRetransmitLog.Capacity, log.Count);
        Assert.Equal(5L * TcpRetransmitLog.Capacity, log.BytesInFlight(Una, new TcpSackScoreboard())); // the later ones not tracked
        log.AddLost(500_000, 500_100);
        Assert.Equal(TcpRetransmitLog.Capacity, log.Count);
        Assert.False(log.TryTakeLostAgain(out _, out _));

        // Marked lost and taken one by one, in order; each take frees a slot.
        var sb = Sacked(Una, (100_100, 100_101), (100_200, 100_201), (100_300, 100_301));
        Assert.Equal(TcpRetransmitLog.Capacity, UpdateNow(log, Una, sb));
        Assert.True(log.TryTakeLostAgain(out uint start, out _));
        Assert.Equal(Una, start);
        log.AddLost(500_000, 500_100);
        Assert.Equal(TcpRetransmitLog.Capacity, log.Count);
        var taken = TakeAll(log);
        Assert.Equal(TcpRetransmitLog.Capacity, taken.Count);
        Assert.Equal((500_000u, 500_100u), taken[^1]);
        for (int i = 0; i < taken.Count - 1; i++) Assert.Equal(Una + 10 * (uint)(i + 1), taken[i].Start);
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void ClearForgetsEverythingAndTheLogIsReusable()
    {
        var log = new TcpRetransmitLog();
        log.Add(1000, 1100, 5000, Now);
        log.AddLost(1200, 1300);
        log.Clear();
        Assert.Equal(0, log.Count);
        Assert.False(log.TryTakeLostAgain(out _, out _));
        Assert.Equal(0, log.BytesInFlight(Una, new TcpSackScoreboard()));
        log.AddLost(1400, 1500);
        Assert.Equal(new[] { (1400u, 1500u) }, TakeAll(log));
    }

    // ---- Wrap-around ----

    [Fact]
    public void EntriesAcrossTheWrapAreTrimmedMarkedAndTaken()
    {
        const uint una = uint.MaxValue - 499;
        const uint max = 5000;
        var log = new TcpRetransmitLog();
        log.Add(uint.MaxValue - 99, 100, 1000, Now); // [2^32 - 100, 100)
        log.Add(una, una + 100, 1000, Now);
        var sb = new TcpSackScoreboard();
        Assert.Equal(300, log.BytesInFlight(una, sb));
        sb.Add(uint.MaxValue - 49, 0, una, max); // SACKs [2^32 - 50, 2^32): below the mark
        Assert.Equal(250, log.BytesInFlight(una, sb));
        Assert.Equal(0, UpdateNow(log, una, sb));
        Assert.Equal(2, log.Count);

        sb.Add(1100, 1101, una, max);
        sb.Add(1200, 1201, una, max);
        sb.Add(1300, 1301, una, max);
        sb.Advance(una + 100);
        Assert.Equal(1, UpdateNow(log, una + 100, sb)); // the first acknowledged, the second marked
        Assert.Equal(1, log.Count);
        Assert.Equal(new[] { (uint.MaxValue - 99, 100u) }, TakeAll(log));

        log.Add(uint.MaxValue - 99, 100, 1000, Now);
        sb.Advance(20);
        Assert.Equal(1, UpdateNow(log, 20, sb)); // trimmed across the wrap
        Assert.Equal(new[] { (20u, 100u) }, TakeAll(log));
    }

    // ---- Property: against a model of the documented rules ----

    private sealed class ModelEntry
    {
        public long Start, End, Mark, Sent;
        public bool Lost;
    }

    private readonly record struct NewEntry(bool Lost, int A, int Length, int MarkA, int SentBack);

    private readonly record struct Round(NewEntry[] Entries, (int A, int Length)[] Blocks, int Advance, int Elapsed, int Threshold, int Mss, int Window, int Takes);

    private static readonly Gen<NewEntry> s_entry =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 1 << 20], Gen.Int[0, 400], Gen.Int[0, 1 << 20], Gen.Int[0, 8000],
            (kind, a, length, markA, sentBack) => new NewEntry(kind == 0, a, length, markA, sentBack));

    private static readonly Gen<Round> s_round =
        Gen.Select(s_entry.Array[0, 4], Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1, 300]).Array[0, 4],
                   Gen.OneOf(Gen.Const(0), Gen.Int[0, 600]), Gen.Int[0, 3000],
                   Gen.Select(Gen.Int[3, 5], Gen.Int[1, 300], Gen.Int[0, 5000], Gen.Int[0, 3]))
           .Select(t => new Round(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5.Item1, t.Item5.Item2, t.Item5.Item3, t.Item5.Item4));

    [Fact]
    public void RandomRecoveriesMatchAModelOfTheDocumentedRules()
    {
        int byRanges = 0, byBytes = 0, byTime = 0, sackedAway = 0, taken = 0;
        Gen.Select(Gen.OneOf<uint>(Gen.UInt, Gen.UInt[uint.MaxValue - 5000, uint.MaxValue]), Gen.Int[100, 5000], s_round.Array[1, 25])
            .Sample((seqBase, total, rounds) =>
        {
            uint Seq(long offset) => unchecked(seqBase + (uint)offset);
            var log = new TcpRetransmitLog();
            var sb = new TcpSackScoreboard();
            var model = new List<ModelEntry>();
            long una = 0, now = 10_000;

            // The SACKed offsets, read back from the scoreboard (its own tests check it against a byte model).
            bool[] Sacked()
            {
                var sacked = new bool[total];
                for (int i = 0; i < sb.RangeCount; i++)
                {
                    var (start, end) = sb[i];
                    long s = (uint)(start - seqBase), e = s + (uint)(end - start);
                    for (long o = s; o < e; o++) sacked[o] = true;
                }
                return sacked;
            }

            long InFlight(bool[] sacked) => model.Where(e => !e.Lost).Sum(e =>
            {
                long n = 0;
                for (long o = Math.Max(e.Start, una); o < e.End; o++) if (!sacked[o]) n++;
                return n;
            });

            foreach (var round in rounds)
            {
                // New retransmissions (and put-back lost rests) of bytes at or above SND.UNA.
                foreach (var n in round.Entries)
                {
                    long start = una + n.A % (total - una + 1);
                    long end = Math.Min(total, start + n.Length);
                    if (n.Lost)
                    {
                        log.AddLost(Seq(start), Seq(end));
                        model.Add(new ModelEntry { Start = start, End = end, Lost = true });
                    }
                    else
                    {
                        long mark = end + n.MarkA % (total - end + 1);
                        long sent = now - n.SentBack;
                        log.Add(Seq(start), Seq(end), Seq(mark), sent);
                        model.Add(new ModelEntry { Start = start, End = end, Mark = mark, Sent = sent });
                    }
                }
                Assert.Equal(model.Count, log.Count);

                // An ACK: SND.UNA moves, SACK blocks arrive, time passes.
                una += round.Advance % (total - una + 1);
                sb.Advance(Seq(una));
                foreach (var (a, length) in round.Blocks)
                {
                    long left = una + a % (total - una + 1);
                    sb.Add(Seq(left), Seq(left + length), Seq(una), Seq(total));
                }
                now += round.Elapsed;
                var sacked = Sacked();
                Assert.Equal(InFlight(sacked), log.BytesInFlight(Seq(una), sb));

                // The model of Update, straight from its documentation.
                long bytesAboveMark(long mark)
                {
                    long bytes = 0;
                    for (long o = mark; o < total; o++) if (sacked[o]) bytes++;
                    return bytes;
                }
                int rangesAboveMark(long mark)
                {
                    int ranges = 0;
                    for (long o = Math.Max(0, mark - 1); o < total; o++)
                        if (sacked[o] && (o + 1 == total || !sacked[o + 1]) && o + 1 > mark) ranges++;
                    return ranges;
                }
                int marked = 0;
                var kept = new List<ModelEntry>();
                foreach (var e in model)
                {
                    e.Start = Math.Max(e.Start, una);
                    if (e.Start >= e.End) continue;
                    bool allSacked = true;
                    for (long o = e.Start; o < e.End && allSacked; o++) allSacked = sacked[o];
                    if (allSacked)
                    {
                        Interlocked.Increment(ref sackedAway);
                        continue;
                    }
                    if (!e.Lost)
                    {
                        long above = bytesAboveMark(e.Mark);
                        int ranges = rangesAboveMark(e.Mark);
                        bool rangesRule = ranges >= round.Threshold, bytesRule = above > (long)(round.Threshold - 1) * round.Mss;
                        bool timeRule = above > 0 && now - e.Sent >= round.Window;
                        if (rangesRule) Interlocked.Increment(ref byRanges);
                        if (bytesRule && !rangesRule) Interlocked.Increment(ref byBytes);
                        if (timeRule && !rangesRule && !bytesRule) Interlocked.Increment(ref byTime);
                        if (rangesRule || bytesRule || timeRule)
                        {
                            e.Lost = true;
                            marked++;
                        }
                    }
                    kept.Add(e);
                }
                model = kept;
                Assert.Equal(marked, log.Update(Seq(una), sb, round.Mss, round.Threshold, now, round.Window));
                Assert.Equal(model.Count, log.Count);
                Assert.Equal(InFlight(sacked), log.BytesInFlight(Seq(una), sb));

                // Retransmit some: the lowest lost first (the earliest logged among equal starts).
                for (int t = 0; t < round.Takes; t++)
                {
                    var lowest = model.Where(e => e.Lost).OrderBy(e => e.Start).FirstOrDefault(); // OrderBy is stable
                    Assert.Equal(lowest is not null, log.TryTakeLostAgain(out uint start, out uint end));
                    if (lowest is null) break;
                    Assert.Equal((Seq(lowest.Start), Seq(lowest.End)), (start, end));
                    model.Remove(lowest);
                    Interlocked.Increment(ref taken);
                    Assert.Equal(model.Count, log.Count);
                }
                Assert.Equal(InFlight(sacked), log.BytesInFlight(Seq(una), sb));
            }
        }, iter: 500);
        // Every rule must actually have been exercised.
        Assert.True(byRanges > 0 && byBytes > 0 && byTime > 0 && sackedAway > 0 && taken > 0,
            $"coverage: ranges {byRanges}, bytes {byBytes}, time {byTime}, SACKed {sackedAway}, taken {taken}");
    }
}
