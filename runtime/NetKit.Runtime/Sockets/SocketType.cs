namespace NetKit.Runtime.Sockets;

/// <summary>Socket types with Linux's values (<c>SOCK_*</c>).</summary>
public enum SocketType
{
    None = 0,
    Stream = 1,
    Datagram = 2,
    Raw = 3,
    SequencedPacket = 5,
}
