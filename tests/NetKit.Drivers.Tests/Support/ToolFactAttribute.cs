using System;
using System.IO;
using Xunit;

namespace NetKit.Drivers.Tests.Support;

/// <summary>
/// A fact that needs an external program: reported as skipped (with the reason) when <paramref name="tool"/> is not on
/// PATH. xunit 2 has no dynamic skip; setting <see cref="FactAttribute.Skip"/> at discovery is the supported way.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (Find(tool) is null) Skip = $"{tool} is not on PATH";
    }

    /// <summary>Full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
