using System.Runtime.CompilerServices;

namespace NetKit.Runtime.Hashing;

/// <summary>
/// Flow hash → owner CPU, and the flow-hash kinds a protocol declares (DragonFly netisr2.h and ip_demux.c).
/// TCP hashes the 4-tuple, UDP and IP fragments the address pair, everything else goes to CPU 0.
/// </summary>
public static class FlowHash
{
    /// <summary>Low bits of the hash that select a CPU (<c>NETISR_CPUMASK</c>).</summary>
    public const uint CpuMask = 127;

    /// <summary><c>netisr_hashcpu</c>: <c>(hash &amp; 127) % ncpus</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CpuOf(uint hash, int cpuCount) => (int)((hash & CpuMask) % (uint)cpuCount);

    /// <summary>4-tuple hash with the symmetric key (TCP; connected sockets when a protocol asks for it).</summary>
    public static uint IPv4FourTuple(uint sourceAddress, uint destinationAddress, ushort sourcePort, ushort destinationPort)
        => ToeplitzHash.Symmetric.HashIPv4(sourceAddress, destinationAddress, sourcePort, destinationPort);

    /// <summary>Address-pair hash with the symmetric key (UDP, fragments).</summary>
    public static uint IPv4Addresses(uint sourceAddress, uint destinationAddress)
        => ToeplitzHash.Symmetric.HashIPv4(sourceAddress, destinationAddress);
}
