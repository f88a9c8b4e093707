using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using NetKit.Generators.Tests.Support;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// The test protocols are the reference of valid declarations (their project builds with the analyzer and warnings
/// as errors); the analyzers must find nothing in them here either, where no generated code hides anything.
/// </summary>
public sealed class ValidDeclarationsTests
{
    [Fact]
    public async Task TestProtocolSources_HaveNoDiagnostics()
    {
        string directory = Path.Combine(AnalyzerHarness.RepositoryRoot(), "tests", "NetKit.Generators.TestProtocols");
        var files = Directory.GetFiles(directory, "*.cs", SearchOption.TopDirectoryOnly).OrderBy(f => f, System.StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), TestCompilation.ParseOptions, path: f));

        var result = await AnalyzerHarness.Analyze(TestCompilation.Create(trees));

        result.AssertNone();
    }

    [Fact]
    public async Task CompilationWithoutNetKitRuntime_IsIgnored()
    {
        // A look-alike attribute outside NetKit.Runtime is not NetKit's, so nothing is reported.
        var compilation = CSharpCompilation.Create("Plain",
            new[] { CSharpSyntaxTree.ParseText("""
                namespace Other;
                public sealed class ProtocolAttribute : System.Attribute { }
                [Protocol] public static class NotPartial { }
                """, TestCompilation.ParseOptions) },
            TestCompilation.References.Where(r => !(r.Display ?? "").EndsWith("NetKit.Runtime.dll", System.StringComparison.Ordinal)),
            new CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));

        var result = await AnalyzerHarness.Analyze(compilation);

        result.AssertNone();
    }
}
