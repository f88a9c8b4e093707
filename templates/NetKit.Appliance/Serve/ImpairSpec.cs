using System;
using System.Globalization;
using NetKit.Drivers.Impairments;

namespace NetKit.Appliance.Serve;

/// <summary>
/// The <c>--impair SPEC</c> language: comma-separated <c>key=value</c> items mapped onto
/// <see cref="ImpairmentOptions"/>. An unprefixed key applies to both directions; <c>rx-</c> / <c>tx-</c> keys to
/// frames received from or transmitted to the link, and override the unprefixed value for that direction.
/// Keys: <c>loss</c>, <c>dup</c>, <c>reorder</c>, <c>corrupt</c> (percent, <c>1.5%</c>); <c>delay</c>, <c>jitter</c>
/// (with a unit: <c>us</c>, <c>ms</c>, <c>s</c>); <c>rate</c> (bits/s, or with <c>kbit</c>, <c>mbit</c>, <c>gbit</c>);
/// <c>seed</c> (decimal or <c>0x</c> hex).
/// </summary>
public sealed class ImpairSpec
{
    /// <summary>A spec that impairs nothing.</summary>
    public static ImpairSpec None { get; } = new(ImpairmentOptions.None, ImpairmentOptions.None);

    public ImpairSpec(ImpairmentOptions receive, ImpairmentOptions transmit)
    {
        Receive = receive;
        Transmit = transmit;
    }

    /// <summary>Applied to frames read from the link, before the stack sees them.</summary>
    public ImpairmentOptions Receive { get; }

    /// <summary>Applied to frames the stack transmits, before they reach the link.</summary>
    public ImpairmentOptions Transmit { get; }

    private const int Loss = 0, Dup = 1, Reorder = 2, Corrupt = 3, Delay = 4, Jitter = 5, Rate = 6, Seed = 7, KeyCount = 8;
    private static readonly string[] s_keys = ["loss", "dup", "reorder", "corrupt", "delay", "jitter", "rate", "seed"];

    // One parsed value per key and scope (both, rx, tx); a key given twice in one scope is an error.
    private struct Values
    {
        public double[] Numbers;
        public bool[] Given;

