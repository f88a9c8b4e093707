using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Interfaces;

/// <summary>
/// How one interface is configured: its IPv4 address and prefix, default gateway (unspecified for none) and MTU.
/// Immutable: a change replaces the whole configuration, so protocol threads read it without locks.
/// </summary>
public sealed record InterfaceConfiguration(IPv4Address Address, int PrefixLength, IPv4Address Gateway = default, int Mtu = 1500)
{
    /// <summary>The network address (address with the host bits cleared).</summary>
    public IPv4Address Network => new(PrefixLength == 0 ? 0 : Address.Value & Mask);

    /// <summary>The directed broadcast address of the subnet.</summary>
    public IPv4Address DirectedBroadcast => new(Address.Value | ~Mask);

    private uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    /// <summary>True when <paramref name="destination"/> is on this interface's subnet (no gateway needed).</summary>
    public bool IsOnLink(IPv4Address destination) => destination.InSubnet(Network, PrefixLength);

    /// <summary>True for addresses this interface accepts as its own: its address, the subnet broadcast, 255.255.255.255.</summary>
    public bool Accepts(IPv4Address destination) =>
        destination == Address || destination.IsBroadcast || (PrefixLength < 31 && destination == DirectedBroadcast);

    /// <summary>Checks the values; returns a message describing the first problem, or null.</summary>
    public string? Validate()
    {
        if (PrefixLength is < 0 or > 32) return $"prefix length {PrefixLength} is not in [0, 32]";
        if (Mtu is < 576 or > 65535) return $"MTU {Mtu} is not in [576, 65535] (RFC 791 requires 576)";
        if (Address.IsMulticast || Address.IsBroadcast) return $"{Address} cannot be an interface address";
        if (!Gateway.IsUnspecified && !IsOnLink(Gateway)) return $"gateway {Gateway} is not on {Network}/{PrefixLength}";
        return null;
    }
}
