namespace NetKit.Generators.Tests.Analyzers;

/// <summary>Valid building blocks the stack tests list; each analyzes clean on its own.</summary>
internal static class Samples
{
    public const string Link = """
        [Protocol("link", ProtocolLayer.Link, 0)]
        public static partial class Link
        {
            [PacketInput]
            public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset) => InputResult.Consumed;
        }

        """;

    public const string Net = """
        [Protocol("net", ProtocolLayer.Network, 0x0800)]
        [RequiresProtocol(typeof(Link))]
        public static partial class Net
        {
            [PacketInput]
            public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset) => InputResult.Consumed;

            [SockOpt(SockOptLevel.IP, 2, SockOptAccess.Set)]
            public static Errno SetTtl(NetSocket socket, int value) => Errno.None;
        }

        """;

    public const string Dgram = """
        [Protocol("dgram", ProtocolLayer.Transport, 17, SocketType = SocketType.Datagram)]
        [RequiresProtocol(typeof(Net))]
        public static partial class Dgram
        {
            [UserRequest(UserRequestKind.Attach)]
            public static Errno Attach(NetSocket socket) => Errno.None;

            [PacketInput]
            public static void Input(NetStack stack, PacketBuffer packet, int offset) => packet.Free();
        }

        """;

    public const string SocketLevel = """
        [SocketOptionTable]
        public static partial class SocketLevel
        {
            [SockOpt(SockOptLevel.Socket, 2, SockOptAccess.Set)]
            public static Errno SetReuse(NetSocket socket, bool value) => Errno.None;
        }

        """;

    public const string All = Link + Net + Dgram + SocketLevel;
}
