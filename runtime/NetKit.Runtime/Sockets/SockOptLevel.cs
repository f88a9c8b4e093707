namespace NetKit.Runtime.Sockets;

/// <summary>Option levels with Linux's values (<c>SOL_SOCKET</c> and the <c>IPPROTO_*</c> numbers).</summary>
public static class SockOptLevel
{
    /// <summary><c>SOL_SOCKET</c> (1 on Linux): handled in the caller's context, then the protocol is notified.</summary>
    public const int Socket = 1;
    public const int IP = 0;
    public const int Tcp = 6;
    public const int Udp = 17;
    public const int IPv6 = 41;
}
