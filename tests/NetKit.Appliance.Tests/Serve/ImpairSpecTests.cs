using System;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Impairments;
using Xunit;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>The <c>--impair</c> language mapped onto <see cref="ImpairmentOptions"/>.</summary>
public sealed class ImpairSpecTests
{
    private static ImpairSpec Parse(string text)
    {
        Assert.True(ImpairSpec.TryParse(text, out var spec, out var error), error);
        spec!.Receive.Validate();
        spec.Transmit.Validate();
        return spec;
    }

    [Fact]
    public void UnprefixedKeysApplyToBothDirections()
    {
        var spec = Parse("loss=1%,dup=2%,reorder=3.5%,corrupt=0.1%,delay=20ms,jitter=500us,rate=100mbit,seed=42");
        foreach (var options in new[] { spec.Receive, spec.Transmit })
        {
            Assert.Equal(0.01, options.LossProbability, 12);
            Assert.Equal(0.02, options.DuplicationProbability, 12);
            Assert.Equal(0.035, options.ReorderProbability, 12);
            Assert.Equal(0.001, options.CorruptionProbability, 12);
            Assert.Equal(TimeSpan.FromMilliseconds(20), options.Delay);
            Assert.Equal(TimeSpan.FromMicroseconds(500), options.Jitter);
            Assert.Equal(100_000_000, options.RateBitsPerSecond);
            Assert.Equal(42UL, options.Seed);
        }
    }

    [Fact]
    public void PrefixedKeysApplyToOneDirectionAndOverrideTheCommonValue()
    {
        var spec = Parse("rx-loss=5%,loss=1%,tx-delay=1s");
        Assert.Equal(0.05, spec.Receive.LossProbability, 12);
        Assert.Equal(0.01, spec.Transmit.LossProbability, 12);
        Assert.Equal(TimeSpan.Zero, spec.Receive.Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), spec.Transmit.Delay);
    }

    [Fact]
    public void ADirectionNotMentionedIsLeftAlone()
    {
        var spec = Parse("tx-rate=1gbit");
        Assert.Same(ImpairmentOptions.None, spec.Receive);
        Assert.True(spec.Receive.IsPassThrough);
        Assert.Equal(1_000_000_000, spec.Transmit.RateBitsPerSecond);
        Assert.Equal(ImpairmentOptions.None.Seed, spec.Transmit.Seed); // the default seed when none is given
    }

    [Theory]
    [InlineData("rate=1500", 1500)]
    [InlineData("rate=64kbit", 64_000)]
    [InlineData("rate=2.5mbit", 2_500_000)]
    [InlineData("rate=10Gbit", 10_000_000_000)]
    [InlineData("rate=800bit", 800)]
    public void RatesAreBitsPerSecond(string text, long expected) => Assert.Equal(expected, Parse(text).Transmit.RateBitsPerSecond);

    [Theory]
    [InlineData("delay=250us", 250)]
    [InlineData("delay=1.5ms", 1500)]
    [InlineData("delay=2s", 2_000_000)]
    [InlineData("delay=0ms", 0)]
    public void TimesTakeAUnit(string text, long microseconds) =>
        Assert.Equal(TimeSpan.FromMicroseconds(microseconds), Parse(text).Receive.Delay);

    [Fact]
    public void PercentSignIsOptionalAndSeedsTakeHex()
    {
        var spec = Parse("loss=50,seed=0xff");
        Assert.Equal(0.5, spec.Receive.LossProbability, 12);
        Assert.Equal(255UL, spec.Receive.Seed);
        Assert.Equal(1.0, Parse("loss=100%").Transmit.LossProbability, 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("loss")]
    [InlineData("loss=")]
    [InlineData("=1%")]
    [InlineData("loss=1%,")]
    [InlineData("loss=1%,,dup=1%")]
    [InlineData("loss=-1%")]
    [InlineData("loss=101%")]
    [InlineData("loss=abc")]
    [InlineData("loss=NaN")]
    [InlineData("loss=1%,loss=2%")]
    [InlineData("rx-loss=1%,rx-loss=2%")]
    [InlineData("delay=10")]
    [InlineData("delay=10min")]
    [InlineData("delay=-5ms")]
    [InlineData("delay=4000s")]
    [InlineData("jitter=ms")]
    [InlineData("rate=0")]
    [InlineData("rate=fast")]
    [InlineData("rate=10tbit")]
    [InlineData("seed=-1")]
    [InlineData("seed=0xzz")]
    [InlineData("bogus=1")]
    [InlineData("rx-bogus=1")]
    [InlineData("up-loss=1%")]
    public void BadSpecsAreRefusedWithOneLine(string text)
    {
        Assert.False(ImpairSpec.TryParse(text, out var spec, out var error));
        Assert.Null(spec);
        Assert.StartsWith("--impair", error);
        Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
    }
}
