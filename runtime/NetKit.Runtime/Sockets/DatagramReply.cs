using System;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// What an <see cref="IDatagramHandler"/> needs to answer one datagram: its addresses, and a send that runs the
/// protocol's output on the current protocol thread (no netmsg, no hop: the reply's 4-tuple is the request's, so it
/// hashes to this thread). The protocol fills it; it lives on the stack for the duration of the call only.
/// </summary>
public readonly unsafe ref struct DatagramReply
{
    private readonly delegate*<in DatagramReply, ReadOnlySpan<byte>, Errno> _send;

    /// <summary>Created by a protocol's input path; <paramref name="send"/> is its on-thread output.</summary>
    public DatagramReply(NetStack stack, NetSocket socket, in SockAddr local, in SockAddr remote, int thread,
        delegate*<in DatagramReply, ReadOnlySpan<byte>, Errno> send)
    {
        Stack = stack;
        Socket = socket;
        Local = local;
        Remote = remote;
        Thread = thread;
        _send = send;
    }

    public NetStack Stack { get; }
    public NetSocket Socket { get; }

    /// <summary>The address the datagram was sent to (ours).</summary>
    public SockAddr Local { get; }

    /// <summary>The datagram's source, where <see cref="Send"/> replies to.</summary>
    public SockAddr Remote { get; }

    /// <summary>Index of the protocol thread running the handler (for per-thread state in the handler).</summary>
    public int Thread { get; }

    /// <summary>Sends <paramref name="payload"/> to <see cref="Remote"/> from <see cref="Local"/>, now, on this thread.</summary>
    public Errno Send(ReadOnlySpan<byte> payload) => _send is null ? Errno.EOPNOTSUPP : _send(in this, payload);
}
