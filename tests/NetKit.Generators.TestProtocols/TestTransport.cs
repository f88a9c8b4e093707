using System;
using System.Threading;
using System.Runtime.CompilerServices;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Generators.TestProtocols;

/// <summary>An enum option value with an unsigned underlying type (range-checked as unsigned).</summary>
public enum TestMode : ushort
{
    Quiet = 1,
    Normal = 2,
    Loud = 3,
}

/// <summary>A blittable struct option value shaped like <c>struct linger</c>.</summary>
public struct TestLinger
{
    public int OnOff;
    public int Seconds;
}

/// <summary>
/// A UDP-shaped test transport (IP protocol 17, 4-tuple flow hash so connect migrates) that declares every handler
/// kind and an option of every supported value type. Each handler records the protocol thread it ran on.
/// </summary>
[Protocol("testudp", ProtocolLayer.Transport, 17, FlowHash = FlowHashKind.FourTuple, SocketType = SocketType.Datagram, IsDefaultForType = true)]
[RequiresProtocol(typeof(TestNetwork))]
public static partial class TestTransport
{
    public const int Level = SockOptLevel.Udp;
    public const int OptionCork = 1;        // int, range 0..100
    public const int OptionChecksum = 2;    // bool
    public const int OptionMode = 3;        // enum : ushort, range 1..3
    public const int OptionLinger = 4;      // struct
    public const int OptionKey = 5;         // 16 fixed bytes
    public const int OptionOffset = 6;      // long, range -1000..1000
    public const int OptionRaw = 99;        // handled by the untyped ControlOutput handler
    public const int KeyLength = 16;

    /// <summary>The control block; also the record the tests read.</summary>
    public sealed class TestPcb
    {
        public int Ttl = 64;
        public int Cork;
        public bool Checksum = true;
        public TestMode Mode = TestMode.Normal;
        public TestLinger Linger;
        public KeyBytes Key;
        public long Offset;
        public int Raw;
        public SockAddr Local;
        public SockAddr Remote;
        public int Backlog;
        public int LastThread = -1;
        public UserRequestKind LastRequest;
        public int Requests;
        public int Notifications;
        public int LastNotifiedName;
        public int Packets;
        public int PacketThread = -1;
        public ControlCommand LastControl;
        public int ControlThread = -1;
        public bool Detached;
    }

    [InlineArray(KeyLength)]
    public struct KeyBytes
    {
        private byte _element0;
    }

    public static TestPcb Pcb(NetSocket socket) => (TestPcb)socket.ProtocolControlBlock!;

    private static int CurrentThread => ProtocolThread.Current?.Index ?? -1;

    private static Errno Record(NetSocket socket, UserRequestKind kind)
    {
        var pcb = Pcb(socket);
        pcb.LastThread = CurrentThread;
        pcb.LastRequest = kind;
        pcb.Requests++;
        return Errno.None;
    }

    // ---- user requests ----

    [UserRequest(UserRequestKind.Attach)]
    public static Errno Attach(NetSocket socket)
    {
        socket.ProtocolControlBlock = new TestPcb();
        return Record(socket, UserRequestKind.Attach);
    }

    [UserRequest(UserRequestKind.Bind)]
    public static Errno Bind(NetSocket socket, in SockAddr address)
    {
        if (!address.IsIPv4) return Errno.EAFNOSUPPORT;
        Pcb(socket).Local = address;
        return Record(socket, UserRequestKind.Bind);
    }

    /// <summary>Moves the socket to the thread its 4-tuple hashes to, then finishes there (DragonFly udp_connect).</summary>
    [UserRequest(UserRequestKind.Connect)]
    public static Errno Connect(NetSocket socket, in SockAddr address)
    {
        var pcb = Pcb(socket);
        var owner = socket.Stack.PortForFlow(socket.ProtocolIndex, pcb.Local, address);
        if (!owner.IsOwnerThread) return socket.MigrateTo(owner);
        pcb.Remote = address;
        return Record(socket, UserRequestKind.Connect);
    }

