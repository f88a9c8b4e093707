namespace NetKit.Generators.Emit;

/// <summary>Fully qualified runtime names and the generated member names protocol and stack code share.</summary>
internal static class Names
{
    public const string Errno = "global::NetKit.Runtime.Errno";
    public const string NetMsg = "global::NetKit.Runtime.Messaging.NetMsg";
    public const string MessagePort = "global::NetKit.Runtime.Messaging.MessagePort";
    public const string SocketRequest = "global::NetKit.Runtime.Sockets.SocketRequest";
    public const string NetSocket = "global::NetKit.Runtime.Sockets.NetSocket";
    public const string SockAddr = "global::NetKit.Runtime.Sockets.SockAddr";
    public const string SocketOption = "global::NetKit.Runtime.Sockets.SocketOption";
    public const string SocketType = "global::NetKit.Runtime.Sockets.SocketType";
    public const string SockOptLevel = "global::NetKit.Runtime.Sockets.SockOptLevel";
    public const string SocketOptionCopy = "global::NetKit.Runtime.Sockets.SocketOptionCopy";
    public const string PacketBuffer = "global::NetKit.Runtime.Buffers.PacketBuffer";
    public const string PacketMessage = "global::NetKit.Runtime.Protocols.PacketMessage";
    public const string NetStack = "global::NetKit.Runtime.Protocols.NetStack";
    public const string FlowKey = "global::NetKit.Runtime.Protocols.FlowKey";
    public const string ControlCommand = "global::NetKit.Runtime.Protocols.ControlCommand";
    public const string SockOptAccess = "global::NetKit.Runtime.Protocols.SockOptAccess";
    public const string FlowHashKind = "global::NetKit.Runtime.Hashing.FlowHashKind";
    public const string FlowHash = "global::NetKit.Runtime.Hashing.FlowHash";
    public const string ProtocolThreadGroup = "global::NetKit.Runtime.Threading.ProtocolThreadGroup";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<byte>";
    public const string Span = "global::System.Span<byte>";
    public const string EditorBrowsableNever = "[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]";

    // Members generated into protocol classes and called from generated stacks (possibly in another assembly,
    // hence public and hidden from IntelliSense).
    public static string RequestDispatch(Model.UserRequestKind kind) => "__NetKitDispatch" + kind;
    public const string ControlInputDispatch = "__NetKitDispatchControlInput";
    public const string TrySetOption = "__NetKitTrySetOption";
    public const string TryGetOption = "__NetKitTryGetOption";
}
