namespace NetKit.Protocols.IPv4;

/// <summary>IP-level per-socket settings a transport's pcb carries (BSD <c>inp_ip_ttl</c>, <c>inp_ip_tos</c>).</summary>
public interface IIPv4Options
{
    /// <summary>IP_TTL; 0 means the stack default.</summary>
    byte TimeToLive { get; set; }

    /// <summary>IP_TOS (DSCP and ECN).</summary>
    byte TypeOfService { get; set; }
}
