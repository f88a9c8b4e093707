namespace NetKit.Drivers.Impairments;

/// <summary>
/// What an <see cref="Impairer"/> did, as a snapshot. Frames are conserved:
/// <c>Offered + Duplicated = Delivered + Lost + RateDrops + QueueDrops + Flushed + held</c>.
/// </summary>
/// <param name="Offered">Frames handed to the impairer.</param>
/// <param name="Delivered">Frames handed on to the sink (duplicates included).</param>
/// <param name="Lost">Frames dropped by the loss probability.</param>
/// <param name="Duplicated">Copies made.</param>
/// <param name="DuplicationFailures">Copies not made because the frame's pool was exhausted (a dropped duplicate).</param>
/// <param name="Corrupted">Frames with one bit flipped.</param>
/// <param name="Delayed">Frames held because they were not due yet when offered.</param>
/// <param name="Reordered">Frames held back for later frames to overtake.</param>
/// <param name="RateDrops">Frames tail-dropped by the full rate-limit queue.</param>
/// <param name="QueueDrops">Frames dropped because the impairer already held its limit.</param>
/// <param name="Flushed">Held frames freed by <see cref="Impairer.Flush"/>.</param>
public readonly record struct ImpairmentCounters(
    long Offered,
    long Delivered,
    long Lost,
    long Duplicated,
    long DuplicationFailures,
    long Corrupted,
    long Delayed,
    long Reordered,
    long RateDrops,
    long QueueDrops,
    long Flushed)
{
    /// <summary>Every frame the impairer freed instead of delivering (duplicates it failed to make included).</summary>
    public long Dropped => Lost + DuplicationFailures + RateDrops + QueueDrops + Flushed;

    /// <summary>Sums the counters of several impairers (one per transmit queue).</summary>
    public static ImpairmentCounters operator +(ImpairmentCounters a, ImpairmentCounters b) => new(
        a.Offered + b.Offered,
        a.Delivered + b.Delivered,
        a.Lost + b.Lost,
        a.Duplicated + b.Duplicated,
        a.DuplicationFailures + b.DuplicationFailures,
        a.Corrupted + b.Corrupted,
        a.Delayed + b.Delayed,
        a.Reordered + b.Reordered,
        a.RateDrops + b.RateDrops,
        a.QueueDrops + b.QueueDrops,
        a.Flushed + b.Flushed);
}
