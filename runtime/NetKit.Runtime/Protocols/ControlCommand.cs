namespace NetKit.Runtime.Protocols;

/// <summary>What an ICMP error tells a transport (BSD <c>PRC_*</c> from <c>sys/protosw.h</c>).</summary>
public enum ControlCommand
{
    None = 0,
    /// <summary>Path MTU changed (fragmentation needed).</summary>
    MessageSize = 5,
    /// <summary>Source quench (obsolete; ignored by TCP per RFC 6633).</summary>
    Quench = 4,
    HostDead = 6,
    HostUnreachable = 7,
    NetUnreachable = 8,
    ProtocolUnreachable = 10,
    PortUnreachable = 11,
    TimeExceeded = 18,
    ParameterProblem = 20,
}
