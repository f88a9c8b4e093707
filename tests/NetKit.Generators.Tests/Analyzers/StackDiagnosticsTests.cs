using System.Globalization;
using System.Threading.Tasks;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// [NetworkStack] lists: members (NETKIT0010), requirements (NETKIT0006), numbers (NETKIT0005), options along a
/// socket's chain and across tables (NETKIT0003), a link layer (NETKIT0013) and no base class (NETKIT0012).
/// Lists are written one type per line so a diagnostic's line names the entry it is reported on.
/// </summary>
public sealed class StackDiagnosticsTests
{
    private static string Message(Microsoft.CodeAnalysis.Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);

    [Fact]
    public async Task CompleteStack_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.All + """
            [NetworkStack(
                typeof(Link),
                typeof(Net),
                typeof(Dgram),
                typeof(SocketLevel))]
            public sealed partial class Stack { }
            """);

        result.AssertNone();
    }

    [Theory]
    [InlineData("typeof(string) /* bad */", "neither")]
    [InlineData("typeof(Plain) /* bad */", "neither")]
    [InlineData("typeof(Net) /* bad */", "already listed")]
    public async Task ListedTypeThatIsNoProtocolOrIsListedTwice_IsNetKit0010_OnTheEntry(string entry, string reason)
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + $$"""
            public static class Plain { }

            [NetworkStack(
                typeof(Link),
                typeof(Net),
                {{entry}})]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0010", "/* bad */");
        Assert.Contains("'Stack'", Message(diagnostic), System.StringComparison.Ordinal);
        Assert.Contains(reason, Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRequiredProtocol_IsNetKit0006_OnTheAttribute()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + Samples.Dgram + """
            [NetworkStack(typeof(Link), typeof(Dgram))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0006", "[NetworkStack(");
        Assert.Equal("Stack 'Stack' lists 'Dgram', which requires 'Net', but does not list 'Net'", Message(diagnostic));
    }

    [Fact]
    public async Task RequiredProtocolListed_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + Samples.Dgram + """
            [NetworkStack(typeof(Link), typeof(Net), typeof(Dgram))]
            public sealed partial class Stack { }
            """);

        result.AssertNone();
    }

    [Fact]
    public async Task TwoNetworksWithOneEthertype_IsNetKit0005_OnTheSecond()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + """
            [Protocol("net2", ProtocolLayer.Network, 0x0800)]
            [RequiresProtocol(typeof(Link))]
            public static partial class Net2 { }

            [NetworkStack(
                typeof(Link),
                typeof(Net),
                typeof(Net2))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0005", "typeof(Net2)");
        Assert.Equal("Stack 'Stack' lists 'Net' and 'Net2', which both claim ethertype 0x0800", Message(diagnostic));
    }

    [Fact]
    public async Task TwoLinks_IsNetKit0005_OnTheSecond()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + """
            [Protocol("link2", ProtocolLayer.Link, 0)]
            public static partial class Link2 { }

            [NetworkStack(
                typeof(Link),
                typeof(Link2))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0005", "typeof(Link2)");
        Assert.Contains("the link layer", Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoTransportsWithOneNumberOverACommonNetwork_IsNetKit0005_OnTheSecond()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + Samples.Dgram + """
            [Protocol("dgram2", ProtocolLayer.Transport, 17)]
            [RequiresProtocol(typeof(Net))]
            public static partial class Dgram2 { }

            [NetworkStack(
                typeof(Link),
                typeof(Net),
                typeof(Dgram),
                typeof(Dgram2))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0005", "typeof(Dgram2)");
        Assert.Equal("Stack 'Stack' lists 'Dgram' and 'Dgram2', which both claim IP protocol 17 over 'Net'", Message(diagnostic));
    }

    [Fact]
    public async Task TransportRequiringNoNetwork_ClashesOverEveryNetwork()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + Samples.Dgram + """
            [Protocol("any", ProtocolLayer.Transport, 17)]
            public static partial class AnyNet { }

            [NetworkStack(
                typeof(Link),
                typeof(Net),
                typeof(Dgram),
                typeof(AnyNet))]
            public sealed partial class Stack { }
            """);

        result.Single("NETKIT0005", "typeof(AnyNet)");
    }

    [Fact]
    public async Task TwoTransportsWithOneNumberOverDifferentNetworks_HaveNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + Samples.Dgram + """
            [Protocol("net6", ProtocolLayer.Network, 0x86DD)]
            [RequiresProtocol(typeof(Link))]
            public static partial class Net6 { }

            [Protocol("dgram6", ProtocolLayer.Transport, 17)]
            [RequiresProtocol(typeof(Net6))]
            public static partial class Dgram6 { }

            [NetworkStack(typeof(Link), typeof(Net), typeof(Net6), typeof(Dgram), typeof(Dgram6))]
            public sealed partial class Stack { }
            """);

        result.AssertNone();
    }

    private const string ChainTransport = """
        [Protocol("chained", ProtocolLayer.Transport, 99, SocketType = SocketType.Raw)]
        [RequiresProtocol(typeof(Net))]
        public static partial class Chained
        {
            [SockOpt(SockOptLevel.IP, OPTION, SockOptAccess.Set)]
            public static Errno SetTtl(NetSocket socket, int value) => Errno.None;
        }

        [NetworkStack(
            typeof(Link),
            typeof(Net),
            typeof(Chained))]
        public sealed partial class Stack { }
        """;

    [Fact]
    public async Task OptionDeclaredTwiceAlongASocketsChain_IsNetKit0003_OnTheSecondClass()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + ChainTransport.Replace("OPTION", "2", System.StringComparison.Ordinal));

        var diagnostic = result.Single("NETKIT0003", "typeof(Net),");
        Assert.Equal(
            "Socket option (level 0, name 2, Set) is declared twice for 'Chained' sockets in stack 'Stack': by 'Chained' and by 'Net'",
            Message(diagnostic));
    }

    [Fact]
    public async Task DistinctOptionsAlongASocketsChain_HaveNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.Net + ChainTransport.Replace("OPTION", "3", System.StringComparison.Ordinal));

        result.AssertNone();
    }

    private const string SecondTable = """
        [SocketOptionTable]
        public static partial class MoreSocketLevel
        {
            [SockOpt(SockOptLevel.Socket, 2, SockOptAccess.Set)]
            public static Errno SetReuse(NetSocket socket, bool value) => Errno.None;
        }

        """;

    [Fact]
    public async Task OptionDeclaredByTwoTablesOfAStack_IsNetKit0003_OnTheSecondTable()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.SocketLevel + SecondTable + """
            [NetworkStack(
                typeof(Link),
                typeof(SocketLevel),
                typeof(MoreSocketLevel))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0003", "typeof(MoreSocketLevel)");
        Assert.Contains("by 'SocketLevel' and by 'MoreSocketLevel'", Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task TablesInDifferentStacks_HaveNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + Samples.SocketLevel + SecondTable + """
            [NetworkStack(typeof(Link), typeof(SocketLevel))]
            public sealed partial class Stack { }

            [NetworkStack(typeof(Link), typeof(MoreSocketLevel))]
            public sealed partial class OtherStack { }
            """);

        result.AssertNone();
    }

    [Fact]
    public async Task NetworkWithoutLink_IsNetKit0013Warning_OnTheAttribute()
    {
        var result = await AnalyzerHarness.Analyze("""
            [Protocol("net", ProtocolLayer.Network, 0x0800)]
            public static partial class LoneNet { }

            [NetworkStack(typeof(LoneNet))]
            public sealed partial class Stack { }
            """);

        var diagnostic = result.Single("NETKIT0013", "[NetworkStack(");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("'Stack'", Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkWithLink_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + """
            [Protocol("net", ProtocolLayer.Network, 0x0800)]
            public static partial class LoneNet { }

            [NetworkStack(typeof(Link), typeof(LoneNet))]
            public sealed partial class Stack { }
            """);

        result.AssertNone();
    }

    [Theory]
    [InlineData("StackBase")]
    [InlineData("NetStack")]
    public async Task StackWithBaseClass_IsNetKit0012_OnTheBaseType(string baseType)
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + $$"""
            public abstract class StackBase { }

            [NetworkStack(typeof(Link))]
            public sealed partial class Stack
                : {{baseType}}
            {
            }
            """);

        var diagnostic = result.Has("NETKIT0012", ": " + baseType);
        Assert.Contains($"'{baseType}'", Message(diagnostic), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task StackWithInterfaceOnly_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.Link + """
            [NetworkStack(typeof(Link))]
            public sealed partial class Stack : IDisposable
            {
                public void Dispose() { }
            }
            """);

        result.AssertNone();
    }
}
