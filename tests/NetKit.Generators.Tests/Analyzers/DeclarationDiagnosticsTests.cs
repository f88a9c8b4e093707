using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// Declaring classes: they must take generated parts (NETKIT0002), the project must allow unsafe code
/// (NETKIT0014), and one class declares each (level, name, access) once (NETKIT0003).
/// </summary>
public sealed class DeclarationDiagnosticsTests
{
    [Theory]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)]\npublic static class Target { }\n", "partial")]
    [InlineData("[SocketOptionTable]\npublic static class Target { }\n", "partial")]
    [InlineData("[NetworkStack]\npublic sealed class Target { }\n", "partial")]
    [InlineData("public static partial class Outer\n{\n    [Protocol(\"p\", ProtocolLayer.Transport, 6)]\n    public static partial class Target { }\n}\n", "nested in 'Outer'")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)]\npublic partial class Target<T> { }\n", "generic")]
    [InlineData("[SocketOptionTable]\npublic partial record Target;\n", "record")]
    [InlineData("[NetworkStack]\npublic static partial class Target { }\n", "static")]
    public async Task DeclaringClassThatCannotBeExtended_IsNetKit0002_OnItsName(string source, string reason)
    {
        var result = await AnalyzerHarness.Analyze(source);

        var diagnostic = result.Single("NETKIT0002", "Target");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'Target'", message, System.StringComparison.Ordinal);
        Assert.Contains(reason, message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartNotDeclaredPartial_IsNetKit0002_OnThatPart()
    {
        var result = await AnalyzerHarness.Analyze("""
            [Protocol("p", ProtocolLayer.Transport, 6)]
            public static partial class Target { }

            public static class Target /* second part */ { }
            """);

        result.Has("NETKIT0002", "second part");
    }

    [Theory]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)]\npublic static partial class Target { }\n")]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)]\npublic partial class Target { }\n")]
    [InlineData("[SocketOptionTable]\npublic static partial class Target { }\n")]
    [InlineData("[NetworkStack]\npublic sealed partial class Target { }\n")]
    [InlineData("public static partial class Outer { }\n[Protocol(\"p\", ProtocolLayer.Transport, 6)]\npublic static partial class Target { }\n")]
    public async Task TopLevelNonGenericPartialClass_HasNoDiagnostic(string source)
    {
        var result = await AnalyzerHarness.Analyze(source);

        result.AssertNone();
    }

    [Fact]
    public async Task UnsafeCodeOff_IsNetKit0014_OncePerDeclaringClass()
    {
        const string Source = Samples.All + """
            [NetworkStack(typeof(Link), typeof(Net), typeof(Dgram), typeof(SocketLevel))]
            public sealed partial class Stack { }
            """;

        var result = await AnalyzerHarness.Analyze(Source, allowUnsafe: false);

        Assert.All(result.Diagnostics, d => Assert.Equal("NETKIT0014", d.Id));
        var lines = result.Diagnostics.Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1).OrderBy(l => l).ToArray();
        int[] expected = new[] { "class Link", "class Net", "class Dgram", "class SocketLevel", "class Stack" }
            .Select(result.LineOf).OrderBy(l => l).ToArray();
        Assert.Equal(expected, lines);
        Assert.Contains("AllowUnsafeBlocks", result.Diagnostics[0].GetMessage(CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsafeCodeOn_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze(Samples.All + """
            [NetworkStack(typeof(Link), typeof(Net), typeof(Dgram), typeof(SocketLevel))]
            public sealed partial class Stack { }
            """);

        result.AssertNone();
    }

    [Fact]
    public async Task UnsafeCodeOffWithoutDeclarations_HasNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze("public static class Plain { }\n", allowUnsafe: false);

        result.AssertNone();
    }

    [Theory]
    [InlineData("[Protocol(\"p\", ProtocolLayer.Transport, 6)]", "SockOptLevel.Tcp")]
    [InlineData("[SocketOptionTable]", "SockOptLevel.Socket")]
    public async Task SameOptionTwiceInOneClass_IsNetKit0003_OnTheSecondAttribute(string attribute, string level)
    {
        var result = await AnalyzerHarness.Analyze($$"""
            {{attribute}}
            public static partial class P
            {
                [SockOpt({{level}}, 1, SockOptAccess.Set)]
                public static Errno First(NetSocket socket, int value) => Errno.None;

                [SockOpt({{level}}, 1, SockOptAccess.Set, Minimum = 0 /* second */)]
                public static Errno Second(NetSocket socket, int value) => Errno.None;
            }
            """);

        var diagnostic = result.Single("NETKIT0003", "second");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'P.First'", message, System.StringComparison.Ordinal);
        Assert.Contains("'P.Second'", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAndGetOfOneOption_HaveNoDiagnostic()
    {
        var result = await AnalyzerHarness.Analyze("""
            [Protocol("p", ProtocolLayer.Transport, 6)]
            public static partial class P
            {
                [SockOpt(SockOptLevel.Tcp, 1, SockOptAccess.Set)]
                public static Errno Set(NetSocket socket, int value) => Errno.None;

                [SockOpt(SockOptLevel.Tcp, 1, SockOptAccess.Get)]
                public static Errno Get(NetSocket socket, out int value) { value = 0; return Errno.None; }
            }
            """);

        result.AssertNone();
    }
}
