using System;
using CsCheck;
using Xunit;
using Reno = NetKit.Protocols.Tcp.Algorithms.NewReno;
using TcpSeq = NetKit.Protocols.Tcp.Algorithms.TcpSequence;

namespace NetKit.Protocols.Tests.Tcp.Algorithms;

public sealed class NewRenoTests
{
    private const int Mss = 1460;

    [Theory]
    [InlineData(1460, 14600)]
    [InlineData(536, 5360)]
    [InlineData(4380, 14600)]
    [InlineData(8960, 17920)]
    [InlineData(1, 10)]
    public void InitialWindowFollowsRfc6928(int mss, int expected)
    {
        var cc = new Reno(mss);
        Assert.Equal((uint)expected, cc.CongestionWindow);
        Assert.Equal((uint)expected, Reno.InitialWindow(mss));
        Assert.Equal(uint.MaxValue / 2, cc.SlowStartThreshold);
        Assert.False(cc.InRecovery);
    }

    [Fact]
    public void RejectsImpossibleSegmentSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Reno(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Reno(70_000));
        var cc = new Reno(Mss);
        Assert.Throws<ArgumentOutOfRangeException>(() => cc.OnMssChanged(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => cc.OnAck(1, 0, 100, 0));
    }

    [Fact]
    public void SlowStartGrowsByTheBytesAckedUpToTwoSegmentsPerAck()
    {
        var cc = new Reno(Mss);
        Assert.False(cc.OnAck(1001 + Mss, Mss, 14600, 0));
        Assert.Equal(14600u + Mss, cc.CongestionWindow);
        cc.OnAck(1001 + 3 * Mss, 2 * Mss, 14600, 0); // a delayed ACK for two segments
        Assert.Equal(14600u + 3 * Mss, cc.CongestionWindow);
        cc.OnAck(1001 + 13 * Mss, 10 * Mss, 14600, 0); // a stretch ACK counts for at most L = 2·SMSS (RFC 3465)
        Assert.Equal(14600u + 5 * Mss, cc.CongestionWindow);
        cc.OnAck(1001 + 13 * Mss + 100, 100, 14600, 0);
        Assert.Equal(14600u + 5 * Mss + 100, cc.CongestionWindow);
    }

    [Fact]
    public void SlowStartDoublesTheWindowPerRoundTrip()
    {
        var cc = new Reno(Mss);
        uint una = 1;
        for (int round = 0; round < 3; round++)
        {
            uint window = cc.CongestionWindow;
            for (uint acked = 0; acked < window; acked += Mss)
            {
                una += Mss;
                cc.OnAck(una, Mss, window - acked, 0);
            }
            Assert.Equal(2 * window, cc.CongestionWindow);
        }
    }

    [Fact]
    public void CongestionAvoidanceAddsAboutOneSegmentPerWindowOfAcks()
    {
        var cc = InCongestionAvoidance(out uint una);
        uint start = cc.CongestionWindow;
        Assert.Equal(cc.SlowStartThreshold, start);
        int acks = (int)(start / Mss);
        for (int i = 0; i < acks; i++)
        {
            una += Mss;
            cc.OnAck(una, Mss, start, 0);
        }
        uint growth = cc.CongestionWindow - start;
        Assert.InRange(growth, (uint)(Mss * 9 / 10), (uint)Mss);
    }

    [Fact]
    public void CongestionAvoidanceGrowsAtLeastOneBytePerAck()
    {
        var cc = new Reno(1);
        cc.OnRetransmitTimeout(200, 1000); // ssthresh 100, cwnd 1
        for (int i = 0; i < 200; i++) cc.OnAck((uint)(900 + i), 1, 100, 0);
        Assert.True(cc.CongestionWindow > cc.SlowStartThreshold);
        uint before = cc.CongestionWindow;
        cc.OnAck(2000, 1, 100, 0);
        Assert.Equal(before + 1, cc.CongestionWindow);
    }

