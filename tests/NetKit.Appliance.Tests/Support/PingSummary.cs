using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;

namespace NetKit.Appliance.Tests.Support;

/// <summary>iputils ping's summary line, as numbers.</summary>
public sealed record PingSummary(int Transmitted, int Received, int Duplicates, CommandResult Result)
{
    /// <summary>Pings <paramref name="address"/> from <paramref name="ns"/>: <paramref name="count"/> echo requests of <paramref name="size"/> data bytes.</summary>
    public static async Task<PingSummary> RunAsync(PeerNamespace ns, string address, int count, int size, double interval = 0.05)
    {
        var result = await ns.RunAsync(["ping", "-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-s", size.ToString(CultureInfo.InvariantCulture),
            "-i", interval.ToString(CultureInfo.InvariantCulture), "-W", "2", address], System.TimeSpan.FromSeconds(30 + count * interval));
        var summary = Regex.Match(result.StandardOutput, @"(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?");
        if (!summary.Success) return new PingSummary(0, 0, 0, result);
        return new PingSummary(int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture),
            summary.Groups[3].Success ? int.Parse(summary.Groups[3].Value, CultureInfo.InvariantCulture) : 0, result);
    }
}
