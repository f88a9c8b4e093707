using System;
using System.Collections.Generic;
using System.Globalization;

namespace NetKit.Appliance.Tests.Support;

/// <summary>
/// The counters the appliance prints when it stops, by section and name: a section line ends with ':'
/// ("tcp:", "service discard:9:", "device nkt1:"), followed by indented "Name   value" lines.
/// </summary>
public sealed class ApplianceCounters
{
    private readonly Dictionary<string, Dictionary<string, long>> _sections = new(StringComparer.Ordinal);

    public ApplianceCounters(string text)
    {
        Dictionary<string, long>? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]) && line.EndsWith(':'))
            {
                current = _sections[line[..^1]] = new(StringComparer.Ordinal);
                continue;
            }
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (current is not null && fields.Length == 2 && long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
                current[fields[0]] = value;
        }
    }

    public IReadOnlyCollection<string> Sections => _sections.Keys;

    /// <summary>The value of <paramref name="name"/> in <paramref name="section"/>, or null when not printed.</summary>
    public long? this[string section, string name] =>
        _sections.TryGetValue(section, out var values) && values.TryGetValue(name, out long value) ? value : null;

    /// <summary>True when the per-protocol sections (ipv4, icmp, udp, tcp) were printed with numbers.</summary>
    public bool HasProtocolCounters =>
        this["ipv4", "Received"] is not null && this["icmp", "Received"] is not null &&
        this["udp", "Received"] is not null && this["tcp", "SegmentsReceived"] is not null;

    /// <summary>True when <paramref name="text"/> holds the per-protocol counters.</summary>
    public static bool LookPrinted(string text) => new ApplianceCounters(text).HasProtocolCounters;
}
