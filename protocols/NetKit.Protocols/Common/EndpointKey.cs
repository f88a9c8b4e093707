using System;

namespace NetKit.Protocols.Common;

/// <summary>
/// The 4-tuple a connected pcb (UDP or TCP) is found by (DragonFly's connection hash key). Addresses are host-order IPv4
/// values, as <see cref="NetKit.Runtime.Protocols.FlowKey"/> carries them.
/// </summary>
public readonly record struct EndpointKey(uint LocalAddress, ushort LocalPort, uint ForeignAddress, ushort ForeignPort)
{
    public override int GetHashCode() =>
        (int)(LocalAddress * 0x9E3779B1u ^ ForeignAddress * 0x85EBCA77u ^ ((uint)LocalPort << 16 | ForeignPort));

    public override string ToString() =>
        $"{Format(LocalAddress)}:{LocalPort} <-> {Format(ForeignAddress)}:{ForeignPort}";

    internal static string Format(uint address) =>
        $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";
}

/// <summary>A local (address, port) pair: the key of wildcard entries and reuseport groups. Address 0 is INADDR_ANY.</summary>
public readonly record struct LocalEndpointKey(uint Address, ushort Port)
{
    public override int GetHashCode() => (int)(Address * 0x9E3779B1u ^ Port);

    public override string ToString() => $"{EndpointKey.Format(Address)}:{Port}";
}
