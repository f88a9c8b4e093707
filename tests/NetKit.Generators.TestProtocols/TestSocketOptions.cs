using System.Threading;
using NetKit.Runtime;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Generators.TestProtocols;

/// <summary>
/// Socket-level (SOL_SOCKET) options for the test stack, run in the caller's context. Each records whether it ran
/// on a protocol thread, which it must not.
/// </summary>
[SocketOptionTable]
public static partial class TestSocketOptions
{
    public const int ReuseAddress = 2;   // SO_REUSEADDR
    public const int ReceiveBuffer = 8;  // SO_RCVBUF

    private static int s_ranOnProtocolThread;

    /// <summary>Times a socket-level handler ran on a protocol thread (should stay 0).</summary>
    public static int RanOnProtocolThread => Volatile.Read(ref s_ranOnProtocolThread);

    private static void CheckContext()
    {
        if (ProtocolThread.Current is not null) Interlocked.Increment(ref s_ranOnProtocolThread);
    }

    [SockOpt(SockOptLevel.Socket, ReuseAddress, SockOptAccess.Set)]
    public static Errno SetReuseAddress(NetSocket socket, bool value)
    {
        CheckContext();
        socket.SetOption(SocketOptionFlags.ReuseAddress, value);
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Socket, ReuseAddress, SockOptAccess.Get)]
    public static Errno GetReuseAddress(NetSocket socket, out bool value)
    {
        CheckContext();
        value = (socket.Options & SocketOptionFlags.ReuseAddress) != 0;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Socket, ReceiveBuffer, SockOptAccess.Set, Minimum = 1, Maximum = 1 << 24)]
    public static Errno SetReceiveBuffer(NetSocket socket, int value)
    {
        CheckContext();
        socket.ReceiveBufferSize = value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.Socket, ReceiveBuffer, SockOptAccess.Get)]
    public static Errno GetReceiveBuffer(NetSocket socket, out int value)
    {
        CheckContext();
        value = socket.ReceiveBufferSize;
        return Errno.None;
    }
}
