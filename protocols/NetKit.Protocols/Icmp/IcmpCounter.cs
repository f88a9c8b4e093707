namespace NetKit.Protocols.Icmp;

/// <summary>ICMP events, counted per CPU (<c>icmpstat</c>).</summary>
public enum IcmpCounter
{
    Received,
    BadChecksum,
    Truncated,
    EchoRequests,
    EchoReplies,
    EchoRepliesReceived,
    BroadcastEchoIgnored,
    ErrorsReceived,
    ErrorsDispatched,
    ErrorsSent,
    ErrorsRateLimited,
    ErrorsSuppressed,
    Unsupported,
    NoBuffer,
}
