namespace NetKit.Generators.Tests.Support;

/// <summary>Representative declarations the generator tests compile: what a protocol author writes.</summary>
public static class Declarations
{
    /// <summary>Link and network layers with classifiers and inputs.</summary>
    public const string LinkAndNetwork = """
        using System;
        using NetKit.Runtime;
        using NetKit.Runtime.Buffers;
        using NetKit.Runtime.Hashing;
        using NetKit.Runtime.Protocols;
        using NetKit.Runtime.Sockets;

        namespace Sample;

        [Protocol("ether", ProtocolLayer.Link, 0)]
        public static partial class Ether
        {
            [FlowClassifier]
            public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
            {
                if (packet.Length - offset < 14) return -1;
                offset += 14;
                return packet[offset - 2] << 8 | packet[offset - 1];
            }

            [PacketInput]
            public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
            {
                offset += 14;
                return 0x0800;
            }
        }

        [Protocol("ip", ProtocolLayer.Network, 0x0800, FlowHash = FlowHashKind.Addresses)]
        [RequiresProtocol(typeof(Ether))]
        public static partial class Ip
        {
            [FlowClassifier]
            public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
            {
                if (packet.Length - offset < 20) return -1;
                key.HasAddresses = true;
                offset += 20;
                return packet[offset - 11];
            }

            [PacketInput]
            public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
            {
                offset += 20;
                return packet.Data[offset - 11];
            }

            [SockOpt(SockOptLevel.IP, 2, SockOptAccess.Set, Minimum = 1, Maximum = 255)]
            public static Errno SetTtl(NetSocket socket, int value) => Errno.None;

            [SockOpt(SockOptLevel.IP, 2, SockOptAccess.Get)]
            public static Errno GetTtl(NetSocket socket, out int value)
            {
                value = 64;
                return Errno.None;
            }
        }
        """;

    /// <summary>A transport declaring every user-request kind, packet input and control input.</summary>
    public const string TransportWithAllHandlers = """
        using System;
        using NetKit.Runtime;
        using NetKit.Runtime.Buffers;
        using NetKit.Runtime.Hashing;
        using NetKit.Runtime.Protocols;
        using NetKit.Runtime.Sockets;

        namespace Sample;

        [Protocol("dgram", ProtocolLayer.Transport, 17, FlowHash = FlowHashKind.FourTuple, SocketType = SocketType.Datagram, IsDefaultForType = true)]
        [RequiresProtocol(typeof(Ip))]
        public static partial class Dgram
        {
            [UserRequest(UserRequestKind.Attach)] public static Errno Attach(NetSocket socket) => Errno.None;
            [UserRequest(UserRequestKind.Bind)] public static Errno Bind(NetSocket socket, in SockAddr address) => Errno.None;
            [UserRequest(UserRequestKind.Connect)] public static Errno Connect(NetSocket socket, in SockAddr address) => Errno.None;
            [UserRequest(UserRequestKind.Listen)] public static Errno Listen(NetSocket socket, int backlog) => Errno.EOPNOTSUPP;
            [UserRequest(UserRequestKind.Accept)] public static Errno Accept(NetSocket socket, out SockAddr peer) { peer = default; return Errno.None; }
            [UserRequest(UserRequestKind.Send)] public static Errno Send(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags) { data?.Free(); return Errno.None; }
            [UserRequest(UserRequestKind.Received)] public static Errno Received(NetSocket socket, int flags) => Errno.None;
            [UserRequest(UserRequestKind.ReceiveOutOfBand)] public static Errno ReceiveOutOfBand(NetSocket socket, out byte data, int flags) { data = 0; return Errno.EINVAL; }
            [UserRequest(UserRequestKind.Shutdown)] public static Errno Shutdown(NetSocket socket) => Errno.None;
            [UserRequest(UserRequestKind.Disconnect)] public static Errno Disconnect(NetSocket socket) => Errno.None;
            [UserRequest(UserRequestKind.Abort)] public static Errno Abort(NetSocket socket) => Errno.None;
            [UserRequest(UserRequestKind.Detach)] public static Errno Detach(NetSocket socket) => Errno.None;
            [UserRequest(UserRequestKind.Control)] public static Errno Control(NetSocket socket, uint command, Span<byte> data) => Errno.ENOTTY;
            [UserRequest(UserRequestKind.SocketAddress)] public static Errno SocketAddress(NetSocket socket, out SockAddr address) { address = default; return Errno.None; }
            [UserRequest(UserRequestKind.PeerAddress)] public static Errno PeerAddress(NetSocket socket, out SockAddr address) { address = default; return Errno.ENOTCONN; }
            [UserRequest(UserRequestKind.ControlOutput)] public static Errno ControlOutput(NetSocket socket, ref SocketOption option) => Errno.ENOPROTOOPT;

            [PacketInput]
            public static void Input(NetStack stack, PacketBuffer packet, int offset) => packet.Free();

            [ControlInput]
            public static void ControlInput(NetStack stack, ControlCommand command, PacketBuffer packet, int offset) { }
        }
        """;

