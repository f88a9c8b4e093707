namespace NetKit.Protocols.Tcp.Algorithms;

/// <summary>
/// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): sequence numbers wrap, so "a before b" means the signed
/// 32-bit difference is negative. Valid only while the two numbers are less than 2^31 apart, which the window limits
/// (at most 2^30 with scaling, RFC 7323 §2.3) guarantee for every pair a TCB compares.
/// </summary>
public static class TcpSequence
{
    /// <summary>a &lt; b modulo 2^32.</summary>
    public static bool Lt(uint a, uint b) => unchecked((int)(a - b)) < 0;

    /// <summary>a ≤ b modulo 2^32.</summary>
    public static bool Leq(uint a, uint b) => unchecked((int)(a - b)) <= 0;

    /// <summary>a &gt; b modulo 2^32.</summary>
    public static bool Gt(uint a, uint b) => unchecked((int)(a - b)) > 0;

    /// <summary>a ≥ b modulo 2^32.</summary>
    public static bool Geq(uint a, uint b) => unchecked((int)(a - b)) >= 0;

    /// <summary>
    /// low ≤ seq &lt; highExclusive modulo 2^32: the window test of RFC 9293 §3.4 (e.g. RCV.NXT ≤ SEG.SEQ &lt;
    /// RCV.NXT + RCV.WND). Computed as one unsigned offset comparison, so it is exact for any window below 2^32;
    /// an empty range (low == highExclusive) holds nothing.
    /// </summary>
    public static bool InRange(uint seq, uint low, uint highExclusive) => unchecked(seq - low < highExclusive - low);

    /// <summary>The later of two sequence numbers.</summary>
    public static uint Max(uint a, uint b) => Lt(a, b) ? b : a;

    /// <summary>The earlier of two sequence numbers.</summary>
    public static uint Min(uint a, uint b) => Lt(a, b) ? a : b;

    /// <summary>How far <paramref name="to"/> lies after <paramref name="from"/>: negative when it lies before.</summary>
    public static int Distance(uint from, uint to) => unchecked((int)(to - from));
}
