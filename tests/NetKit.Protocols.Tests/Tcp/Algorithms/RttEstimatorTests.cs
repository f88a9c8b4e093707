using System;
using CsCheck;
using Xunit;
using Rtt = NetKit.Protocols.Tcp.Algorithms.RttEstimator;

namespace NetKit.Protocols.Tests.Tcp.Algorithms;

public sealed class RttEstimatorTests
{
    [Fact]
    public void StartsAtTheInitialRto()
    {
        var rtt = new Rtt();
        Assert.False(rtt.HasSample);
        Assert.Equal(1_000_000, rtt.Rto);
        Assert.Equal(0, rtt.SmoothedRtt);
        Assert.Equal(0, rtt.BackoffShift);
        Assert.Equal(200_000, rtt.MinRto);
        Assert.Equal(60_000_000, rtt.MaxRto);
    }

    [Fact]
    public void DefaultStructBehavesLikeTheDefaultConstructor()
    {
        Rtt rtt = default;
        Assert.Equal(1_000_000, rtt.Rto);
        rtt.AddSample(10_000); // RTO 30 ms, raised to the 200 ms default minimum
        Assert.Equal(200_000, rtt.Rto);
        rtt.AddSample(50_000_000);
        for (int i = 0; i < 5; i++) rtt.Backoff();
        Assert.Equal(60_000_000, rtt.Rto);
    }

    [Fact]
    public void FirstSampleSetsSrttToRAndRttvarToHalfR()
    {
        var rtt = new Rtt();
        rtt.AddSample(100_000);
        Assert.True(rtt.HasSample);
        Assert.Equal(100_000, rtt.SmoothedRtt);
        Assert.Equal(50_000, rtt.RttVariance);
        Assert.Equal(300_000, rtt.Rto); // SRTT + 4·RTTVAR
    }

    [Fact]
    public void LaterSamplesFollowTheRfc6298Arithmetic()
    {
        var rtt = new Rtt();
        rtt.AddSample(100_000);
        rtt.AddSample(200_000);
        // RTTVAR = 3/4·50 000 + 1/4·|100 000 − 200 000| = 62 500; SRTT = 7/8·100 000 + 1/8·200 000 = 112 500.
        Assert.Equal(62_500, rtt.RttVariance);
        Assert.Equal(112_500, rtt.SmoothedRtt);
        Assert.Equal(362_500, rtt.Rto);

        rtt.AddSample(112_500);
        // RTTVAR = 3/4·62 500 + 0 = 46 875; SRTT unchanged.
        Assert.Equal(46_875, rtt.RttVariance);
        Assert.Equal(112_500, rtt.SmoothedRtt);
        Assert.Equal(300_000, rtt.Rto);
    }

    [Fact]
    public void RttvarUsesTheSrttBeforeThisSample()
    {
        var rtt = new Rtt(minRtoMicros: 0);
        rtt.AddSample(800);
        rtt.AddSample(0);
        // RTTVAR = 3/4·400 + 1/4·|800 − 0| = 500 (the updated SRTT of 700 would give 475).
        Assert.Equal(500, rtt.RttVariance);
        Assert.Equal(700, rtt.SmoothedRtt);
    }

    [Fact]
    public void ClampsToTheMinimum()
    {
        var rtt = new Rtt();
        rtt.AddSample(10_000);
        Assert.Equal(200_000, rtt.Rto);

        var loose = new Rtt(minRtoMicros: 1_000);
        loose.AddSample(10_000);
        Assert.Equal(30_000, loose.Rto);
    }

    [Fact]
    public void ClockGranularityBoundsTheVarianceTerm()
    {
        var rtt = new Rtt(minRtoMicros: 0);
        rtt.AddSample(100); // 4·RTTVAR = 200 µs < G
        Assert.Equal(100 + Rtt.ClockGranularityMicros, rtt.Rto);
    }

    [Fact]
    public void ClampsToTheMaximum()
    {
        var rtt = new Rtt();
        rtt.AddSample(50_000_000);
        Assert.Equal(60_000_000, rtt.Rto);

        var tight = new Rtt(maxRtoMicros: 5_000_000);
        tight.AddSample(3_000_000);
        Assert.Equal(5_000_000, tight.Rto);
    }

    [Fact]
    public void BackoffDoublesUntilTheMaximumAndCapsTheShift()
    {
        var rtt = new Rtt();
        rtt.AddSample(100_000);
        Assert.Equal(300_000, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(1, rtt.BackoffShift);
        Assert.Equal(600_000, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(1_200_000, rtt.Rto);
        for (int i = 0; i < 30; i++) rtt.Backoff();
        Assert.Equal(Rtt.MaxBackoffShift, rtt.BackoffShift);
        Assert.Equal(60_000_000, rtt.Rto);
    }

    [Fact]
    public void BackoffBeforeAnySampleDoublesTheInitialRto()
    {
        var rtt = new Rtt();
        rtt.Backoff();
        rtt.Backoff();
        Assert.Equal(4_000_000, rtt.Rto);
    }

    [Fact]
    public void ASampleEndsTheBackoff()
    {
        var rtt = new Rtt();
        rtt.AddSample(100_000);
        rtt.Backoff();
        rtt.Backoff();
        rtt.Backoff();
        Assert.Equal(2_400_000, rtt.Rto);
        rtt.AddSample(100_000);
        Assert.Equal(0, rtt.BackoffShift);
        // RTTVAR = 3/4·50 000 = 37 500, SRTT = 100 000.
        Assert.Equal(250_000, rtt.Rto);
    }

    [Fact]
    public void ResetBackoffKeepsTheEstimate()
    {
        var rtt = new Rtt();
        rtt.AddSample(100_000);
        rtt.Backoff();
        rtt.ResetBackoff();
        Assert.Equal(0, rtt.BackoffShift);
        Assert.Equal(300_000, rtt.Rto);
        Assert.Equal(100_000, rtt.SmoothedRtt);
    }

    [Fact]
    public void NegativeSamplesAreIgnored()
    {
        var rtt = new Rtt();
        rtt.AddSample(-5);
        Assert.False(rtt.HasSample);
        rtt.AddSample(100_000);
        rtt.AddSample(long.MinValue);
        Assert.Equal(100_000, rtt.SmoothedRtt);
    }

    [Fact]
    public void RejectsInconsistentLimits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rtt(minRtoMicros: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rtt(minRtoMicros: 2_000_000, maxRtoMicros: 1_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rtt(minRtoMicros: 2_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rtt(maxRtoMicros: 500_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Rtt(0, 0, 0));
    }

    [Fact]
    public void RtoStaysWithinTheLimitsForAnySamplesAndBackoffs()
    {
        var ops = Gen.OneOf(Gen.Long[-10, 1L << 42], Gen.Long[0, 2_000_000], Gen.Const(-1L));
        Gen.Select(ops.Array[1, 100], Gen.Long[0, 1_000_000]).Sample((events, min) =>
        {
            var rtt = new Rtt(minRtoMicros: min);
            long lastSample = -1;
            foreach (long e in events)
            {
                if (e == -1) rtt.Backoff();
                else
                {
                    rtt.AddSample(e);
                    if (e >= 0) lastSample = e;
                }
                Assert.InRange(rtt.Rto, min, rtt.MaxRto);
                Assert.InRange(rtt.BackoffShift, 0, Rtt.MaxBackoffShift);
                Assert.True(rtt.SmoothedRtt >= 0 && rtt.RttVariance >= 0);
                Assert.Equal(lastSample >= 0, rtt.HasSample);
            }
        });
    }
}
