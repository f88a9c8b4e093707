using System;
using System.Collections.Generic;
using NetKit.Protocols.Ethernet;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Timers;

namespace NetKit.Protocols.Arp;

/// <summary>
/// One protocol thread's ARP cache (DragonFly keeps neighbour state per CPU): only that thread reads or writes it.
/// Replies arrive on thread 0 (ARP hashes there) and are copied to every thread's cache by message; each thread
/// sends its own requests, rate limited, and holds its own packets while it waits. A sweep callout on the thread
/// gives up unanswered addresses (dropping and counting their packets) and retries requests.
/// </summary>
internal sealed unsafe class ArpCache
{
    private readonly Dictionary<(int Interface, uint Address), ArpEntry> _entries = new();
    private readonly NetStack _stack;
    private readonly ArpOptions _options;
    private readonly CounterSet<ArpCounter> _counters;
    private readonly int _thread;
    private readonly Callout _sweep = new();
    private int _waiting;

    public ArpCache(NetStack stack, int thread, ArpOptions options, CounterSet<ArpCounter> counters)
    {
        _stack = stack;
        _thread = thread;
        _options = options;
        _counters = counters;
    }

    public int Count => _entries.Count;

    /// <summary>
    /// Sends IP datagram <paramref name="packet"/> to <paramref name="nextHop"/> on <paramref name="nic"/>: at once
    /// when its MAC is known, otherwise after resolution (the packet waits, bounded). Takes the packet over.
    /// </summary>
    public void Send(NetInterface nic, IPv4Address nextHop, PacketBuffer packet, long now)
    {
        if (nextHop.IsBroadcast || nextHop == nic.Configuration.DirectedBroadcast)
        {
            Ethernet.Ethernet.Output(_stack, nic, packet, MacAddress.Broadcast, EtherType.IPv4);
            return;
        }
        if (_entries.TryGetValue((nic.Index, nextHop.Value), out var entry) && entry.Resolved)
        {
            if (now < entry.DeadlineNanoseconds)
            {
                Ethernet.Ethernet.Output(_stack, nic, packet, entry.Mac, EtherType.IPv4);
                return;
            }
            // Stale but in use: keep sending to the old MAC while a refresh request is out (Linux's STALE/PROBE),
            // rather than stalling the flow every reachable-time; give up only after the requests go unanswered.
            if (now < entry.DeadlineNanoseconds + RefreshGrace)
            {
                if (now - entry.LastRequestNanoseconds >= _options.RequestInterval.Ticks * 100) Request(nic, entry, now, refresh: true);
                Ethernet.Ethernet.Output(_stack, nic, packet, entry.Mac, EtherType.IPv4);
                return;
            }
        }
        if (entry is null)
        {
            if (_entries.Count >= _options.MaxEntries && !EvictOne(now))
            {
                _counters.Increment(_thread, ArpCounter.CacheFull);
                packet.Free();
                return;
            }
            entry = new ArpEntry(nic.Index, nextHop, _options.HoldCapacity);
            _entries.Add((nic.Index, nextHop.Value), entry);
        }
        else if (entry.Resolved)
        {
            // Stale and unconfirmed past the refresh grace: start over as a waiting entry.
            entry.Resolved = false;
            entry.RequestsSent = 0;
        }
        Hold(entry, packet);
        if (entry.RequestsSent == 0 || now - entry.LastRequestNanoseconds >= _options.RequestInterval.Ticks * 100)
            Request(nic, entry, now);
        else
            _counters.Increment(_thread, ArpCounter.RateLimited);
        ArmSweep();
    }

    /// <summary>
    /// Learns <paramref name="address"/> is at <paramref name="mac"/> (RFC 826 merge): updates an existing entry, or
    /// creates one when <paramref name="create"/>, and sends what was waiting for it.
    /// </summary>
    public void Update(NetInterface nic, IPv4Address address, MacAddress mac, bool create, long now)
    {
        if (!_entries.TryGetValue((nic.Index, address.Value), out var entry))
        {
            if (!create || (_entries.Count >= _options.MaxEntries && !EvictOne(now))) return;
            entry = new ArpEntry(nic.Index, address, _options.HoldCapacity);
            _entries.Add((nic.Index, address.Value), entry);
        }
        bool wasWaiting = !entry.Resolved;
        entry.Mac = mac;
        entry.Resolved = true;
        entry.RequestsSent = 0;
        entry.DeadlineNanoseconds = now + _options.ReachableTime.Ticks * 100;
        if (wasWaiting) _counters.Increment(_thread, ArpCounter.Resolved);
        for (int i = 0; i < entry.HoldCount; i++)
        {
            var held = entry.Hold[i]!;
            entry.Hold[i] = null;
            Ethernet.Ethernet.Output(_stack, nic, held, mac, EtherType.IPv4);
        }
        if (entry.HoldCount > 0) _waiting--;
        entry.HoldCount = 0;
    }

