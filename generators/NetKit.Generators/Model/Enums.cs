namespace NetKit.Generators.Model;

// Mirrors of the runtime's public enums (NetKit.Runtime.Protocols / Hashing / Sockets). The generator cannot
// reference the runtime (netstandard2.0 vs net10.0), so the numeric values are repeated here and pinned by the
// snapshot tests, which emit them.

/// <summary>NetKit.Runtime.Protocols.ProtocolLayer.</summary>
internal enum ProtocolLayer
{
    Link = 0,
    Network = 1,
    Transport = 2,
}

/// <summary>NetKit.Runtime.Hashing.FlowHashKind.</summary>
internal enum FlowHashKind
{
    FourTuple = 0,
    Addresses = 1,
    Thread0 = 2,
}

/// <summary>NetKit.Runtime.Protocols.UserRequestKind.</summary>
internal enum UserRequestKind
{
    Attach,
    Bind,
    Connect,
    Listen,
    Accept,
    Send,
    Received,
    ReceiveOutOfBand,
    Shutdown,
    Disconnect,
    Abort,
    Detach,
    Control,
    SocketAddress,
    PeerAddress,
    ControlOutput,
}

/// <summary>NetKit.Runtime.Protocols.SockOptAccess.</summary>
internal enum SockOptAccess
{
    Set = 0,
    Get = 1,
}

/// <summary>NetKit.Runtime.Sockets.SocketType.</summary>
internal enum SocketType
{
    None = 0,
    Stream = 1,
    Datagram = 2,
    Raw = 3,
    SequencedPacket = 5,
}

/// <summary>How an option value is copied in and out.</summary>
internal enum OptionValueKind
{
    /// <summary>A signed integer (int, long, short, sbyte): copied as is, range checked as long.</summary>
    SignedInteger,
    /// <summary>An unsigned integer (uint, ulong, ushort, byte): range checked as ulong.</summary>
    UnsignedInteger,
    /// <summary>bool: a C int on the wire, nonzero is true.</summary>
    Boolean,
    /// <summary>An enum: copied as its underlying integer, range checked on it.</summary>
    Enum,
    /// <summary>A blittable struct (linger, timeval, ip_mreq): copied byte for byte.</summary>
    Struct,
    /// <summary>Fixed-length bytes (Span/ReadOnlySpan of byte with a declared Length).</summary>
    Bytes,
}
