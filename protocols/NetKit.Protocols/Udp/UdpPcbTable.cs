using NetKit.Protocols.Common;
using System.Collections.Generic;

namespace NetKit.Protocols.Udp;

/// <summary>
/// One protocol thread's UDP pcb table (DragonFly <c>udbinfo[cpu]</c>), touched only by that thread:
/// <list type="bullet">
/// <item>the connection hash, holding the connected pcbs this thread owns;</item>
/// <item>the wildcard hash, holding every bound, unconnected pcb of the stack, whichever thread owns it, so a
/// datagram hashed to this thread finds its server here (DragonFly inserts into every CPU's table under a token;
/// NetKit sends each thread a message to insert into its own);</item>
/// <item>the reuseport groups, likewise replicated on every thread.</item>
/// </list>
/// Lookups allocate nothing.
/// </summary>
public sealed class UdpPcbTable
{
    private readonly Dictionary<EndpointKey, UdpPcb> _connected = new();
    private readonly Dictionary<ushort, List<UdpPcb>> _wildcard = new();
    private readonly Dictionary<LocalEndpointKey, UdpLocalGroup> _groups = new();

    public int ConnectedCount => _connected.Count;

    public int WildcardCount { get; private set; }

    public int GroupCount => _groups.Count;

    /// <summary>Adds a connected pcb; false when its 4-tuple is taken (EADDRINUSE, <c>udp_connect_oncpu</c>).</summary>
    public bool InsertConnected(UdpPcb pcb) => pcb.IsConnected && _connected.TryAdd(pcb.ConnectionKey, pcb);

    public bool RemoveConnected(UdpPcb pcb) =>
        _connected.TryGetValue(pcb.ConnectionKey, out var found) && ReferenceEquals(found, pcb) && _connected.Remove(pcb.ConnectionKey);

    /// <summary>Adds a bound, unconnected pcb (to its port's reuseport group when it set SO_REUSEPORT).</summary>
    public bool InsertWildcard(UdpPcb pcb)
    {
        if (!pcb.IsBound || pcb.IsConnected) return false;
        if (pcb.ReusePort)
        {
            if (!_groups.TryGetValue(pcb.LocalKey, out var group)) _groups.Add(pcb.LocalKey, group = new UdpLocalGroup(pcb.LocalKey));
            return group.Add(pcb);
        }
        if (!_wildcard.TryGetValue(pcb.LocalPort, out var list)) _wildcard.Add(pcb.LocalPort, list = new List<UdpPcb>(1));
        foreach (var existing in list)
            if (ReferenceEquals(existing, pcb)) return false;
        list.Add(pcb);
        WildcardCount++;
        return true;
    }

    public bool RemoveWildcard(UdpPcb pcb)
    {
        if (_groups.TryGetValue(pcb.LocalKey, out var group) && group.Remove(pcb))
        {
            if (group.Count == 0) _groups.Remove(pcb.LocalKey);
            return true;
        }
        if (!_wildcard.TryGetValue(pcb.LocalPort, out var list) || !list.Remove(pcb)) return false;
        if (list.Count == 0) _wildcard.Remove(pcb.LocalPort);
        WildcardCount--;
        return true;
    }

    /// <summary>The reuseport group bound to <paramref name="key"/>, if any.</summary>
    public UdpLocalGroup? Group(LocalEndpointKey key) => _groups.TryGetValue(key, out var group) ? group : null;

    /// <summary>
    /// The pcb a datagram from <paramref name="source"/>:<paramref name="sourcePort"/> to
    /// <paramref name="destination"/>:<paramref name="destinationPort"/> is for (<c>in_pcblookup_pkthash</c>): the
    /// exact connected match, else a reuseport group member chosen by <paramref name="flowHash"/> (specific local
    /// address before INADDR_ANY), else a wildcard pcb (specific local address before INADDR_ANY).
    /// </summary>
    public UdpPcb? Lookup(uint source, ushort sourcePort, uint destination, ushort destinationPort, uint flowHash)
    {
        if (_connected.Count != 0 &&
            _connected.TryGetValue(new EndpointKey(destination, destinationPort, source, sourcePort), out var connected))
            return connected;
        if (_groups.Count != 0)
        {
            if (_groups.TryGetValue(new LocalEndpointKey(destination, destinationPort), out var group) ||
                _groups.TryGetValue(new LocalEndpointKey(0, destinationPort), out group))
                return group.Select(flowHash);
        }
        if (!_wildcard.TryGetValue(destinationPort, out var list)) return null;
        UdpPcb? any = null;
        foreach (var pcb in list)
        {
            if (pcb.LocalAddress == destination) return pcb;
            if (pcb.LocalAddress == 0) any ??= pcb;
        }
        return any;
    }
}
