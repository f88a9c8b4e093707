namespace NetKit.Runtime.Hashing;

/// <summary>How a protocol's packets and requests pick their owner thread.</summary>
public enum FlowHashKind
{
    /// <summary>Toeplitz of addresses and ports (TCP).</summary>
    FourTuple,
    /// <summary>Toeplitz of the address pair (UDP, IP fragments).</summary>
    Addresses,
    /// <summary>Always protocol thread 0 (ARP, ICMP, anything without flows).</summary>
    Thread0,
}
