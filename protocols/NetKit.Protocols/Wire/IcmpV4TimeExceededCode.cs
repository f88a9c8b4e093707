namespace NetKit.Protocols.Wire;

/// <summary>Time-exceeded codes (RFC 792, "Time Exceeded Message").</summary>
public enum IcmpV4TimeExceededCode : byte
{
    /// <summary>The TTL reached zero in transit.</summary>
    TtlExceeded = 0,
    /// <summary>Reassembly of a fragmented datagram timed out.</summary>
    FragmentReassemblyTimeExceeded = 1,
}