    /// <summary>The MAC of <paramref name="address"/> if this thread knows it and it is still reachable.</summary>
    public bool TryLookup(int interfaceIndex, IPv4Address address, long now, out MacAddress mac)
    {
        if (_entries.TryGetValue((interfaceIndex, address.Value), out var entry) && entry.Resolved && now < entry.DeadlineNanoseconds)
        {
            mac = entry.Mac;
            return true;
        }
        mac = default;
        return false;
    }

    private void Hold(ArpEntry entry, PacketBuffer packet)
    {
        if (entry.Hold.Length == 0)
        {
            packet.Free();
            _counters.Increment(_thread, ArpCounter.HoldQueueDrops);
            return;
        }
        if (entry.HoldCount == entry.Hold.Length)
        {
            // Full: drop the oldest so the newest data goes out first once resolved (Linux's unres_qlen behaviour).
            entry.Hold[0]!.Free();
            Array.Copy(entry.Hold, 1, entry.Hold, 0, entry.Hold.Length - 1);
            entry.HoldCount--;
            _counters.Increment(_thread, ArpCounter.HoldQueueDrops);
        }
        if (entry.HoldCount == 0) _waiting++;
        entry.Hold[entry.HoldCount++] = packet;
        _counters.Increment(_thread, ArpCounter.HeldPackets);
    }

    /// <summary>How long a stale entry stays usable while it is being refreshed: every allowed request, one interval apart.</summary>
    private long RefreshGrace => _options.RequestInterval.Ticks * 100 * _options.MaxRequests;

    private void Request(NetInterface nic, ArpEntry entry, long now, bool refresh = false)
    {
        entry.LastRequestNanoseconds = now;
        entry.RequestsSent++;
        if (!refresh) entry.DeadlineNanoseconds = now + _options.RequestInterval.Ticks * 100;
        var configuration = nic.Configuration;
        if (Arp.SendArp(_stack, nic, ArpRepr.Request(nic.Mac, configuration.Address, entry.Address), MacAddress.Broadcast))
            _counters.Increment(_thread, ArpCounter.RequestsSent);
    }

    private void ArmSweep()
    {
        if (!_sweep.IsPending && Runtime.Threading.ProtocolThread.Current is not null) _sweep.Reset(_options.RequestInterval, &SweepCallout, this);
    }

    private static void SweepCallout(Callout callout) => ((ArpCache)callout.Argument!).Sweep();

    /// <summary>Retries or gives up waiting entries whose request interval passed; drops expired resolved ones.</summary>
    internal void Sweep()
    {
        long now = Common.ProtocolContext.Now(_stack);
        var interfaces = _stack.State<InterfaceTable>();
        List<(int, uint)>? remove = null;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Resolved)
            {
                if (now >= entry.DeadlineNanoseconds + RefreshGrace + _options.ReachableTime.Ticks * 100) (remove ??= new()).Add(key);
                continue;
            }
            if (now < entry.DeadlineNanoseconds) continue;
            var nic = interfaces.Find(entry.InterfaceIndex);
            if (nic is not null && entry.RequestsSent < _options.MaxRequests && entry.HoldCount > 0)
            {
                Request(nic, entry, now);
                continue;
            }
            DropHeld(entry, ArpCounter.TimeoutDrops);
            (remove ??= new()).Add(key);
        }
        if (remove is not null)
            foreach (var key in remove) _entries.Remove(key);
        if (_waiting > 0) ArmSweep();
    }

    private void DropHeld(ArpEntry entry, ArpCounter reason)
    {
        for (int i = 0; i < entry.HoldCount; i++)
        {
            entry.Hold[i]!.Free();
            entry.Hold[i] = null;
            _counters.Increment(_thread, reason);
        }
        if (entry.HoldCount > 0) _waiting--;
        entry.HoldCount = 0;
    }

    private bool EvictOne(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.HoldCount == 0 && (!entry.Resolved || now >= entry.DeadlineNanoseconds))
            {
                _entries.Remove(key);
                return true;
            }
        }
        return false;
    }
}
