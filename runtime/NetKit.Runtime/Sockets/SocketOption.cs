using System;
using NetKit.Runtime.Protocols;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// An option as a protocol's untyped <see cref="UserRequestKind.ControlOutput"/> handler sees it (BSD
/// <c>struct sockopt</c>). For a set, <see cref="Value"/> holds the caller's bytes; for a get, the handler writes into
/// <see cref="Value"/> and sets <see cref="Length"/> to the bytes it produced.
/// </summary>
public ref struct SocketOption
{
    public SockOptAccess Access;
    public int Level;
    public int Name;
    public Span<byte> Value;
    public int Length;
    /// <summary>True when a socket-level option was already applied and the protocol is only told (its answer is ignored).</summary>
    public bool IsNotification;
}
