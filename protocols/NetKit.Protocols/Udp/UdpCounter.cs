namespace NetKit.Protocols.Udp;

/// <summary>UDP events, counted per CPU (<c>udpstat</c>).</summary>
public enum UdpCounter
{
    Received,
    Delivered,
    Truncated,
    BadLength,
    BadChecksum,
    NoPort,
    NoPortBroadcast,
    FullSocket,
    Sent,
    Redispatched,
    SendErrors,
    ControlInputs,
}
