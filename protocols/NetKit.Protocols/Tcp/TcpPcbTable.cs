using System.Collections.Generic;
using NetKit.Protocols.Common;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// One protocol thread's TCP tables (DragonFly <c>tcbinfo[cpu]</c>): the connections it owns by 4-tuple, and every
/// listener of the stack (each listener is in every thread's table, so a SYN hashed to any thread finds it; the
/// thread reads only the listener's immutable address and its thread-safe accept queue). Touched by its thread only.
/// </summary>
public sealed class TcpPcbTable
{
    private readonly Dictionary<EndpointKey, TcpPcb> _connections = new();
    private readonly Dictionary<LocalEndpointKey, TcpPcb> _listeners = new();

    public int ConnectionCount => _connections.Count;
    public int ListenerCount => _listeners.Count;

    /// <summary>The pcb for a segment's 4-tuple (seen from our side), or the listener of its local address or port.</summary>
    public TcpPcb? Lookup(uint localAddress, ushort localPort, uint foreignAddress, ushort foreignPort, out bool isListener)
    {
        isListener = false;
        if (_connections.TryGetValue(new EndpointKey(localAddress, localPort, foreignAddress, foreignPort), out var pcb)) return pcb;
        isListener = true;
        if (_listeners.TryGetValue(new LocalEndpointKey(localAddress, localPort), out pcb)) return pcb;
        if (_listeners.TryGetValue(new LocalEndpointKey(0, localPort), out pcb)) return pcb;
        isListener = false;
        return null;
    }

    public bool ContainsConnection(in EndpointKey key) => _connections.ContainsKey(key);

    /// <summary>The listener for a local address and port (exact address first, then the wildcard).</summary>
    public TcpPcb? FindListener(uint localAddress, ushort localPort) =>
        _listeners.TryGetValue(new LocalEndpointKey(localAddress, localPort), out var pcb) ? pcb
        : _listeners.TryGetValue(new LocalEndpointKey(0, localPort), out pcb) ? pcb : null;

    public bool InsertConnection(TcpPcb pcb)
    {
        if (!_connections.TryAdd(pcb.Key, pcb)) return false;
        pcb.InTable = true;
        return true;
    }

    public void RemoveConnection(TcpPcb pcb)
    {
        if (!pcb.InTable) return;
        if (_connections.TryGetValue(pcb.Key, out var held) && ReferenceEquals(held, pcb)) _connections.Remove(pcb.Key);
        pcb.InTable = false;
    }

    public bool HasListener(in LocalEndpointKey key) => _listeners.ContainsKey(key);

    public bool InsertListener(TcpPcb listener) => _listeners.TryAdd(new LocalEndpointKey(listener.LocalAddress, listener.LocalPort), listener);

    public void RemoveListener(TcpPcb listener)
    {
        var key = new LocalEndpointKey(listener.LocalAddress, listener.LocalPort);
        if (_listeners.TryGetValue(key, out var held) && ReferenceEquals(held, listener)) _listeners.Remove(key);
    }

    /// <summary>Every connection (for close-all on stop and for diagnostics); allocates a copy.</summary>
    public TcpPcb[] Connections() => [.. _connections.Values];
}