    [UserRequest(UserRequestKind.Listen)]
    public static Errno Listen(NetSocket socket, int backlog)
    {
        _ = socket;
        _ = backlog;
        return Errno.EOPNOTSUPP; // datagram sockets do not listen, as UDP answers
    }

    [UserRequest(UserRequestKind.Accept)]
    public static Errno Accept(NetSocket socket, out SockAddr peer)
    {
        peer = Pcb(socket).Remote;
        return Record(socket, UserRequestKind.Accept);
    }

    [UserRequest(UserRequestKind.Send)]
    public static Errno Send(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags)
    {
        var pcb = Pcb(socket);
        if (data is not null)
        {
            pcb.Packets++;
            data.Free();
        }
        _ = address;
        _ = flags;
        return Record(socket, UserRequestKind.Send);
    }

    [UserRequest(UserRequestKind.Received)]
    public static Errno Received(NetSocket socket, int flags)
    {
        _ = flags;
        return Record(socket, UserRequestKind.Received);
    }

    [UserRequest(UserRequestKind.ReceiveOutOfBand)]
    public static Errno ReceiveOutOfBand(NetSocket socket, out byte data, int flags)
    {
        data = (byte)(flags + 1);
        return Record(socket, UserRequestKind.ReceiveOutOfBand);
    }

    [UserRequest(UserRequestKind.Shutdown)]
    public static Errno Shutdown(NetSocket socket) => Record(socket, UserRequestKind.Shutdown);

    [UserRequest(UserRequestKind.Disconnect)]
    public static Errno Disconnect(NetSocket socket)
    {
        Pcb(socket).Remote = default;
        return Record(socket, UserRequestKind.Disconnect);
    }

    [UserRequest(UserRequestKind.Abort)]
    public static Errno Abort(NetSocket socket) => Record(socket, UserRequestKind.Abort);

    [UserRequest(UserRequestKind.Detach)]
    public static Errno Detach(NetSocket socket)
    {
        Pcb(socket).Detached = true;
        return Record(socket, UserRequestKind.Detach);
    }

    /// <summary>ioctl: command 1 writes the owner thread index into the first byte of the caller's buffer.</summary>
    [UserRequest(UserRequestKind.Control)]
    public static Errno Control(NetSocket socket, uint command, Span<byte> data)
    {
        if (command != 1) return Errno.ENOTTY;
        if (data.Length < 1) return Errno.EINVAL;
        data[0] = (byte)CurrentThread;
        return Record(socket, UserRequestKind.Control);
    }

    [UserRequest(UserRequestKind.SocketAddress)]
    public static Errno SocketAddress(NetSocket socket, out SockAddr address)
    {
        address = Pcb(socket).Local;
        return Record(socket, UserRequestKind.SocketAddress);
    }

    [UserRequest(UserRequestKind.PeerAddress)]
    public static Errno PeerAddress(NetSocket socket, out SockAddr address)
    {
        address = Pcb(socket).Remote;
        if (address.Family == 0) return Errno.ENOTCONN;
        return Record(socket, UserRequestKind.PeerAddress);
    }

    /// <summary>Untyped options: (17, 99) as a raw int, and notifications of socket-level changes.</summary>
    [UserRequest(UserRequestKind.ControlOutput)]
    public static Errno ControlOutput(NetSocket socket, ref SocketOption option)
    {
        var pcb = Pcb(socket);
        pcb.LastThread = CurrentThread;
        if (option.IsNotification)
        {
            pcb.Notifications++;
            pcb.LastNotifiedName = option.Name;
            return Errno.None;
        }
        if (option.Level != Level || option.Name != OptionRaw) return Errno.ENOPROTOOPT;
        if (option.Access == SockOptAccess.Set)
        {
            if (option.Value.Length < 4) return Errno.EINVAL;
            pcb.Raw = BitConverter.ToInt32(option.Value);
            return Errno.None;
        }
        if (option.Value.Length < 4) return Errno.EINVAL;
        BitConverter.TryWriteBytes(option.Value, pcb.Raw);
        option.Length = 4;
        return Errno.None;
    }

    // ---- packets ----

    [PacketInput]
    public static void Input(NetStack stack, PacketBuffer packet, int offset)
    {
        _ = stack;
        _ = offset;
        Interlocked.Increment(ref s_packets);
        Volatile.Write(ref s_lastPacketThread, CurrentThread);
        packet.Free();
    }

