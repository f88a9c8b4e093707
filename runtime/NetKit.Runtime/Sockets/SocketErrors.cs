using System.Net.Sockets;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// Errno values as .NET code expects them: the matching <see cref="SocketError"/> (what
/// <see cref="System.Net.Sockets.Socket"/> reports for the same condition) and a readable description.
/// </summary>
public static class SocketErrors
{
    public static SocketError ToSocketError(this Errno error) => error switch
    {
        Errno.None => SocketError.Success,
        Errno.EINTR => SocketError.Interrupted,
        Errno.EBADF => SocketError.OperationAborted,
        Errno.EAGAIN => SocketError.WouldBlock,
        Errno.ENOMEM or Errno.ENOBUFS => SocketError.NoBufferSpaceAvailable,
        Errno.EFAULT => SocketError.Fault,
        Errno.EACCES or Errno.EPERM => SocketError.AccessDenied,
        Errno.EINVAL or Errno.EDOM or Errno.ENOTTY => SocketError.InvalidArgument,
        Errno.EPIPE or Errno.ESHUTDOWN => SocketError.Shutdown,
        Errno.ENOTSOCK => SocketError.NotSocket,
        Errno.EDESTADDRREQ => SocketError.DestinationAddressRequired,
        Errno.EMSGSIZE => SocketError.MessageSize,
        Errno.EPROTOTYPE => SocketError.ProtocolType,
        Errno.ENOPROTOOPT => SocketError.ProtocolOption,
        Errno.EPROTONOSUPPORT => SocketError.ProtocolNotSupported,
        Errno.ESOCKTNOSUPPORT => SocketError.SocketNotSupported,
        Errno.EOPNOTSUPP => SocketError.OperationNotSupported,
        Errno.EAFNOSUPPORT => SocketError.AddressFamilyNotSupported,
        Errno.EADDRINUSE => SocketError.AddressAlreadyInUse,
        Errno.EADDRNOTAVAIL => SocketError.AddressNotAvailable,
        Errno.ENETDOWN => SocketError.NetworkDown,
        Errno.ENETUNREACH => SocketError.NetworkUnreachable,
        Errno.ENETRESET => SocketError.NetworkReset,
        Errno.ECONNABORTED => SocketError.ConnectionAborted,
        Errno.ECONNRESET => SocketError.ConnectionReset,
        Errno.EISCONN => SocketError.IsConnected,
        Errno.ENOTCONN => SocketError.NotConnected,
        Errno.ETIMEDOUT => SocketError.TimedOut,
        Errno.ECONNREFUSED => SocketError.ConnectionRefused,
        Errno.EHOSTDOWN => SocketError.HostDown,
        Errno.EHOSTUNREACH => SocketError.HostUnreachable,
        Errno.EALREADY => SocketError.AlreadyInProgress,
        Errno.EINPROGRESS => SocketError.InProgress,
        Errno.ECANCELED => SocketError.OperationAborted,
        _ => SocketError.SocketError,
    };

    /// <summary>strerror-style text ("address already in use").</summary>
    public static string Describe(this Errno error) => error switch
    {
        Errno.None => "success",
        Errno.EPERM => "operation not permitted",
        Errno.EINTR => "interrupted",
        Errno.EIO => "input/output error (a protocol handler failed)",
        Errno.EBADF => "bad socket (null or closed)",
        Errno.EAGAIN => "resource temporarily unavailable (the operation would block)",
        Errno.ENOMEM => "out of memory",
        Errno.EACCES => "permission denied (e.g. broadcast without SO_BROADCAST)",
        Errno.EFAULT => "bad address (no buffer with a nonzero size)",
        Errno.EBUSY => "busy",
        Errno.EINVAL => "invalid argument",
        Errno.ENOTTY => "unknown control request",
        Errno.EPIPE => "broken pipe (the socket cannot send any more)",
        Errno.EDOM => "argument out of domain",
        Errno.EDEADLK => "would deadlock (a protocol thread waited on another)",
        Errno.ENOTSOCK => "not a socket of this stack",
        Errno.EDESTADDRREQ => "destination address required",
        Errno.EMSGSIZE => "message too long",
        Errno.EPROTOTYPE => "protocol wrong type for socket",
        Errno.ENOPROTOOPT => "protocol not available (unknown option level or name)",
        Errno.EPROTONOSUPPORT => "protocol not supported by this stack",
        Errno.ESOCKTNOSUPPORT => "socket type not supported by this stack",
        Errno.EOPNOTSUPP => "operation not supported by the protocol",
        Errno.EAFNOSUPPORT => "address family not supported",
        Errno.EADDRINUSE => "address already in use",
        Errno.EADDRNOTAVAIL => "address not available",
        Errno.ENETDOWN => "network is down",
        Errno.ENETUNREACH => "network is unreachable",
        Errno.ENETRESET => "network dropped connection on reset",
        Errno.ECONNABORTED => "connection aborted",
        Errno.ECONNRESET => "connection reset by peer",
        Errno.ENOBUFS => "no buffer space available",
        Errno.EISCONN => "socket is already connected",
        Errno.ENOTCONN => "socket is not connected",
        Errno.ESHUTDOWN => "the stack is shutting down",
        Errno.ETIMEDOUT => "timed out",
        Errno.ECONNREFUSED => "connection refused",
        Errno.EHOSTDOWN => "host is down",
        Errno.EHOSTUNREACH => "no route to host",
        Errno.EALREADY => "operation already in progress",
        Errno.EINPROGRESS => "operation in progress",
        Errno.ECANCELED => "operation canceled",
        _ => "error " + ((int)error).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
