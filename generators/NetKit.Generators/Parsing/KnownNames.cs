namespace NetKit.Generators.Parsing;

/// <summary>Metadata names of the runtime's declaration attributes and the fully qualified handler parameter types.</summary>
internal static class KnownNames
{
    public const string ProtocolAttribute = "NetKit.Runtime.Protocols.ProtocolAttribute";
    public const string SocketOptionTableAttribute = "NetKit.Runtime.Protocols.SocketOptionTableAttribute";
    public const string NetworkStackAttribute = "NetKit.Runtime.Protocols.NetworkStackAttribute";
    public const string RequiresProtocolAttribute = "NetKit.Runtime.Protocols.RequiresProtocolAttribute";
    public const string UserRequestAttribute = "NetKit.Runtime.Protocols.UserRequestAttribute";
    public const string PacketInputAttribute = "NetKit.Runtime.Protocols.PacketInputAttribute";
    public const string ControlInputAttribute = "NetKit.Runtime.Protocols.ControlInputAttribute";
    public const string FlowClassifierAttribute = "NetKit.Runtime.Protocols.FlowClassifierAttribute";
    public const string SockOptAttribute = "NetKit.Runtime.Protocols.SockOptAttribute";

    // Fully qualified spellings, as SymbolDisplayFormat.FullyQualifiedFormat prints them.
    public const string NetSocket = "global::NetKit.Runtime.Sockets.NetSocket";
    public const string SockAddr = "global::NetKit.Runtime.Sockets.SockAddr";
    public const string SocketOption = "global::NetKit.Runtime.Sockets.SocketOption";
    public const string PacketBuffer = "global::NetKit.Runtime.Buffers.PacketBuffer";
    public const string NetStack = "global::NetKit.Runtime.Protocols.NetStack";
    public const string FlowKey = "global::NetKit.Runtime.Protocols.FlowKey";
    public const string ControlCommand = "global::NetKit.Runtime.Protocols.ControlCommand";
    public const string Errno = "global::NetKit.Runtime.Errno";
    public const string Span = "global::System.Span<byte>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<byte>";

    /// <summary>Largest fixed-length byte option (NetKit.Runtime.Sockets.SocketRequest.InlineValueCapacity).</summary>
    public const int InlineValueCapacity = 256;
}
