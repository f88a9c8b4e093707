using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NetKit.Generators.Tests.Support;
using Xunit;

namespace NetKit.Generators.Tests.Generator;

/// <summary>
/// The pipeline caches: an unrelated edit re-emits nothing, a handler change re-emits only what depends on it
/// (Mediator's and STJ's incrementality tests).
/// </summary>
public sealed class IncrementalityTests
{
    private static readonly string[] Sources =
    {
        Declarations.LinkAndNetwork, Declarations.TransportWithAllHandlers, Declarations.OptionsOfEveryType, Declarations.Stacks,
    };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = TestCompilation.Create(Sources);
        var driver = GeneratorRunner.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriverRunResult result, string step) =>
        result.Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorDriverRunResult result) =>
        result.Results[0].TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void UnrelatedEditLeavesEveryStepCachedOrUnchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Sample; public static class Unrelated { public static int Answer => 42; }", TestCompilation.ParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult();

        foreach (var step in new[] { GeneratorStepNames.Protocols, GeneratorStepNames.OptionTables, GeneratorStepNames.Stacks })
            Assert.All(Reasons(result, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        Assert.All(OutputReasons(result), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void EditInsideAHandlerBodyDoesNotReemit()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Declarations.TransportWithAllHandlers.Replace("=> Errno.EOPNOTSUPP;", "=> Errno.EINVAL;", StringComparison.Ordinal))));
        var result = driver.RunGenerators(edited).GetRunResult();

        // The body is not part of the model: the protocol step reruns to at most an equal model.
        Assert.All(Reasons(result, GeneratorStepNames.Protocols), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(OutputReasons(result), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void RenamingAHandlerModifiesItsProtocolAndStack()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Declarations.TransportWithAllHandlers.Replace("Errno Bind(", "Errno BindAddress(", StringComparison.Ordinal))));
        var result = driver.RunGenerators(edited).GetRunResult();

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, GeneratorStepNames.Protocols));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, GeneratorStepNames.Stacks));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result));
        Assert.Contains("BindAddress(socket, in request.Address)", GeneratorRunner.Source(result, "Dgram.Dispatch.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsHoldNoSymbolsSyntaxOrCompilations()
    {
        var (driver, _) = FirstRun();
        var result = driver.GetRunResult();
        var values = result.Results[0].TrackedSteps
            .Where(s => s.Key.StartsWith("NetKit.", StringComparison.Ordinal))
            .SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        Assert.NotEmpty(values);
        foreach (var value in values) AssertNoRoslynObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
    }

    private static void AssertNoRoslynObjects(object? node, HashSet<object> seen, string path)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum) return;
        Assert.False(node is ISymbol or Compilation or SyntaxNode or Location or SyntaxTree, $"{path} holds a {node.GetType().Name}");
        if (!node.GetType().IsValueType && !seen.Add(node)) return;
        if (node is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items) AssertNoRoslynObjects(item, seen, $"{path}[{i++}]");
            return;
        }
        foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            AssertNoRoslynObjects(property.GetValue(node), seen, path + "." + property.Name);
        }
    }
}
