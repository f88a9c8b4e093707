using System;
using System.Threading;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Interfaces;

/// <summary>
/// A stack's interfaces and its routing decision: a destination on an interface's subnet goes there directly, any
/// other to the first interface with a default gateway (no forwarding between interfaces: NetKit is a host, not a
/// router). The array is replaced whole on change (copy-on-write), so lookups on protocol threads take no lock.
/// </summary>
public sealed class InterfaceTable : IProtocolState<InterfaceTable>
{
    private NetInterface[] _interfaces = Array.Empty<NetInterface>();
    private readonly object _writeGate = new(); // serialises configuration changes (rare, never on a data path)

    public static InterfaceTable Create(NetStack stack) => new();

    public int Count => Volatile.Read(ref _interfaces).Length;

    public NetInterface this[int index] => Volatile.Read(ref _interfaces)[index];

    /// <summary>The interface a received packet came in on, or null for an unknown index.</summary>
    public NetInterface? Find(int index)
    {
        var interfaces = Volatile.Read(ref _interfaces);
        return (uint)index < (uint)interfaces.Length ? interfaces[index] : null;
    }

    /// <summary>Adds an interface; its index is its position.</summary>
    public NetInterface Add(Runtime.Devices.ILinkDevice device, InterfaceConfiguration configuration)
    {
        lock (_writeGate)
        {
            var current = _interfaces;
            var added = new NetInterface(current.Length, device, configuration);
            var next = new NetInterface[current.Length + 1];
            Array.Copy(current, next, current.Length);
            next[^1] = added;
            Volatile.Write(ref _interfaces, next);
            return added;
        }
    }

    /// <summary>The interface that owns <paramref name="address"/>, or null.</summary>
    public NetInterface? FindByAddress(IPv4Address address)
    {
        foreach (var candidate in Volatile.Read(ref _interfaces))
            if (candidate.Configuration.Address == address) return candidate;
        return null;
    }

    /// <summary>True when <paramref name="destination"/> is one of the stack's addresses or a broadcast it accepts.</summary>
    public bool IsLocal(IPv4Address destination, int arrivedOn)
    {
        var interfaces = Volatile.Read(ref _interfaces);
        if ((uint)arrivedOn < (uint)interfaces.Length && interfaces[arrivedOn].Configuration.Accepts(destination)) return true;
        foreach (var candidate in interfaces)
            if (candidate.Configuration.Address == destination) return true;
        return false;
    }

    /// <summary>
    /// True for a broadcast address: 255.255.255.255 or any interface's directed (subnet) broadcast. Such
    /// destinations need SO_BROADCAST to send to, and never get an ICMP error or an echo reply (RFC 1122 §3.2.2).
    /// </summary>
    public bool IsBroadcast(IPv4Address address)
    {
        if (address.IsBroadcast) return true;
        foreach (var candidate in Volatile.Read(ref _interfaces))
        {
            var configuration = candidate.Configuration;
            if (configuration.PrefixLength < 31 && address == configuration.DirectedBroadcast) return true;
        }
        return false;
    }

    /// <summary>The route to <paramref name="destination"/>; false when no interface reaches it (ENETUNREACH).</summary>
    public bool TryRoute(IPv4Address destination, out Route route)
    {
        var interfaces = Volatile.Read(ref _interfaces);
        foreach (var candidate in interfaces)
        {
            var configuration = candidate.Configuration;
            if (configuration.IsOnLink(destination) || destination == configuration.DirectedBroadcast)
            {
                route = new Route(candidate, destination, configuration.Address);
                return true;
            }
        }
        foreach (var candidate in interfaces)
        {
            var configuration = candidate.Configuration;
            if (!configuration.Gateway.IsUnspecified)
            {
                route = new Route(candidate, destination.IsBroadcast ? destination : configuration.Gateway, configuration.Address);
                return true;
            }
        }
        if (destination.IsBroadcast && interfaces.Length > 0)
        {
            route = new Route(interfaces[0], destination, interfaces[0].Configuration.Address);
            return true;
        }
        route = default;
        return false;
    }
}
