using System;

namespace NetKit.Runtime.Sockets;

/// <summary>Boolean socket-level options kept on the socket (BSD <c>so_options</c> bits).</summary>
[Flags]
public enum SocketOptionFlags
{
    None = 0,
    Debug = 0x0001,
    AcceptConnections = 0x0002,
    ReuseAddress = 0x0004,
    KeepAlive = 0x0008,
    DontRoute = 0x0010,
    Broadcast = 0x0020,
    Linger = 0x0080,
    OutOfBandInline = 0x0100,
    ReusePort = 0x0200,
    Timestamp = 0x0400,
}
