namespace NetKit.Appliance.Tour;

/// <summary>How one check of the tour ended.</summary>
public enum CheckOutcome
{
    Ok,
    Fail,

    /// <summary>Not run: a tool it needs is missing. Does not fail the tour.</summary>
    Skip,
}

/// <summary>One line of the tour's report: what was checked, how it ended, and its figure or the reason.</summary>
public sealed record TourCheck(string Name, CheckOutcome Outcome, string Detail)
{
    public static TourCheck Ok(string name, string detail) => new(name, CheckOutcome.Ok, detail);

    public static TourCheck Fail(string name, string detail) => new(name, CheckOutcome.Fail, detail);

    public static TourCheck Skip(string name, string detail) => new(name, CheckOutcome.Skip, detail);

    /// <summary>OK, FAIL or SKIP, as printed.</summary>
    public string OutcomeText => Outcome switch
    {
        CheckOutcome.Ok => "OK",
        CheckOutcome.Fail => "FAIL",
        _ => "SKIP",
    };
}
