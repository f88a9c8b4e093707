using NetKit.Generators.Tests.Support;
using Xunit;

namespace NetKit.Generators.Tests.Generator;

/// <summary>Snapshots of generated code for representative declarations (<c>_snapshots/</c>, Verify's naming).</summary>
public sealed class GeneratorSnapshotTests
{
    [Fact]
    public void ProtocolWithAllHandlerKinds()
    {
        var (_, result, _) = GeneratorRunner.Run(Declarations.LinkAndNetwork, Declarations.TransportWithAllHandlers);
        SnapshotAssert.MatchesOnly(result, nameof(GeneratorSnapshotTests), ".Dispatch.g.cs");
    }

    [Fact]
    public void OptionTablesWithEveryValueType()
    {
        var (_, result, _) = GeneratorRunner.Run(Declarations.LinkAndNetwork, Declarations.TransportDeclarationOnly, Declarations.OptionsOfEveryType);
        SnapshotAssert.Matches(result, nameof(GeneratorSnapshotTests));
    }

    [Fact]
    public void StacksWithAllAndASubsetOfProtocols()
    {
        var (_, result, _) = GeneratorRunner.Run(Declarations.LinkAndNetwork, Declarations.TransportWithAllHandlers, Declarations.OptionsOfEveryType, Declarations.Stacks);
        SnapshotAssert.MatchesOnly(result, nameof(GeneratorSnapshotTests), ".Stack.g.cs");
        // The subset stack is emitted from its own list only: the transport is not referenced, so trimming drops it.
        string router = GeneratorRunner.Source(result, "RouterStack.Stack.g.cs");
        Assert.DoesNotContain("Dgram", router, System.StringComparison.Ordinal);
        Assert.DoesNotContain("SocketLevel", router, System.StringComparison.Ordinal);
    }
}
