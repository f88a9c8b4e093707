using System;

namespace NetKit.Drivers.Impairments;

/// <summary>
/// What a link does to the frames it carries (Linux netem's knobs), applied per transmit queue by an
/// <see cref="Impairer"/>. Every draw comes from a PRNG seeded by <see cref="Seed"/>, so a run replays exactly.
/// The default instance impairs nothing and costs nothing.
/// </summary>
/// <remarks>
/// Order of the pipeline for each offered frame: loss → duplication (the copy then goes through the rest on its own)
/// → corruption → rate limit (serialization behind a bounded queue, tail drop) → delay ± jitter → reordering →
/// delivery in due order. A frame dropped at any stage is freed there and counted.
/// </remarks>
public sealed class ImpairmentOptions
{
    /// <summary>Options that impair nothing: the impairer is a pass-through.</summary>
    public static ImpairmentOptions None { get; } = new();

    /// <summary>Probability in [0, 1] that a frame is lost.</summary>
    public double LossProbability { get; init; }

    /// <summary>Probability in [0, 1] that a frame is sent twice (the copy comes from the frame's own pool).</summary>
    public double DuplicationProbability { get; init; }

    /// <summary>Probability in [0, 1] that a frame is held back so that later frames overtake it.</summary>
    public double ReorderProbability { get; init; }

    /// <summary>How far a reordered frame falls behind: it leaves after this many later frames have been scheduled.</summary>
    public int ReorderDistance { get; init; } = 3;

    /// <summary>
    /// Longest a reordered frame waits for <see cref="ReorderDistance"/> later frames, measured from when it would
    /// have left; a frame is never stranded when traffic stops.
    /// </summary>
    public TimeSpan ReorderHoldLimit { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Fixed one-way delay added to every frame.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Each frame's delay varies uniformly within ±this (never below zero); jitter can reorder frames.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability in [0, 1] that one random bit of a frame is flipped.</summary>
    public double CorruptionProbability { get; init; }

    /// <summary>Link rate in bits per second; 0 is unlimited.</summary>
    public long RateBitsPerSecond { get; init; }

    /// <summary>Frames waiting to be serialized at <see cref="RateBitsPerSecond"/> before the queue tail-drops.</summary>
    public int RateQueueLimit { get; init; } = 128;

    /// <summary>Most frames the impairer holds at once (delayed, queued or reordered); beyond it arrivals are dropped.</summary>
    public int QueueLimit { get; init; } = 10_000;

    /// <summary>Seed of the impairer's PRNG: the same seed, frames and clock readings give the same output.</summary>
    public ulong Seed { get; init; } = 0x4E65_744B_6974_0001;

    /// <summary>True when nothing is impaired (the impairer then hands every frame straight on).</summary>
    public bool IsPassThrough =>
        LossProbability == 0 && DuplicationProbability == 0 && ReorderProbability == 0 && CorruptionProbability == 0 &&
        Delay == TimeSpan.Zero && Jitter == TimeSpan.Zero && RateBitsPerSecond == 0;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        CheckProbability(LossProbability, nameof(LossProbability));
        CheckProbability(DuplicationProbability, nameof(DuplicationProbability));
        CheckProbability(ReorderProbability, nameof(ReorderProbability));
        CheckProbability(CorruptionProbability, nameof(CorruptionProbability));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderDistance, 1, nameof(ReorderDistance));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderHoldLimit, TimeSpan.Zero, nameof(ReorderHoldLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay, TimeSpan.Zero, nameof(Delay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Jitter, TimeSpan.Zero, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfNegative(RateBitsPerSecond, nameof(RateBitsPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(RateQueueLimit, 1, nameof(RateQueueLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueLimit, 1, nameof(QueueLimit));
    }

    private static void CheckProbability(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) // also rejects NaN
            throw new ArgumentOutOfRangeException(name, value, "must be a probability in [0, 1].");
    }
}