    [Fact]
    public void TheThirdDuplicateAckTriggersFastRetransmitOnce()
    {
        var cc = new Reno(Mss);
        const uint una = 5000, max = una + 20 * Mss;
        Assert.False(cc.OnDuplicateAck(una, max, 20 * Mss));
        Assert.False(cc.OnDuplicateAck(una, max, 20 * Mss));
        Assert.Equal(2, cc.DuplicateAcks);
        Assert.False(cc.InRecovery);
        Assert.True(cc.OnDuplicateAck(una, max, 20 * Mss));
        Assert.True(cc.InRecovery);
        Assert.Equal(10u * Mss, cc.SlowStartThreshold);
        Assert.Equal(13u * Mss, cc.CongestionWindow);

        // Step 3: further duplicates inflate by one segment each and never retransmit again.
        for (int i = 1; i <= 5; i++)
        {
            Assert.False(cc.OnDuplicateAck(una, max, 20 * Mss));
            Assert.Equal((uint)(13 + i) * Mss, cc.CongestionWindow);
        }
        Assert.Equal(10u * Mss, cc.SlowStartThreshold);
    }

    [Fact]
    public void FastRetransmitKeepsSsthreshAtTwoSegments()
    {
        var cc = new Reno(Mss);
        Assert.True(ThreeDuplicates(cc, 100, 100 + 2000, 2000));
        Assert.Equal(2u * Mss, cc.SlowStartThreshold);
        Assert.Equal(5u * Mss, cc.CongestionWindow);
    }

    [Fact]
    public void AnAckBetweenDuplicatesRestartsTheCount()
    {
        var cc = new Reno(Mss);
        cc.OnDuplicateAck(100, 100 + 10 * Mss, 10 * Mss);
        cc.OnDuplicateAck(100, 100 + 10 * Mss, 10 * Mss);
        cc.OnAck(100 + Mss, Mss, 10 * Mss, 0);
        Assert.Equal(0, cc.DuplicateAcks);
        Assert.False(cc.OnDuplicateAck(100 + Mss, 100 + 10 * Mss, 9 * Mss));
        Assert.False(cc.OnDuplicateAck(100 + Mss, 100 + 10 * Mss, 9 * Mss));
        Assert.True(cc.OnDuplicateAck(100 + Mss, 100 + 10 * Mss, 9 * Mss));
    }

    [Fact]
    public void APartialAckAsksForARetransmissionAndDeflates()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 20 * Mss;
        Assert.True(ThreeDuplicates(cc, una, max, 20 * Mss));
        cc.OnDuplicateAck(una, max, 20 * Mss); // cwnd 14·SMSS
        Assert.Equal(14u * Mss, cc.CongestionWindow);

        // Two segments acknowledged: deflate by them, add one back.
        Assert.True(cc.OnAck(una + 2 * Mss, 2 * Mss, 20 * Mss, 0));
        Assert.True(cc.InRecovery);
        Assert.Equal(13u * Mss, cc.CongestionWindow);

