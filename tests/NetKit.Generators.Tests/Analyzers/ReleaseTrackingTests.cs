extern alias NetKitAnalyzers;

using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using NetKitAnalyzers::NetKit.Analyzers;
using Xunit;

namespace NetKit.Generators.Tests.Analyzers;

/// <summary>
/// The descriptor set is what AnalyzerReleases.*.md say it is (RS2008 checks the build; this checks the files and
/// the numbering), and every descriptor is reported by some analyzer.
/// </summary>
public sealed class ReleaseTrackingTests
{
    private static readonly Regex s_rule = new(@"^(NETKIT\d{4})\s*\|\s*(\w+)\s*\|\s*(\w+)\s*\|", RegexOptions.Multiline);

    private static List<DiagnosticDescriptor> Descriptors() => typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToList();

    [Fact]
    public void Ids_AreUniqueAndSequentialFrom0001To0014()
    {
        var ids = Descriptors().Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal).ToList();

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(Enumerable.Range(1, 14).Select(n => $"NETKIT{n:D4}"), ids);
        var constants = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).OrderBy(id => id, System.StringComparer.Ordinal);
        Assert.Equal(ids, constants);
    }

    [Fact]
    public void EveryDescriptor_IsListedInAReleaseFile_WithItsCategoryAndSeverity()
    {
        string directory = Path.Combine(AnalyzerHarness.RepositoryRoot(), "generators", "NetKit.Analyzers");
        string releases = File.ReadAllText(Path.Combine(directory, "AnalyzerReleases.Shipped.md")) + "\n" +
                          File.ReadAllText(Path.Combine(directory, "AnalyzerReleases.Unshipped.md"));
        var listed = s_rule.Matches(releases).ToDictionary(m => m.Groups[1].Value, m => (Category: m.Groups[2].Value, Severity: m.Groups[3].Value));

        foreach (var descriptor in Descriptors())
        {
            Assert.True(listed.TryGetValue(descriptor.Id, out var entry), descriptor.Id + " is in no AnalyzerReleases file");
            Assert.Equal(descriptor.Category, entry.Category);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), entry.Severity);
        }
        Assert.Equal(Descriptors().Select(d => d.Id).OrderBy(i => i, System.StringComparer.Ordinal), listed.Keys.OrderBy(i => i, System.StringComparer.Ordinal));
    }

    [Fact]
    public void Descriptors_AreErrorsExceptNetKit0013_AndExplainTheFix()
    {
        foreach (var descriptor in Descriptors())
        {
            var expected = descriptor.Id == "NETKIT0013" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
            Assert.Equal(expected, descriptor.DefaultSeverity);
            Assert.Equal("NetKit", descriptor.Category);
            Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString(System.Globalization.CultureInfo.InvariantCulture)), descriptor.Id);
        }
    }

    [Fact]
    public void EveryDescriptor_IsSupportedByAnAnalyzer()
    {
        var supported = AnalyzerHarness.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet();

        Assert.All(Descriptors(), d => Assert.Contains(d.Id, supported));
    }
}
