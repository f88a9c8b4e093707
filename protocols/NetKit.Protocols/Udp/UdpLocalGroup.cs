using NetKit.Protocols.Common;
using System;

namespace NetKit.Protocols.Udp;

/// <summary>
/// The pcbs bound to one local (address, port) with SO_REUSEPORT (DragonFly <c>struct inp_localgroup</c>), kept
/// sorted by <see cref="UdpPcb.LocalGroupIndex"/> so a restarted server gets its old slot. A datagram picks member
/// <c>(hash &amp; 127) % count</c>: with one member per protocol thread, member <i>i</i> serves exactly the flows that
/// hash to thread <i>i</i>, and its replies run there too.
/// </summary>
public sealed class UdpLocalGroup
{
    private UdpPcb[] _members = new UdpPcb[8]; // INP_LOCALGROUP_SIZMIN, doubled on overflow
    private int _count;

    public UdpLocalGroup(LocalEndpointKey key) => Key = key;

    public LocalEndpointKey Key { get; }

    public int Count => _count;

    public UdpPcb this[int index] => index < _count ? _members[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Adds <paramref name="pcb"/> in index order; false if it is already a member.</summary>
    public bool Add(UdpPcb pcb)
    {
        int at = 0;
        while (at < _count && _members[at].LocalGroupIndex <= pcb.LocalGroupIndex)
        {
            if (ReferenceEquals(_members[at], pcb)) return false;
            at++;
        }
        for (int i = at; i < _count; i++)
            if (ReferenceEquals(_members[i], pcb)) return false;
        if (_count == _members.Length) Array.Resize(ref _members, _members.Length * 2);
        Array.Copy(_members, at, _members, at + 1, _count - at);
        _members[at] = pcb;
        _count++;
        return true;
    }

    public bool Remove(UdpPcb pcb)
    {
        for (int i = 0; i < _count; i++)
        {
            if (!ReferenceEquals(_members[i], pcb)) continue;
            Array.Copy(_members, i + 1, _members, i, _count - i - 1);
            _members[--_count] = null!;
            return true;
        }
        return false;
    }

    /// <summary>The member serving a datagram with flow hash <paramref name="hash"/> (<c>netisr_hashlsb(hash) % count</c>).</summary>
    public UdpPcb? Select(uint hash) => _count == 0 ? null : _members[(int)((hash & 127) % (uint)_count)];

    /// <summary>The lowest index not taken, for a new member.</summary>
    public int NextFreeIndex()
    {
        int expected = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_members[i].LocalGroupIndex != expected) return expected;
            expected++;
        }
        return expected;
    }
}
