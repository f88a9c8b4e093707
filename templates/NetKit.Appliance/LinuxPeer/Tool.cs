using System;
using System.Collections.Generic;
using System.IO;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>Finds external programs (ip, nft, curl, ...) on PATH.</summary>
public static class Tool
{
    /// <summary>Full path of <paramref name="name"/> on PATH, or null when it is not there.</summary>
    public static string? Find(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        // Root's PATH sometimes lacks the sbin directories where ip, nft and ethtool live.
        foreach (var directory in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Full path of <paramref name="name"/>; throws naming the missing tool.</summary>
    public static string Require(string name) =>
        Find(name) ?? throw new InvalidOperationException($"'{name}' is not on PATH (install it, e.g. with apt-get).");

    /// <summary>The names in <paramref name="names"/> that are not on PATH (empty when all are there).</summary>
    public static IReadOnlyList<string> Missing(params string[] names)
    {
        var missing = new List<string>();
        foreach (var name in names) if (Find(name) is null) missing.Add(name);
        return missing;
    }
}
