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
    /// <summary>Datagrams taken by a socket's run-to-completion handler on the protocol thread.</summary>
    Served,
    /// <summary>Datagrams whose handler threw (dropped; the thread carries on).</summary>
    HandlerFaults,
}
