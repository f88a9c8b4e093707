using System;
using System.Globalization;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>
/// Rule texts for link impairments with nftables (this kernel has no netem). Each carries a <c>counter</c> so a test
/// can prove the impairment really hit packets. <paramref name="match"/> selects the packets (e.g.
/// <c>ip daddr 10.77.3.1</c>); checked on the project's machines: nft 1.0.6, kernel 6.x.
/// </summary>
public static class NftImpairment
{
    /// <summary>Drops <paramref name="percent"/>% of matching packets at random (numgen random).</summary>
    public static NftRule Loss(string hook, string match, int percent) =>
        new(hook, $"{match}{Chance(percent)} counter drop");

    /// <summary>
    /// Sends a copy of <paramref name="percent"/>% of matching packets to <paramref name="address"/> out of
    /// <paramref name="device"/> (nft <c>dup to</c>; checked in the ip family's output hook) as well as the original.
    /// </summary>
    public static NftRule Duplicate(string hook, string match, int percent, string address, string device) =>
        new(hook, $"{match}{Chance(percent)} counter dup to {address} device \"{device}\"");

    /// <summary>
    /// Overwrites one byte at <paramref name="transportOffset"/> bytes into the transport header (TCP payload for
    /// offsets past the header) in <paramref name="percent"/>% of matching packets longer than the offset, without
    /// fixing any checksum. Only detectable where the checksum was already final when the packet passed this rule:
    /// locally sent TCP carries a partial checksum through every netfilter hook, so corrupt forwarded or received
    /// packets on a path without checksum offloads (see <see cref="PeerNamespace.DisableOffloads"/>).
    /// </summary>
    public static NftRule Corrupt(string hook, string match, int percent, int transportOffset = 100, byte value = 0x5A)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(transportOffset, 0);
        // meta length is the whole IP packet: require room for the IP header (at most 60) plus the offset.
        return new(hook, string.Create(CultureInfo.InvariantCulture,
            $"{match} meta length > {transportOffset + 61}{Chance(percent)} counter @th,{transportOffset * 8},8 set 0x{value:x2}"));
    }

    /// <summary>The random selection: nft accepts <c>numgen random mod 100 &lt; P</c> only for P ≤ 99, so 100% is no condition.</summary>
    private static string Chance(int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        return percent == 100 ? "" : string.Create(CultureInfo.InvariantCulture, $" numgen random mod 100 < {percent}");
    }
}