    /// <summary>The transport's declaration with no handlers, for tests about its options alone.</summary>
    public const string TransportDeclarationOnly = """
        using NetKit.Runtime.Hashing;
        using NetKit.Runtime.Protocols;
        using NetKit.Runtime.Sockets;

        namespace Sample;

        [Protocol("dgram", ProtocolLayer.Transport, 17, FlowHash = FlowHashKind.FourTuple, SocketType = SocketType.Datagram)]
        [RequiresProtocol(typeof(Ip))]
        public static partial class Dgram { }
        """;

    /// <summary>Options of every supported value type, with range checks, plus socket-level options.</summary>
    public const string OptionsOfEveryType = """
        using System;
        using NetKit.Runtime;
        using NetKit.Runtime.Protocols;
        using NetKit.Runtime.Sockets;

        namespace Sample;

        public enum Mode : ushort { Low = 1, High = 2 }

        public struct Linger { public int OnOff; public int Seconds; }

        public static partial class Dgram
        {
            [SockOpt(17, 1, SockOptAccess.Set, Minimum = 0, Maximum = 100)] public static Errno SetInt(NetSocket socket, int value) => Errno.None;
            [SockOpt(17, 1, SockOptAccess.Get)] public static Errno GetInt(NetSocket socket, out int value) { value = 1; return Errno.None; }
            [SockOpt(17, 2, SockOptAccess.Set)] public static Errno SetBool(NetSocket socket, bool value) => Errno.None;
            [SockOpt(17, 2, SockOptAccess.Get)] public static Errno GetBool(NetSocket socket, out bool value) { value = true; return Errno.None; }
            [SockOpt(17, 3, SockOptAccess.Set, Minimum = 1, Maximum = 2)] public static Errno SetMode(NetSocket socket, Mode value) => Errno.None;
            [SockOpt(17, 3, SockOptAccess.Get)] public static Errno GetMode(NetSocket socket, out Mode value) { value = Mode.Low; return Errno.None; }
            [SockOpt(17, 4, SockOptAccess.Set)] public static Errno SetLinger(NetSocket socket, in Linger value) => Errno.None;
            [SockOpt(17, 4, SockOptAccess.Get)] public static Errno GetLinger(NetSocket socket, out Linger value) { value = default; return Errno.None; }
            [SockOpt(17, 5, SockOptAccess.Set, Length = 16)] public static Errno SetKey(NetSocket socket, ReadOnlySpan<byte> value) => Errno.None;
            [SockOpt(17, 5, SockOptAccess.Get, Length = 16)] public static Errno GetKey(NetSocket socket, Span<byte> value) => Errno.None;
            [SockOpt(17, 6, SockOptAccess.Set, Minimum = -1000, Maximum = 1000)] public static Errno SetLong(NetSocket socket, long value) => Errno.None;
            [SockOpt(17, 7, SockOptAccess.Set, Maximum = 9)] public static Errno SetUnsigned(NetSocket socket, uint value) => Errno.None;
        }

        [SocketOptionTable]
        public static partial class SocketLevel
        {
            [SockOpt(SockOptLevel.Socket, 2, SockOptAccess.Set)] public static Errno SetReuse(NetSocket socket, bool value) => Errno.None;
            [SockOpt(SockOptLevel.Socket, 2, SockOptAccess.Get)] public static Errno GetReuse(NetSocket socket, out bool value) { value = false; return Errno.None; }
            [SockOpt(SockOptLevel.Socket, 8, SockOptAccess.Set, Minimum = 1)] public static Errno SetBuffer(NetSocket socket, int value) => Errno.None;
            [SockOpt(SockOptLevel.Socket, 25, SockOptAccess.Get, Length = 16)] public static Errno GetDevice(NetSocket socket, Span<byte> value) => Errno.None;
        }
        """;

    /// <summary>A full stack and a subset stack that leaves the transport out.</summary>
    public const string Stacks = """
        using NetKit.Runtime.Protocols;

        namespace Sample;

        [NetworkStack(typeof(Ether), typeof(Ip), typeof(Dgram), typeof(SocketLevel))]
        public sealed partial class FullStack { }

        [NetworkStack(typeof(Ether), typeof(Ip))]
        public sealed partial class RouterStack { }
        """;
}