        public static Values Create() => new() { Numbers = new double[KeyCount], Given = new bool[KeyCount] };
    }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out ImpairSpec? spec, out string? error)
    {
        spec = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "--impair: empty spec (expected key=value[,key=value...])";
            return false;
        }
        var both = Values.Create();
        var rx = Values.Create();
        var tx = Values.Create();
        ulong seedBoth = 0, seedRx = 0, seedTx = 0;
        foreach (var range in text.AsSpan().Split(','))
        {
            var item = text.AsSpan(range).Trim();
            int equals = item.IndexOf('=');
            if (item.IsEmpty || equals <= 0 || equals == item.Length - 1)
            {
                error = $"--impair: '{item}' is not key=value";
                return false;
            }
            var fullKey = item[..equals].Trim();
            var value = item[(equals + 1)..].Trim();
            ref Values scope = ref both;
            ref ulong seed = ref seedBoth;
            var key = fullKey;
            if (key.StartsWith("rx-"))
            {
                scope = ref rx;
                seed = ref seedRx;
                key = key[3..];
            }
            else if (key.StartsWith("tx-"))
            {
                scope = ref tx;
                seed = ref seedTx;
                key = key[3..];
            }
            int index = Array.IndexOf(s_keys, key.ToString());
            if (index < 0)
            {
                error = $"--impair: unknown key '{fullKey}' (keys: loss, dup, reorder, corrupt, delay, jitter, rate, seed; prefix rx- or tx- for one direction)";
                return false;
            }
            if (scope.Given[index])
            {
                error = $"--impair: '{fullKey}' given twice";
                return false;
            }
            string? problem;
            double number = 0;
            switch (index)
            {
                case Loss or Dup or Reorder or Corrupt:
                    problem = TryParsePercent(value, out number);
                    break;
                case Delay or Jitter:
                    problem = TryParseMicroseconds(value, out number);
                    break;
                case Rate:
                    problem = TryParseRate(value, out number);
                    break;
                default:
                    problem = TryParseSeed(value, out seed);
                    break;
            }
            if (problem is not null)
            {
                error = $"--impair: {fullKey}={value}: {problem}";
                return false;
            }
            scope.Given[index] = true;
            scope.Numbers[index] = number;
        }
        spec = new ImpairSpec(Build(both, rx, seedBoth, seedRx), Build(both, tx, seedBoth, seedTx));
        error = null;
        return true;
    }

    private static ImpairmentOptions Build(in Values both, in Values direction, ulong seedBoth, ulong seedDirection)
    {
        bool any = false;
        for (int i = 0; i < KeyCount; i++) any |= both.Given[i] || direction.Given[i];
        if (!any) return ImpairmentOptions.None;
        double Pick(int key, in Values b, in Values d) => d.Given[key] ? d.Numbers[key] : b.Given[key] ? b.Numbers[key] : 0;
        var defaults = ImpairmentOptions.None;
        return new ImpairmentOptions
        {
            LossProbability = Pick(Loss, both, direction) / 100,
            DuplicationProbability = Pick(Dup, both, direction) / 100,
            ReorderProbability = Pick(Reorder, both, direction) / 100,
            CorruptionProbability = Pick(Corrupt, both, direction) / 100,
            Delay = TimeSpan.FromTicks((long)Math.Round(Pick(Delay, both, direction) * TimeSpan.TicksPerMicrosecond)),
            Jitter = TimeSpan.FromTicks((long)Math.Round(Pick(Jitter, both, direction) * TimeSpan.TicksPerMicrosecond)),
            RateBitsPerSecond = (long)Pick(Rate, both, direction),
            Seed = direction.Given[Seed] ? seedDirection : both.Given[Seed] ? seedBoth : defaults.Seed,
        };
    }

    private static string? TryParseNumber(ReadOnlySpan<char> text, out double value)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
            return $"'{text}' is not a number";
        return null;
    }

    private static string? TryParsePercent(ReadOnlySpan<char> text, out double percent)
    {
        if (text.EndsWith('%')) text = text[..^1];
        if (TryParseNumber(text, out percent) is { } problem) return problem + " (expected a percentage such as 1.5%)";
        return percent is >= 0 and <= 100 ? null : "a percentage must be in [0, 100]";
    }

    // Longest delay or jitter accepted: an hour is already far beyond what a test of a network stack wants.
    private const double MaxMicroseconds = 3600e6;

    private static string? TryParseMicroseconds(ReadOnlySpan<char> text, out double microseconds)
    {
        microseconds = 0;
        double scale;
        int unit;
        if (text.EndsWith("us")) (scale, unit) = (1, 2);
        else if (text.EndsWith("ms")) (scale, unit) = (1e3, 2);
        else if (text.EndsWith("s")) (scale, unit) = (1e6, 1);
        else return "a time needs a unit: us, ms or s (e.g. 20ms)";
        text = text[..^unit];
        if (TryParseNumber(text, out double number) is { } problem) return problem;
        microseconds = number * scale;
        return microseconds <= MaxMicroseconds ? null : "at most 3600s";
    }

    private static string? TryParseRate(ReadOnlySpan<char> text, out double bitsPerSecond)
    {
        bitsPerSecond = 0;
        double scale = 1;
        int unit = 0;
        if (text.EndsWith("gbit", StringComparison.OrdinalIgnoreCase)) (scale, unit) = (1e9, 4);
        else if (text.EndsWith("mbit", StringComparison.OrdinalIgnoreCase)) (scale, unit) = (1e6, 4);
        else if (text.EndsWith("kbit", StringComparison.OrdinalIgnoreCase)) (scale, unit) = (1e3, 4);
        else if (text.EndsWith("bit", StringComparison.OrdinalIgnoreCase)) unit = 3;
        text = text[..^unit];
        if (TryParseNumber(text, out double number) is { } problem) return problem + " (expected N, Nkbit, Nmbit or Ngbit)";
        bitsPerSecond = Math.Round(number * scale);
        if (bitsPerSecond < 1) return "a rate must be at least 1 bit/s";
        return bitsPerSecond <= 1e15 ? null : "rate too large";
    }

    private static string? TryParseSeed(ReadOnlySpan<char> text, out ulong seed)
    {
        bool parsed = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out seed)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seed);
        return parsed ? null : $"'{text}' is not an unsigned 64-bit integer (decimal or 0x hex)";
    }
}
