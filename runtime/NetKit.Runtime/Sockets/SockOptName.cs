namespace NetKit.Runtime.Sockets;

/// <summary>Option names with Linux's values, per level (<c>SO_*</c>, <c>IP_*</c>).</summary>
public static class SockOptName
{
    // SOL_SOCKET
    public const int Debug = 1;
    public const int ReuseAddress = 2;
    public const int Type = 3;
    public const int Error = 4;
    public const int DontRoute = 5;
    public const int Broadcast = 6;
    public const int SendBuffer = 7;
    public const int ReceiveBuffer = 8;
    public const int KeepAlive = 9;
    public const int OutOfBandInline = 10;
    public const int Linger = 13;
    public const int ReusePort = 15;
    public const int ReceiveTimeout = 20;
    public const int SendTimeout = 21;

    // IPPROTO_IP
    public const int IPTos = 1;
    public const int IPTtl = 2;

    // IPPROTO_TCP (Linux values)
    public const int TcpNoDelay = 1;
    public const int TcpMaxSeg = 2;
    public const int TcpKeepIdle = 4;
    public const int TcpKeepInterval = 5;
    public const int TcpKeepCount = 6;
}
