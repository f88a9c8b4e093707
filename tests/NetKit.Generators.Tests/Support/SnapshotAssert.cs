using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit.Sdk;

namespace NetKit.Generators.Tests.Support;

/// <summary>
/// Snapshot assertions for generated sources in Verify's file convention (Verify itself cannot be restored here):
/// <c>_snapshots/{Class}.{Method}#{HintName without .cs}.verified.cs</c>, holding a UTF-8 BOM, the line
/// <c>//HintName: {HintName}</c> and the generated text. A mismatch writes <c>.received.cs</c> beside it and fails
/// with a line diff. Setting <c>NETKIT_ACCEPT_SNAPSHOTS=1</c> accepts new output; it is ignored when <c>CI</c> is set,
/// so CI never accepts.
/// </summary>
public static class SnapshotAssert
{
    public const string AcceptVariable = "NETKIT_ACCEPT_SNAPSHOTS";

    private static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    public static string Directory { get; } = typeof(SnapshotAssert).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "NetKitSnapshotDirectory").Value!;

    private static bool Accepting =>
        Environment.GetEnvironmentVariable(AcceptVariable) == "1" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Checks every generated source of <paramref name="result"/> and that no stale snapshot of this test remains.</summary>
    public static void Matches(GeneratorDriverRunResult result, string testClass, [CallerMemberName] string testMethod = "") =>
        Matches(result, testClass, testMethod, Directory, Accepting);

    /// <summary>Checks only the sources whose hint name ends with <paramref name="hintSuffix"/> (what the test is about).</summary>
    public static void MatchesOnly(GeneratorDriverRunResult result, string testClass, string hintSuffix, [CallerMemberName] string testMethod = "") =>
        Matches(result, testClass, testMethod, Directory, Accepting, hintSuffix);

    /// <summary>The same check against any directory, accepting or not (the helper's own tests use it).</summary>
    internal static void Matches(GeneratorDriverRunResult result, string testClass, string testMethod, string directory, bool accept, string hintSuffix = "")
    {
        var sources = result.Results.SelectMany(r => r.GeneratedSources)
            .Where(s => s.HintName.EndsWith(hintSuffix, StringComparison.Ordinal)).ToList();
        if (sources.Count == 0) throw new XunitException("The generator produced no sources (did it run?).");
        string prefix = testClass + "." + testMethod + "#";
        var expectedFiles = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var source in sources)
        {
            string hint = source.HintName.EndsWith(".cs", StringComparison.Ordinal) ? source.HintName[..^3] : source.HintName;
            string verified = Path.Combine(directory, prefix + hint + ".verified.cs");
            expectedFiles.Add(Path.GetFileName(verified));
            string actual = "//HintName: " + source.HintName + "\n" + Normalize(source.SourceText.ToString());
            if (Check(verified, actual, accept) is { } failure) failures.Add(failure);
        }
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var stale in System.IO.Directory.GetFiles(directory, prefix + "*.verified.cs"))
            {
                if (expectedFiles.Contains(Path.GetFileName(stale))) continue;
                if (accept) File.Delete(stale);
                else failures.Add($"{Path.GetFileName(stale)}: snapshot exists but the generator no longer emits it.");
            }
        }
        if (failures.Count > 0) throw new XunitException(string.Join("\n\n", failures));
    }

    private static string? Check(string verifiedPath, string actual, bool accept)
    {
        string received = verifiedPath.Replace(".verified.cs", ".received.cs", StringComparison.Ordinal);
        string? expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath, Utf8WithBom)) : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return null;
        }
        if (accept)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllText(verifiedPath, actual, Utf8WithBom);
            if (File.Exists(received)) File.Delete(received);
            return null;
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(received)!);
        File.WriteAllText(received, actual, Utf8WithBom);
        string name = Path.GetFileName(verifiedPath);
        return expected is null
            ? $"{name}: no verified snapshot; wrote {Path.GetFileName(received)}. Review it, then rerun with {AcceptVariable}=1."
            : $"{name}: generated code differs from the snapshot (wrote {Path.GetFileName(received)}):\n{LineDiff(expected, actual)}";
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimStart('\uFEFF');

    /// <summary>Lines that differ, with line numbers, up to a readable limit.</summary>
    internal static string LineDiff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var text = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < Math.Max(a.Length, b.Length) && shown < 20; i++)
        {
            string? left = i < a.Length ? a[i] : null;
            string? right = i < b.Length ? b[i] : null;
            if (left == right) continue;
            shown++;
            if (left is not null) text.Append("  ").Append(i + 1).Append(" - ").Append(left).Append('\n');
            if (right is not null) text.Append("  ").Append(i + 1).Append(" + ").Append(right).Append('\n');
        }
        return text.ToString();
    }
}
