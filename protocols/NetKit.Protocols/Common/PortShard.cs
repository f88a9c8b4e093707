using System.Collections.Generic;

namespace NetKit.Protocols.Common;

/// <summary>
/// One protocol thread's share of a transport's port space (UDP and TCP each have their own) (DragonFly's sharded <c>portinfo</c>): port <i>p</i> belongs to
/// thread <c>p % threads</c>, and only that thread binds or frees it, so binds of one port are serialised without a
/// lock (<c>udp_bind</c> forwards itself to the port's thread first). Ephemeral ports handed out by a thread are its
/// own, so an implicit bind on first send needs no move.
/// </summary>
public sealed class PortShard
{
    /// <summary>IANA dynamic range (RFC 6335 §6).</summary>
    public const ushort DefaultFirstEphemeral = 49152;
    public const ushort DefaultLastEphemeral = 65535;

    private readonly Dictionary<ushort, PortUse> _inUse = new();
    private readonly ushort _first;
    private readonly ushort _last;
    private ushort _next;

    private struct PortUse
    {
        public int Count;
        public bool AllReusePort;
        public bool AllReuseAddress;
    }

    public PortShard(int thread, int threadCount, ushort firstEphemeral = DefaultFirstEphemeral, ushort lastEphemeral = DefaultLastEphemeral)
    {
        if (threadCount < 1 || thread < 0 || thread >= threadCount) throw new System.ArgumentOutOfRangeException(nameof(thread));
        if (firstEphemeral == 0 || firstEphemeral > lastEphemeral) throw new System.ArgumentOutOfRangeException(nameof(firstEphemeral));
        Thread = thread;
        ThreadCount = threadCount;
        _first = firstEphemeral;
        _last = lastEphemeral;
        _next = FirstOwned(firstEphemeral);
    }

    public int Thread { get; }

    public int ThreadCount { get; }

    /// <summary>Ports bound in this shard.</summary>
    public int InUse => _inUse.Count;

    /// <summary>The thread whose shard holds <paramref name="port"/> (<c>udp_lportcpu</c>).</summary>
    public static int ShardOf(ushort port, int threadCount) => port % threadCount;

    public bool Owns(ushort port) => port != 0 && ShardOf(port, ThreadCount) == Thread;

    /// <summary>
    /// Binds <paramref name="port"/> (which this shard must own). A port already bound can be shared only when every
    /// binder set SO_REUSEPORT, or every binder set SO_REUSEADDR (BSD UDP semantics); otherwise EADDRINUSE → false.
    /// </summary>
    public bool TryBind(ushort port, bool reusePort, bool reuseAddress)
    {
        if (!Owns(port)) return false;
        if (!_inUse.TryGetValue(port, out var use))
        {
            _inUse[port] = new PortUse { Count = 1, AllReusePort = reusePort, AllReuseAddress = reuseAddress };
            return true;
        }
        bool shared = (use.AllReusePort && reusePort) || (use.AllReuseAddress && reuseAddress);
        if (!shared) return false;
        use.Count++;
        use.AllReusePort &= reusePort;
        use.AllReuseAddress &= reuseAddress;
        _inUse[port] = use;
        return true;
    }

    /// <summary>Frees one binding of <paramref name="port"/>.</summary>
    public bool Release(ushort port)
    {
        if (!_inUse.TryGetValue(port, out var use)) return false;
        if (--use.Count == 0) _inUse.Remove(port);
        else _inUse[port] = use;
        return true;
    }

    /// <summary>
    /// A free ephemeral port of this shard (so <c>port % threads == thread</c>), bound exclusively; 0 when the
    /// shard's part of the range is exhausted (EADDRNOTAVAIL).
    /// </summary>
    public ushort BindEphemeral()
    {
        int owned = CountOwned();
        for (int tried = 0; tried < owned; tried++)
        {
            ushort candidate = _next;
            int following = candidate + ThreadCount;
            _next = following > _last ? FirstOwned(_first) : (ushort)following;
            if (!_inUse.ContainsKey(candidate) && TryBind(candidate, reusePort: false, reuseAddress: false)) return candidate;
        }
        return 0;
    }

    private ushort FirstOwned(ushort from)
    {
        int port = from;
        while (port <= _last && port % ThreadCount != Thread) port++;
        return port <= _last ? (ushort)port : (ushort)0;
    }

    private int CountOwned()
    {
        ushort first = FirstOwned(_first);
        return first == 0 ? 0 : (_last - first) / ThreadCount + 1;
    }
}
