using NetKit.Protocols.IPv4.Fragmentation;
using NetKit.Runtime.Diagnostics;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.IPv4;

/// <summary>
/// IPv4's per-stack state: counters, one reassembly queue per protocol thread (fragments of a datagram hash by
/// address pair, so they all meet on one thread), and per-thread identification counters.
/// </summary>
public sealed class IPv4State : IProtocolState<IPv4State>
{
    private readonly ushort[] _nextIdentification;
    private readonly Runtime.Timers.Callout[] _reassemblySweeps;

    private IPv4State(int threads)
    {
        Counters = new CounterSet<IPv4Counter>("ipv4", threads);
        Reassemblers = new IPv4Reassembler[threads];
        _reassemblySweeps = new Runtime.Timers.Callout[threads];
        for (int i = 0; i < threads; i++)
        {
            Reassemblers[i] = new IPv4Reassembler();
            _reassemblySweeps[i] = new Runtime.Timers.Callout();
        }
        // Spread the threads' identification spaces so two threads do not reuse an id for one address pair at once.
        // One counter per 128 bytes (two cache lines, for the adjacent-line prefetcher), none in the array's first
        // line: each thread writes its own line only (false sharing cost 2x CPU per packet on the echo path).
        _nextIdentification = new ushort[(threads + 1) * IdentificationStride];
        for (int i = 0; i < threads; i++) _nextIdentification[(i + 1) * IdentificationStride] = (ushort)(i * (65536 / threads));
    }

    public CounterSet<IPv4Counter> Counters { get; }

    /// <summary>Protocol thread <i>i</i>'s reassembly queues.</summary>
    public IPv4Reassembler[] Reassemblers { get; }

    /// <summary>Default TTL of datagrams this stack sends.</summary>
    public byte DefaultTimeToLive { get; set; } = 64;

    internal ushort NextIdentification(int thread) => _nextIdentification[(thread + 1) * IdentificationStride]++;

    private const int IdentificationStride = 64; // ushorts: 128 bytes

    /// <summary>Thread <paramref name="thread"/>'s timer that ends timed-out reassemblies (armed only while some are pending).</summary>
    internal Runtime.Timers.Callout ReassemblySweep(int thread) => _reassemblySweeps[thread];

    public static IPv4State Create(NetStack stack) => new(stack.Threads.Count);
}
