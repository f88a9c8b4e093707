using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NetKit.Generators.Tests.Support;

/// <summary>Runs <see cref="NetKitGenerator"/> in process with step tracking on, as Mapperly's and Mediator's tests do.</summary>
public static class GeneratorRunner
{
    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        new[] { new NetKitGenerator().AsSourceGenerator() },
        parseOptions: TestCompilation.ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator over <paramref name="sources"/>; returns the driver (for reruns), the result and the output compilation.</summary>
    public static (GeneratorDriver Driver, GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = TestCompilation.Create(sources);
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver, driver.GetRunResult(), output);
    }

    /// <summary>The generated text of the source whose hint name ends with <paramref name="suffix"/>.</summary>
    public static string Source(GeneratorDriverRunResult result, string suffix) =>
        result.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName.EndsWith(suffix, System.StringComparison.Ordinal)).SourceText.ToString();
}
