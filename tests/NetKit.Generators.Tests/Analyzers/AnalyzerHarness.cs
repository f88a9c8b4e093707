extern alias NetKitAnalyzers;

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NetKit.Generators.Tests.Support;
using NetKitAnalyzers::NetKit.Analyzers;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// Runs both NetKit analyzers over in-memory declarations. No generator runs, so the compilations lack generated
/// members; only analyzer diagnostics are asserted on.
/// </summary>
internal static class AnalyzerHarness
{
    /// <summary>What every sample starts with; samples are written as a protocol author would.</summary>
    public const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using NetKit.Runtime;
        using NetKit.Runtime.Buffers;
        using NetKit.Runtime.Hashing;
        using NetKit.Runtime.Protocols;
        using NetKit.Runtime.Sockets;

        namespace Sample;

        """;

    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } =
        ImmutableArray.Create<DiagnosticAnalyzer>(new ProtocolDeclarationAnalyzer(), new StackDeclarationAnalyzer());

    /// <summary>Analyzes <see cref="Prelude"/> followed by <paramref name="source"/>.</summary>
    public static Task<AnalyzerResult> Analyze(string source, bool allowUnsafe = true)
    {
        string text = Prelude + source;
        var compilation = TestCompilation.Create(text);
        if (!allowUnsafe) compilation = compilation.WithOptions(compilation.Options.WithAllowUnsafe(false));
        return Analyze(compilation, text);
    }

    public static async Task<AnalyzerResult> Analyze(Compilation compilation, string text = "")
    {
        var diagnostics = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        // An analyzer that throws is reported as AD0001 rather than failing the build.
        Assert.False(diagnostics.Any(d => d.Id == "AD0001"), TestCompilation.Describe(diagnostics));
        return new AnalyzerResult(text, diagnostics);
    }

    /// <summary>The repository root (where NetKit.sln is), found from the test binaries upwards.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "NetKit.sln"))) return directory.FullName;
        throw new InvalidOperationException("NetKit.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Analyzer diagnostics of one sample, with assertions that locate them by a snippet of the sample.</summary>
internal sealed class AnalyzerResult
{
    private readonly string _text;

    public AnalyzerResult(string text, ImmutableArray<Diagnostic> diagnostics)
    {
        _text = text;
        Diagnostics = diagnostics;
    }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>Asserts that the sample's only diagnostic is <paramref name="id"/>, on the line containing <paramref name="at"/>.</summary>
    public Diagnostic Single(string id, string at)
    {
        Assert.True(Diagnostics.Length == 1, $"expected one {id}, got:{Environment.NewLine}{TestCompilation.Describe(Diagnostics)}");
        return Has(id, at);
    }

    /// <summary>Asserts that exactly one <paramref name="id"/> is reported, on the line containing <paramref name="at"/>.</summary>
    public Diagnostic Has(string id, string at)
    {
        var matching = Diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got:{Environment.NewLine}{TestCompilation.Describe(Diagnostics)}");
        AssertOnLine(matching[0], at);
        return matching[0];
    }

    public void AssertOnLine(Diagnostic diagnostic, string at) =>
        Assert.True(LineOf(at) == diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1,
            $"expected on line {LineOf(at)} ('{at}'), got {diagnostic}");

    public void AssertNone() =>
        Assert.True(Diagnostics.IsEmpty, "expected no NETKIT diagnostics, got:" + Environment.NewLine + TestCompilation.Describe(Diagnostics));

    /// <summary>1-based line of the only line containing <paramref name="snippet"/>.</summary>
    public int LineOf(string snippet)
    {
        var lines = _text.Split('\n');
        var hits = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(snippet, StringComparison.Ordinal)).ToList();
        Assert.True(hits.Count == 1, $"snippet '{snippet}' occurs {hits.Count} times in the sample");
        return hits[0] + 1;
    }
}
