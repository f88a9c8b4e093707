using System;
using System.Linq;
using NetKit.Appliance.LinuxPeer;
using Xunit;

namespace NetKit.Appliance.Tests.Support;

/// <summary>
/// A fact that needs root, <c>/dev/net/tun</c>, <c>ip</c> (network namespaces) and the given external tools: it is
/// reported as skipped, with the reason, when any is missing. xunit 2 has no dynamic skip; setting
/// <see cref="FactAttribute.Skip"/> at discovery is the supported way.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(params string[] tools)
    {
        if (SkipReason(tools) is { } reason) Skip = reason;
    }

    /// <summary>Why a test needing <paramref name="tools"/> cannot run here, or null when it can.</summary>
    public static string? SkipReason(params string[] tools)
    {
        if (!Privileges.IsTapAvailable(out string reason)) return reason;
        var missing = Tool.Missing(["ip", .. tools]);
        return missing.Count == 0 ? null : $"not on PATH: {string.Join(", ", missing)} (Debian: apt-get install {string.Join(' ', missing.Select(PackageOf).Distinct())})";
    }

    private static string PackageOf(string tool) => tool switch
    {
        "ip" or "nstat" => "iproute2",
        "ping" => "iputils-ping",
        "nft" => "nftables",
        "nc" => "netcat-openbsd",
        _ => tool,
    };
}
