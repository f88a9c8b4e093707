using System;
using System.Collections.Generic;
using NetKit.Protocols.Common;
using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// One protocol thread's SYN cache (DragonFly <c>tcp_syncache_percpu</c>): a passive open costs a small entry
/// until the handshake's ACK arrives, and only then a socket, a pcb and rings. Bounded: when full, the oldest
/// half-open entry is evicted (as the BSD syncache does per bucket), so a SYN flood cannot exhaust memory or fill
/// the listener's backlog, which counts established connections only. SYN-ACKs are retransmitted by the owning
/// thread's sweep; an entry gives up after a few (BSD's syncache retransmits 3 times).
/// </summary>
public sealed class TcpSynCache
{
    /// <summary>Half-open connections one thread keeps.</summary>
    public const int DefaultCapacity = 1024;

    /// <summary>SYN-ACK retransmissions before the entry is dropped.</summary>
    public const int MaxRetransmits = 3;

    internal sealed class Entry
    {
        public EndpointKey Key;
        public TcpPcb Listener = null!;
        public uint InitialSendSequence;
        public uint InitialReceiveSequence;
        public ushort PeerWindow;
        public TcpOptions PeerOptions;
        public int Retransmits;
        public long NextRetransmitMicros;
        public long Serial;
    }

    private readonly Dictionary<EndpointKey, Entry> _entries = new();
    private readonly Queue<(EndpointKey Key, long Serial)> _age = new();
    private long _serial;

    public TcpSynCache(int capacity = DefaultCapacity) => Capacity = capacity;

    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>Entries evicted because the cache was full.</summary>
    public long Evicted { get; private set; }

    internal bool TryGet(in EndpointKey key, out Entry entry) => _entries.TryGetValue(key, out entry!);

    internal Entry Add(in EndpointKey key)
    {
        while (_entries.Count >= Capacity && _age.TryDequeue(out var oldest))
        {
            if (_entries.TryGetValue(oldest.Key, out var victim) && victim.Serial == oldest.Serial)
            {
                _entries.Remove(oldest.Key);
                Evicted++;
            }
        }
        var entry = new Entry { Key = key, Serial = ++_serial };
        _entries[key] = entry;
        _age.Enqueue((key, entry.Serial));
        return entry;
    }

    internal void Remove(in EndpointKey key) => _entries.Remove(key);

    /// <summary>Entries whose SYN-ACK is due (the sweep resends or drops them); allocates a list only when some are due.</summary>
    internal List<Entry>? Due(long nowMicros)
    {
        List<Entry>? due = null;
        foreach (var entry in _entries.Values)
            if (entry.NextRetransmitMicros <= nowMicros) (due ??= new()).Add(entry);
        if (_age.Count > 4 * Capacity) Compact();
        return due;
    }

    private void Compact()
    {
        int count = _age.Count;
        for (int i = 0; i < count; i++)
        {
            var item = _age.Dequeue();
            if (_entries.TryGetValue(item.Key, out var entry) && entry.Serial == item.Serial) _age.Enqueue(item);
        }
    }
}