        // Less than a segment: deflate only.
        Assert.True(cc.OnAck(una + 2 * Mss + 500, 500, 18 * Mss, 0));
        Assert.Equal(13u * Mss - 500, cc.CongestionWindow);
        Assert.Equal(10u * Mss, cc.SlowStartThreshold);
    }

    [Fact]
    public void AFullAckLeavesRecoveryWithCwndAtMostSsthresh()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 20 * Mss;
        ThreeDuplicates(cc, una, max, 20 * Mss);
        for (int i = 0; i < 10; i++) cc.OnDuplicateAck(una, max, 20 * Mss);
        Assert.False(cc.OnAck(max, 20 * Mss, 20 * Mss, 0));
        Assert.False(cc.InRecovery);
        // Nothing left outstanding: min(ssthresh, max(0, SMSS) + SMSS).
        Assert.Equal(2u * Mss, cc.CongestionWindow);
        Assert.True(cc.CongestionWindow <= cc.SlowStartThreshold);
    }

    [Fact]
    public void AFullAckWithMuchStillInFlightSetsCwndToSsthresh()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 20 * Mss;
        ThreeDuplicates(cc, una, max, 20 * Mss);
        cc.OnDuplicateAck(una, max, 20 * Mss);
        // New data went out during recovery (SND.MAX moved on); the full ACK covers recover with 15 segments still out.
        Assert.False(cc.OnAck(max + Mss, 21 * Mss, 36 * Mss, 0));
        Assert.False(cc.InRecovery);
        Assert.Equal(10u * Mss, cc.CongestionWindow);
    }

    [Fact]
    public void DuplicatesThatDoNotCoverMoreThanRecoverDoNotRetransmitAgain()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 20 * Mss;
        ThreeDuplicates(cc, una, max, 20 * Mss);
        cc.OnAck(max, 20 * Mss, 20 * Mss, 0); // full ACK exactly at recover
        uint cwnd = cc.CongestionWindow, ssthresh = cc.SlowStartThreshold;
        // RFC 6582 §3.2 step 1: ack − 1 > recover is required; ack == SND.MAX at the loss is not.
        Assert.False(ThreeDuplicates(cc, max, max + 4 * Mss, 4 * Mss));
        Assert.False(cc.InRecovery);
        Assert.Equal(ssthresh, cc.SlowStartThreshold);
        Assert.Equal(cwnd, cc.CongestionWindow);
        // Once an ACK covers more, a later loss is a new event.
        cc.OnAck(max + Mss, Mss, 4 * Mss, 0);
        Assert.True(ThreeDuplicates(cc, max + Mss, max + 4 * Mss, 3 * Mss));
    }

    [Fact]
    public void ARetransmitTimeoutCollapsesTheWindow()
    {
        var cc = new Reno(Mss);
        cc.OnRetransmitTimeout(30 * Mss, 1000 + 30 * Mss);
        Assert.Equal((uint)Mss, cc.CongestionWindow);
        Assert.Equal(15u * Mss, cc.SlowStartThreshold);
        Assert.False(cc.InRecovery);

        var small = new Reno(Mss);
        small.OnRetransmitTimeout(Mss, 1000 + Mss);
        Assert.Equal(2u * Mss, small.SlowStartThreshold);
    }

    [Fact]
    public void ARetransmitTimeoutEndsRecovery()
    {
        var cc = new Reno(Mss);
        ThreeDuplicates(cc, 1000, 1000 + 20 * Mss, 20 * Mss);
        cc.OnRetransmitTimeout(20 * Mss, 1000 + 20 * Mss);
        Assert.False(cc.InRecovery);
        Assert.Equal((uint)Mss, cc.CongestionWindow);
        Assert.Equal(10u * Mss, cc.SlowStartThreshold);
    }

    [Fact]
    public void RepeatedTimeoutsOfTheSameSegmentHoldSsthresh()
    {
        var cc = new Reno(Mss);
        cc.OnRetransmitTimeout(30 * Mss, 1000 + 30 * Mss);
        cc.OnRetransmitTimeout(Mss, 1000 + 30 * Mss);
        Assert.Equal(15u * Mss, cc.SlowStartThreshold);
        cc.OnAck(1000 + Mss, Mss, 30 * Mss, 0);
        cc.OnRetransmitTimeout(8 * Mss, 1000 + 30 * Mss);
        Assert.Equal(4u * Mss, cc.SlowStartThreshold);
    }

    [Fact]
    public void SlowStartAfterATimeoutCountsOneSegmentPerAck()
    {
        var cc = new Reno(Mss);
        cc.OnRetransmitTimeout(30 * Mss, 1000 + 30 * Mss);
        cc.OnAck(1000 + 3 * Mss, 3 * Mss, 30 * Mss, 0);
        Assert.Equal(2u * Mss, cc.CongestionWindow);
    }

    [Fact]
    public void DuplicatesForDataSentBeforeATimeoutDoNotTriggerFastRetransmit()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 30 * Mss;
        cc.OnRetransmitTimeout(30 * Mss, max);
        cc.OnAck(una + Mss, Mss, 30 * Mss, 0);
        // RFC 6582 §4: the go-back-N resends provoke duplicates below recover.
        Assert.False(ThreeDuplicates(cc, una + Mss, max, 29 * Mss));
        Assert.False(cc.InRecovery);
        cc.OnAck(max + Mss, 30 * Mss, 30 * Mss, 0);
        Assert.True(ThreeDuplicates(cc, max + Mss, max + 10 * Mss, 9 * Mss));
    }

    [Fact]
    public void RecoverDoesNotGoStaleAfterHalfTheSequenceSpace()
    {
        var cc = new Reno(Mss);
        const uint una = 1000, max = una + 30 * Mss;
        cc.OnRetransmitTimeout(30 * Mss, max);
        uint ack = max + Mss;
        cc.OnAck(ack, 30 * Mss, 30 * Mss, 0);
        // 2^31 + a little later (as many ACKs as it takes), recover would compare as "ahead" again.
        for (int i = 0; i < 3; i++)
        {
            ack = unchecked(ack + 0x3000_0000);
            cc.OnAck(ack, Mss, 10 * Mss, 0);
        }
        Assert.True(TcpSeq.Lt(ack, max));
        Assert.True(ThreeDuplicates(cc, ack, ack + 10 * Mss, 10 * Mss));
    }

    [Fact]
    public void RecoveryWorksAcrossTheSequenceWrap()
    {
        var cc = new Reno(Mss);
        const uint una = 0xFFFF_F000;
        uint max = unchecked(una + 20 * Mss);
        Assert.True(ThreeDuplicates(cc, una, max, 20 * Mss));
        Assert.True(cc.OnAck(unchecked(una + 10 * Mss), 10 * Mss, 20 * Mss, 0));
        Assert.True(cc.InRecovery);
        Assert.False(cc.OnAck(max, 10 * Mss, 10 * Mss, 0));
        Assert.False(cc.InRecovery);
    }

    [Fact]
    public void AnIdlePeriodLongerThanTheRtoRestartsFromTheInitialWindow()
    {
        var cc = new Reno(Mss);
        for (uint i = 1; i <= 20; i++) cc.OnAck(i * Mss, Mss, 40 * Mss, 0);
        Assert.Equal(30u * Mss, cc.CongestionWindow);
        cc.OnIdleRestart(5_000_000, 300_000);
        Assert.Equal(14600u, cc.CongestionWindow);

        cc.OnRetransmitTimeout(10 * Mss, 100_000);
        cc.OnIdleRestart(9_000_000, 300_000);
        Assert.Equal((uint)Mss, cc.CongestionWindow); // min(IW, cwnd) never raises it
    }

    [Fact]
    public void AnMssChangeKeepsTheFloors()
    {
        var cc = new Reno(536);
        cc.OnRetransmitTimeout(536, 1000); // cwnd 536, ssthresh 1072
        cc.OnMssChanged(1460);
        Assert.Equal(1460, cc.Mss);
        Assert.Equal(1460u, cc.CongestionWindow);
        Assert.Equal(2920u, cc.SlowStartThreshold);
        cc.OnMssChanged(536);
        Assert.Equal(1460u, cc.CongestionWindow);
        Assert.Equal(2920u, cc.SlowStartThreshold);
    }

    [Fact]
    public void InitializeStartsOver()
    {
        var cc = new Reno(Mss);
        ThreeDuplicates(cc, 1000, 1000 + 20 * Mss, 20 * Mss);
        cc.Initialize(536);
        Assert.False(cc.InRecovery);
        Assert.Equal(5360u, cc.CongestionWindow);
        Assert.Equal(uint.MaxValue / 2, cc.SlowStartThreshold);
        Assert.Equal(0, cc.DuplicateAcks);
    }

    [Fact]
    public void WindowStaysSaneUnderAnySequenceOfEvents()
    {
        var events = Gen.Int[0, 9].Array[1, 400];
        Gen.Select(Gen.UInt, Gen.Int[1, 9000], events, Gen.Int).Sample((iss, mss0, ops, seed) =>
        {
            var rng = new Random(seed);
            int mss = mss0;
            var cc = new Reno(mss);
            uint una = unchecked(iss + 1), max = una;
            bool lost = false;
            foreach (int op in ops)
            {
                uint flight = max - una;
                bool wasInRecovery = cc.InRecovery;
                switch (op)
                {
                    case 0 or 1 or 2: // send what the window allows, in up to a few segments
                        if (cc.CongestionWindow > flight)
                            max += (uint)Math.Min(cc.CongestionWindow - flight, (uint)mss * (uint)rng.Next(1, 8));
                        break;
                    case 3 or 4: // a cumulative ACK
                        if (flight == 0) break;
                        uint n = (uint)rng.Next(1, (int)Math.Min(flight, int.MaxValue - 1) + 1);
                        una += n;
                        uint before = cc.CongestionWindow;
                        bool retransmit = cc.OnAck(una, (int)n, flight, 0);
                        Assert.True(!retransmit || wasInRecovery, "only a partial ACK asks for a retransmission");
                        if (!wasInRecovery) Assert.True(cc.CongestionWindow - before <= 2u * (uint)mss, "byte counting limits growth");
                        break;
                    case 5 or 6 or 7: // a duplicate ACK
                        if (flight == 0) break;
                        bool fast = cc.OnDuplicateAck(una, max, flight);
                        if (fast)
                        {
                            Assert.False(wasInRecovery);
                            Assert.True(cc.InRecovery);
                            Assert.Equal(Math.Max(flight / 2, 2u * (uint)mss), cc.SlowStartThreshold);
                            lost = true;
                        }
                        break;
                    case 8: // a retransmission timeout (or an idle restart when nothing is outstanding)
                        if (flight == 0) cc.OnIdleRestart(0, 1_000_000);
                        else
                        {
                            cc.OnRetransmitTimeout(flight, max);
                            Assert.Equal((uint)mss, cc.CongestionWindow);
                            lost = true;
                        }
                        break;
                    default: // a new MSS, sometimes
                        if (rng.Next(4) == 0)
                        {
                            mss = rng.Next(1, 9001);
                            cc.OnMssChanged(mss);
                        }
                        break;
                }
                Assert.InRange(cc.CongestionWindow, (uint)mss, Reno.MaxCongestionWindow);
                if (lost) Assert.InRange(cc.SlowStartThreshold, 2u * (uint)mss, Reno.MaxCongestionWindow);
            }
        });
    }

    /// <summary>Three duplicate ACKs; true if any of them asked for a fast retransmit.</summary>
    private static bool ThreeDuplicates(Reno cc, uint una, uint max, uint flight)
    {
        bool fast = false;
        for (int i = 0; i < 3; i++) fast |= cc.OnDuplicateAck(una, max, flight);
        return fast;
    }

    /// <summary>A controller in congestion avoidance with cwnd = ssthresh = 10 segments, via a fast recovery.</summary>
    private static Reno InCongestionAvoidance(out uint una)
    {
        var cc = new Reno(Mss);
        una = 1000;
        uint max = una + 20 * Mss;
        ThreeDuplicates(cc, una, max, 20 * Mss);
        cc.OnAck(max + 20 * Mss, 40 * Mss, 60 * Mss, 0); // full ACK with 20 segments still out
        una = max + 20 * Mss;
        return cc;
    }
}
