namespace NetKit.Protocols.Wire;

/// <summary>ICMPv4 message types (RFC 792; IANA "ICMP Type Numbers"). <see cref="IcmpV4Repr"/> parses the first five.</summary>
public enum IcmpV4Type : byte
{
    EchoReply = 0,
    DestinationUnreachable = 3,
    EchoRequest = 8,
    TimeExceeded = 11,
    ParameterProblem = 12,
    /// <summary>Deprecated by RFC 6633; recognised only to name it.</summary>
    SourceQuench = 4,
    Redirect = 5,
    Timestamp = 13,
    TimestampReply = 14,
}
