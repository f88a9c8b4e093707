namespace NetKit.Generators;

/// <summary>Tracking names of the generator's pipeline steps, asserted by the incrementality tests.</summary>
public static class GeneratorStepNames
{
    public const string Protocols = "NetKit.Protocols";
    public const string OptionTables = "NetKit.OptionTables";
    public const string Stacks = "NetKit.Stacks";
}
