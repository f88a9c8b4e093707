namespace NetKit.Runtime.Protocols;

/// <summary>
/// The user requests a socket sends its protocol (BSD <c>struct pr_usrreqs</c>), each with a fixed handler shape
/// (see <see cref="UserRequestAttribute"/>). A protocol that declares no handler for a kind answers EOPNOTSUPP
/// (DragonFly's <c>pr_generic_notsupp</c>).
/// </summary>
public enum UserRequestKind
{
    /// <summary><c>Errno (NetSocket socket)</c>: create the pcb (<c>pru_attach</c>).</summary>
    Attach,
    /// <summary><c>Errno (NetSocket socket, in SockAddr address)</c> (<c>pru_bind</c>).</summary>
    Bind,
    /// <summary><c>Errno (NetSocket socket, in SockAddr address)</c> (<c>pru_connect</c>).</summary>
    Connect,
    /// <summary><c>Errno (NetSocket socket, int backlog)</c> (<c>pru_listen</c>).</summary>
    Listen,
    /// <summary><c>Errno (NetSocket socket, out SockAddr peer)</c> (<c>pru_accept</c>).</summary>
    Accept,
    /// <summary><c>Errno (NetSocket socket, PacketBuffer? data, in SockAddr address, int flags)</c> (<c>pru_send</c>).</summary>
    Send,
    /// <summary><c>Errno (NetSocket socket, int flags)</c>: the reader made room (<c>pru_rcvd</c>).</summary>
    Received,
    /// <summary><c>Errno (NetSocket socket, out byte data, int flags)</c> (<c>pru_rcvoob</c>).</summary>
    ReceiveOutOfBand,
    /// <summary><c>Errno (NetSocket socket)</c>: no more sends (<c>pru_shutdown</c>).</summary>
    Shutdown,
    /// <summary><c>Errno (NetSocket socket)</c> (<c>pru_disconnect</c>).</summary>
    Disconnect,
    /// <summary><c>Errno (NetSocket socket)</c> (<c>pru_abort</c>).</summary>
    Abort,
    /// <summary><c>Errno (NetSocket socket)</c>: free the pcb (<c>pru_detach</c>).</summary>
    Detach,
    /// <summary><c>Errno (NetSocket socket, uint command, Span&lt;byte&gt; data)</c>: ioctl (<c>pru_control</c>).</summary>
    Control,
    /// <summary><c>Errno (NetSocket socket, out SockAddr address)</c>: local address (<c>pru_sockaddr</c>).</summary>
    SocketAddress,
    /// <summary><c>Errno (NetSocket socket, out SockAddr address)</c>: peer address (<c>pru_peeraddr</c>).</summary>
    PeerAddress,
    /// <summary>
    /// <c>Errno (NetSocket socket, ref SocketOption option)</c>: the protocol's untyped option entry
    /// (<c>pr_ctloutput</c>). It receives options no <see cref="SockOptAttribute"/> handler claims and the
    /// notification after a socket-level option changed.
    /// </summary>
    ControlOutput,
}
