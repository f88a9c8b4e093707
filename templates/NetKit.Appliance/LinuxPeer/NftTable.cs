using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>One nftables rule: the hook of the chain it goes in ("output", "input", "forward", "prerouting", ...) and its text.</summary>
public readonly record struct NftRule(string Hook, string Text);

/// <summary>
/// An nftables table this library added to a namespace, one base chain per hook used. Dispose deletes the table
/// (and with it every rule), so an impairment never outlives the test that set it.
/// </summary>
public sealed class NftTable : IDisposable
{
    private static int s_next;
    private readonly PeerNamespace _namespace;
    private bool _deleted;

    private NftTable(PeerNamespace ns, string family, string name)
    {
        _namespace = ns;
        Family = family;
        Name = name;
    }

    /// <summary>Family: "ip", "ip6", "inet" or "netdev".</summary>
    public string Family { get; }

    public string Name { get; }

    /// <summary>Creates the table in <paramref name="ns"/> with <paramref name="rules"/>, atomically (one <c>nft -f</c>).</summary>
    internal static NftTable Create(PeerNamespace ns, string family, IReadOnlyList<NftRule> rules, int priority)
    {
        var table = new NftTable(ns, family, $"netkit{System.Threading.Interlocked.Increment(ref s_next)}");
        var script = new StringBuilder();
        script.Append("table ").Append(family).Append(' ').Append(table.Name).Append(" {\n");
        foreach (var hook in rules.Select(r => r.Hook).Distinct())
        {
            script.Append("  chain ").Append(hook).Append(" {\n");
            script.Append(CultureInfo.InvariantCulture, $"    type filter hook {hook} priority {priority}; policy accept;\n");
            foreach (var rule in rules.Where(r => r.Hook == hook)) script.Append("    ").Append(rule.Text).Append('\n');
            script.Append("  }\n");
        }
        script.Append("}\n");
        ns.Run([Tool.Require("nft"), "-f", "-"], TimeSpan.FromSeconds(20), script.ToString()).EnsureSuccess();
        return table;
    }

    /// <summary>The table as nft lists it now (rules with their counters).</summary>
    public string List() =>
        _namespace.Run([Tool.Require("nft"), "list", "table", Family, Name], TimeSpan.FromSeconds(20)).EnsureSuccess().StandardOutput;

    /// <summary>Packets counted by each <c>counter</c> statement, in rule order (hook by hook).</summary>
    public IReadOnlyList<long> CounterPackets() =>
        Regex.Matches(List(), @"counter packets (\d+) bytes \d+")
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Deletes the table now (Dispose does the same, once).</summary>
    public void Delete()
    {
        if (_deleted) return;
        _deleted = true;
        // The namespace may already be gone with everything in it; nothing to undo then.
        if (_namespace.Exists && Tool.Find("nft") is { } nft)
            _namespace.Run([nft, "delete", "table", Family, Name], TimeSpan.FromSeconds(20));
    }

    public void Dispose() => Delete();
}