    [ControlInput]
    public static void ControlInput(NetStack stack, ControlCommand command, PacketBuffer packet, int offset)
    {
        _ = stack;
        _ = packet;
        _ = offset;
        Volatile.Write(ref s_lastControl, (int)command);
        Volatile.Write(ref s_lastControlThread, CurrentThread);
        Interlocked.Increment(ref s_controls);
    }

    private static int s_packets, s_lastPacketThread = -1, s_lastControl, s_lastControlThread = -1, s_controls;

    public static int PacketsReceived => Volatile.Read(ref s_packets);
    public static int LastPacketThread => Volatile.Read(ref s_lastPacketThread);
    public static ControlCommand LastControl => (ControlCommand)Volatile.Read(ref s_lastControl);
    public static int LastControlThread => Volatile.Read(ref s_lastControlThread);
    public static int ControlsReceived => Volatile.Read(ref s_controls);

    // ---- options of every supported value type ----

    [SockOpt(Level, OptionCork, SockOptAccess.Set, Minimum = 0, Maximum = 100)]
    public static Errno SetCork(NetSocket socket, int value)
    {
        Pcb(socket).Cork = value;
        return Record(socket, UserRequestKind.ControlOutput);
    }

    [SockOpt(Level, OptionCork, SockOptAccess.Get)]
    public static Errno GetCork(NetSocket socket, out int value)
    {
        value = Pcb(socket).Cork;
        return Record(socket, UserRequestKind.ControlOutput);
    }

    [SockOpt(Level, OptionChecksum, SockOptAccess.Set)]
    public static Errno SetChecksum(NetSocket socket, bool value)
    {
        Pcb(socket).Checksum = value;
        return Errno.None;
    }

    [SockOpt(Level, OptionChecksum, SockOptAccess.Get)]
    public static Errno GetChecksum(NetSocket socket, out bool value)
    {
        value = Pcb(socket).Checksum;
        return Errno.None;
    }

    [SockOpt(Level, OptionMode, SockOptAccess.Set, Minimum = 1, Maximum = 3)]
    public static Errno SetMode(NetSocket socket, TestMode value)
    {
        Pcb(socket).Mode = value;
        return Errno.None;
    }

    [SockOpt(Level, OptionMode, SockOptAccess.Get)]
    public static Errno GetMode(NetSocket socket, out TestMode value)
    {
        value = Pcb(socket).Mode;
        return Errno.None;
    }

    [SockOpt(Level, OptionLinger, SockOptAccess.Set)]
    public static Errno SetLinger(NetSocket socket, in TestLinger value)
    {
        if (value.Seconds < 0) return Errno.EINVAL;
        Pcb(socket).Linger = value;
        return Errno.None;
    }

    [SockOpt(Level, OptionLinger, SockOptAccess.Get)]
    public static Errno GetLinger(NetSocket socket, out TestLinger value)
    {
        value = Pcb(socket).Linger;
        return Errno.None;
    }

    [SockOpt(Level, OptionKey, SockOptAccess.Set, Length = KeyLength)]
    public static Errno SetKey(NetSocket socket, ReadOnlySpan<byte> value)
    {
        value.CopyTo(Pcb(socket).Key);
        return Errno.None;
    }

    [SockOpt(Level, OptionKey, SockOptAccess.Get, Length = KeyLength)]
    public static Errno GetKey(NetSocket socket, Span<byte> value)
    {
        ((ReadOnlySpan<byte>)Pcb(socket).Key).CopyTo(value);
        return Errno.None;
    }

    [SockOpt(Level, OptionOffset, SockOptAccess.Set, Minimum = -1000, Maximum = 1000)]
    public static Errno SetOffset(NetSocket socket, long value)
    {
        Pcb(socket).Offset = value;
        return Errno.None;
    }

    [SockOpt(Level, OptionOffset, SockOptAccess.Get)]
    public static Errno GetOffset(NetSocket socket, out long value)
    {
        value = Pcb(socket).Offset;
        return Errno.None;
    }
}
