using System;
using System.Threading;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Base of every generated stack (<see cref="NetworkStackAttribute"/>). The generated part supplies demultiplexing,
/// flow routing, socket requests and option dispatch as direct calls into the listed protocols; this part holds the
/// protocol threads and the drop counters every stack keeps.
/// </summary>
public abstract class NetStack
{
    private long _unknownNetworkDrops;
    private long _unknownTransportDrops;
    private long _unclassifiedControlDrops;

    private object?[] _states = new object?[8];

    /// <summary>Process-wide slot number of each protocol-state type (a static per closed generic type).</summary>
    private static class StateSlot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref s_stateSlots) - 1;
    }

    private static int s_stateSlots;

    protected NetStack(ProtocolThreadGroup threads)
    {
        ArgumentNullException.ThrowIfNull(threads);
        Threads = threads;
    }

    /// <summary>The protocol threads this stack's sockets and packets are spread over.</summary>
    public ProtocolThreadGroup Threads { get; }

    /// <summary>
    /// This stack's state of type <typeparamref name="T"/>, created on first use. After that it is an array load and
    /// a type-free cast: cheap enough for every packet.
    /// </summary>
    public T State<T>() where T : class, IProtocolState<T>
    {
        int slot = StateSlot<T>.Index;
        var states = Volatile.Read(ref _states);
        if ((uint)slot < (uint)states.Length && states[slot] is { } existing)
            return System.Runtime.CompilerServices.Unsafe.As<T>(existing);
        return CreateState<T>(slot);
    }

    private T CreateState<T>(int slot) where T : class, IProtocolState<T>
    {
        var created = T.Create(this);
        while (true)
        {
            var states = Volatile.Read(ref _states);
            if (slot >= states.Length)
            {
                var grown = new object?[Math.Max(states.Length * 2, slot + 1)];
                Array.Copy(states, grown, states.Length);
                Interlocked.CompareExchange(ref _states, grown, states);
                continue;
            }
            var winner = Interlocked.CompareExchange(ref states[slot], created, null) ?? created;
            // A concurrent grow may have copied the array before our store: publish into the current one too.
            if (!ReferenceEquals(Volatile.Read(ref _states), states)) continue;
            return (T)winner;
        }
    }

    /// <summary>Frames whose ethertype no listed network protocol claims.</summary>
    public long UnknownNetworkDrops => Volatile.Read(ref _unknownNetworkDrops);

    /// <summary>Packets whose IP protocol no listed transport claims.</summary>
    public long UnknownTransportDrops => Volatile.Read(ref _unknownTransportDrops);

    /// <summary>ICMP errors about a transport the stack lacks or that declares no control input.</summary>
    public long UnclassifiedControlDrops => Volatile.Read(ref _unclassifiedControlDrops);

    /// <summary>Index of the protocol thread that owns <paramref name="frame"/> (also stored as its flow hash).</summary>
    public abstract int SelectThread(PacketBuffer frame);

    /// <summary>Takes a received frame over and sends it to its owner protocol thread (driver RX path).</summary>
    public abstract void Receive(PacketBuffer frame);

    /// <summary>Runs link → network → transport input for a frame on the current (owner) thread.</summary>
    public abstract void InputFrame(PacketBuffer frame);

    /// <summary>
    /// Hands an ICMP error to the control input of the transport whose flow it quotes, on the thread owning that
    /// flow (DragonFly <c>pr_ctlport</c> then <c>pr_ctlinput</c>). <paramref name="network"/> is the quoted header's
    /// ethertype and <paramref name="offset"/> its position. Takes the packet over: it is freed after the transport
    /// ran, or counted and freed when no listed transport claims it.
    /// </summary>
    public abstract void ControlInput(int network, ControlCommand command, PacketBuffer packet, int offset);

    // ---- socket requests: generated per stack (see NetworkStackAttribute), one method per pr_usrreqs kind ----
    // Abstract here so a socket API written once (runtime) drives any stack; a caller holding the generated sealed
    // stack type calls them directly.

    /// <summary>Creates a socket (<c>socket(2)</c>); ESOCKTNOSUPPORT/EPROTONOSUPPORT when no listed protocol serves it.</summary>
    public abstract Errno CreateSocket(SocketType type, int protocol, out NetSocket? socket);

    /// <summary><c>pru_bind</c> on the owner thread.</summary>
    public abstract Errno Bind(NetSocket socket, in SockAddr address);

    /// <summary><c>pru_connect</c> on the owner thread; the protocol may migrate the socket.</summary>
    public abstract Errno Connect(NetSocket socket, in SockAddr address);

    /// <summary><c>pru_listen</c>.</summary>
    public abstract Errno Listen(NetSocket socket, int backlog);

    /// <summary><c>pru_accept</c>.</summary>
    public abstract Errno Accept(NetSocket socket, out SockAddr peer);

    /// <summary><c>pru_send</c>: takes <paramref name="data"/> over whatever the result.</summary>
    public abstract Errno Send(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags);

    /// <summary>
    /// <c>pru_send</c> without waiting (DragonFly <c>so_pru_send_async</c>): the request goes to the owner thread in a
    /// pooled message and the caller returns at once. Errors found there become the socket's pending error
    /// (<see cref="NetSocket.TakeError"/>), reported by its next call. Takes <paramref name="data"/> over.
    /// </summary>
    public abstract Errno PostSend(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags);

    /// <summary>Messages for posted sends; a reply returns them here.</summary>
    protected NetMsgPool<SocketRequest> PostedRequests { get; } = new(256, static () => new SocketRequest());

    /// <summary><c>pru_rcvd</c>.</summary>
    public abstract Errno Received(NetSocket socket, int flags);

    /// <summary><c>pru_rcvoob</c>.</summary>
    public abstract Errno ReceiveOutOfBand(NetSocket socket, out byte data, int flags);

    /// <summary><c>pru_shutdown</c>.</summary>
    public abstract Errno Shutdown(NetSocket socket);

    /// <summary><c>pru_disconnect</c>.</summary>
    public abstract Errno Disconnect(NetSocket socket);

    /// <summary><c>pru_abort</c>.</summary>
    public abstract Errno Abort(NetSocket socket);

    /// <summary><c>pru_detach</c>.</summary>
    public abstract Errno Detach(NetSocket socket);

    /// <summary><c>pru_control</c> (ioctl).</summary>
    public abstract Errno Control(NetSocket socket, uint command, Span<byte> data);

    /// <summary><c>pru_sockaddr</c>.</summary>
    public abstract Errno GetSocketAddress(NetSocket socket, out SockAddr address);

    /// <summary><c>pru_peeraddr</c>.</summary>
    public abstract Errno GetPeerAddress(NetSocket socket, out SockAddr address);

    /// <summary><c>setsockopt(2)</c> through the generated option tables.</summary>
    public abstract Errno SetSocketOption(NetSocket socket, int level, int name, ReadOnlySpan<byte> value);

    /// <summary><c>setsockopt(2)</c> with a C-style pointer and size.</summary>
    public abstract unsafe Errno SetSocketOption(NetSocket socket, int level, int name, byte* value, int size);

    /// <summary><c>getsockopt(2)</c> through the generated option tables.</summary>
    public abstract Errno GetSocketOption(NetSocket socket, int level, int name, Span<byte> buffer, out int length);

    /// <summary><c>getsockopt(2)</c> with a C-style buffer and in/out size.</summary>
    public abstract unsafe Errno GetSocketOption(NetSocket socket, int level, int name, byte* buffer, ref int size);

    /// <summary>The thread owning a connection of protocol <paramref name="protocolIndex"/> between the two addresses.</summary>
    public abstract MessagePort PortForFlow(int protocolIndex, in SockAddr local, in SockAddr remote);

    /// <summary>
    /// Hands a network-layer packet (its header at <paramref name="offset"/>, ethertype <paramref name="network"/>)
    /// back to the receive path on the thread that owns its flow, re-hashed by its transport (DragonFly
    /// <c>ip_rehashm</c> after reassembly: fragments meet on the address-pair thread, the datagram belongs to its
    /// 4-tuple's). Takes the packet over.
    /// </summary>
    public abstract void Reinject(int network, PacketBuffer packet, int offset);

    /// <summary>Where a new socket of a protocol with <paramref name="kind"/> is attached (<c>socreate</c>).</summary>
    public MessagePort AttachPort(FlowHashKind kind)
    {
        if (kind == FlowHashKind.Thread0 || Threads.Count == 1) return Threads[0].Port;
        // Near the caller, as DragonFly creates a socket on the current CPU; a connect may migrate it later.
        var current = ProtocolThread.Current;
        if (current is not null && current.Index < Threads.Count && ReferenceEquals(Threads[current.Index], current))
            return current.Port;
        return Threads[Thread.GetCurrentProcessorId() % Threads.Count].Port;
    }

    /// <summary>The port a request for <paramref name="socket"/> goes to: its current home, after any migration.</summary>
    public static MessagePort PortFor(NetSocket socket) => socket.Home.Port;

    /// <summary>Owner port for a flow hash (<c>netisr_hashport</c>).</summary>
    public MessagePort PortForHash(uint hash) => Threads.PortForHash(hash);

    /// <summary>API misuse check of every socket entry point: EBADF for null, ENOTSOCK for another stack's socket.</summary>
    protected Errno CheckSocket(NetSocket? socket)
    {
        if (socket is null) return Errno.EBADF;
        return ReferenceEquals(socket.Stack, this) ? Errno.None : Errno.ENOTSOCK;
    }

    /// <summary>
    /// Sends an untyped option to a protocol's <see cref="UserRequestKind.ControlOutput"/> handler, pointing it at the
    /// caller's bytes for as long as the caller waits (the fallback for options no typed handler claims, and the
    /// notification after a socket-level set). Returns the handler's errno and the bytes it produced.
    /// </summary>
    protected static unsafe Errno ControlOutputRequest(
        NetSocket socket, delegate*<NetMsg, void> handler, SockOptAccess access, int level, int name,
        ReadOnlySpan<byte> value, bool notification, out int length)
    {
        fixed (byte* pointer = value)
        {
            var request = SocketRequest.Rent().Prepare(socket, handler);
            request.Access = access;
            request.Level = level;
            request.Name = name;
            request.Buffer = pointer;
            request.BufferLength = value.Length;
            request.IsNotification = notification;
            var error = request.Execute();
            length = error == Errno.None ? Math.Clamp(request.ValueLength, 0, value.Length) : 0;
            request.Buffer = null;
            return error;
        }
    }

    protected void CountUnknownNetwork(PacketBuffer packet)
    {
        Interlocked.Increment(ref _unknownNetworkDrops);
        packet.Free();
    }

    protected void CountUnknownTransport(PacketBuffer packet)
    {
        Interlocked.Increment(ref _unknownTransportDrops);
        packet.Free();
    }

    protected void CountUnclassifiedControl(PacketBuffer packet)
    {
        Interlocked.Increment(ref _unclassifiedControlDrops);
        packet.Free();
    }

    /// <summary>
    /// Flow hash of a classified packet for a protocol's declared <paramref name="kind"/> (DragonFly <c>ip_hashfn</c>):
    /// the 4-tuple when ports follow at <paramref name="transportOffset"/> and the packet is not a later fragment,
    /// otherwise the address pair; 0 (thread 0) when nothing was classified or the kind says so.
    /// </summary>
    protected static uint HashFlow(FlowHashKind kind, ReadOnlySpan<byte> packet, int transportOffset, in FlowKey key)
    {
        if (kind == FlowHashKind.Thread0 || !key.HasAddresses) return 0;
        if (kind == FlowHashKind.FourTuple && !key.IsFragment &&
            TryReadPorts(packet, transportOffset, out ushort source, out ushort destination))
            return FlowHash.IPv4FourTuple(key.SourceAddress, key.DestinationAddress, source, destination);
        return FlowHash.IPv4Addresses(key.SourceAddress, key.DestinationAddress);
    }

    /// <summary>
    /// Owner port of a connection between <paramref name="local"/> and <paramref name="remote"/> under a protocol's
    /// declared <paramref name="kind"/>; the same thread its packets hash to, since the key is symmetric.
    /// </summary>
    public MessagePort PortForFlowOfKind(FlowHashKind kind, in SockAddr local, in SockAddr remote)
    {
        if (kind == FlowHashKind.Thread0 || !local.IsIPv4 || !remote.IsIPv4) return Threads[0].Port;
        uint hash = kind == FlowHashKind.FourTuple
            ? FlowHash.IPv4FourTuple(remote.IPv4Address, local.IPv4Address, remote.Port, local.Port)
            : FlowHash.IPv4Addresses(remote.IPv4Address, local.IPv4Address);
        return Threads.PortForHash(hash);
    }

    /// <summary>Reads a 16-bit big-endian port pair at <paramref name="offset"/>, if present (TCP, UDP, SCTP lay ports first).</summary>
    protected static bool TryReadPorts(ReadOnlySpan<byte> packet, int offset, out ushort source, out ushort destination)
    {
        if ((uint)offset > (uint)packet.Length || packet.Length - offset < 4)
        {
            source = destination = 0;
            return false;
        }
        source = (ushort)(packet[offset] << 8 | packet[offset + 1]);
        destination = (ushort)(packet[offset + 2] << 8 | packet[offset + 3]);
        return true;
    }
}
