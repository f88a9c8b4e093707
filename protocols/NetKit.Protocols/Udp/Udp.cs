using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Icmp;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.SocketBuffers;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Udp;

/// <summary>
/// UDP, per CPU as DragonFly built it (dragonfly-netmp.md §6). Every protocol thread has its own pcb table and port
/// shard. A bound, unconnected socket lives on its local port's thread (<c>port % threads</c>) and sits in every
/// thread's wildcard table, so a datagram hashed to any thread finds it; each thread writes only its own lane of the
/// socket's receive queue. A connected socket moves to its 4-tuple's thread. Output always runs on the flow's thread:
/// a send from elsewhere is forwarded there (<c>udp_send_redispatch</c>). A full receive queue drops and counts; a
/// protocol thread never blocks.
/// </summary>
[Protocol("udp", ProtocolLayer.Transport, (int)IpProtocol.Udp, FlowHash = FlowHashKind.FourTuple, SocketType = SocketType.Datagram, IsDefaultForType = true)]
[RequiresProtocol(typeof(IPv4.IPv4))]
public static partial class Udp
{
    /// <summary>Largest payload: 65535 − 20 (IP) − 8 (UDP).</summary>
    public const int MaxPayload = 65507;

    /// <summary>Set on a request that a table chain sends back home: its handler finishes instead of starting over.</summary>
    private const MessageFlags Resumed = MessageFlags.Protocol0;

    /// <summary>Set on a send forwarded to its flow's thread: it carries the resolved 4-tuple and only runs output there.</summary>
    private const MessageFlags FlowOutput = MessageFlags.Protocol1;

    private static UdpPcb Pcb(NetSocket socket) => (UdpPcb)socket.ProtocolControlBlock!;

    private static bool TakeResumed(SocketRequest? request)
    {
        if (request is null || (request.Flags & Resumed) == 0) return false;
        request.Flags &= ~Resumed;
        return true;
    }

    // ---------------- user requests (on the socket's home thread) ----------------

    [UserRequest(UserRequestKind.Attach)]
    public static Errno Attach(NetSocket socket)
    {
        int threads = socket.Stack.Threads.Count;
        socket.ProtocolControlBlock = new UdpPcb(socket);
        // Each thread's ring is sized from SO_RCVBUF when that thread first delivers to the socket.
        // so any datagram that fits SO_RCVBUF fits one thread's ring (a ring holds records of up to half its size).
        socket.Datagrams = new DatagramReceiveQueue(threads, () => Math.Max(
            Math.Max(4096, socket.ReceiveBufferSize / threads),
            2 * RecordRing<SockAddr>.RecordSize(Math.Min(socket.ReceiveBufferSize, MaxPayload))));
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Bind)]
    public static Errno Bind(NetSocket socket, in SockAddr address)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        if (pcb.Detached) return Errno.EINVAL;
        if (TakeResumed(SocketRequest.Current)) return Errno.None; // every thread now has the wildcard entry
        if (!address.IsIPv4) return Errno.EAFNOSUPPORT;
        if (pcb.IsBound) return Errno.EINVAL;
        var local = new IPv4Address(address.IPv4Address);
        if (!local.IsUnspecified && stack.State<InterfaceTable>().FindByAddress(local) is null) return Errno.EADDRNOTAVAIL;
        var state = stack.State<UdpState>();
        int thread = ProtocolContext.Thread(stack);
        ushort port = address.Port;
        bool reusePort = (socket.Options & SocketOptionFlags.ReusePort) != 0;
        bool reuseAddress = (socket.Options & SocketOptionFlags.ReuseAddress) != 0;
        if (port == 0)
        {
            port = state.Shards[thread].BindEphemeral();
            if (port == 0) return Errno.EADDRNOTAVAIL;
        }
        else
        {
            // Binds of one port are serialised on the port's thread, which is also where the socket will live.
            int owner = PortShard.ShardOf(port, stack.Threads.Count);
            if (owner != thread) return socket.MigrateTo(stack.Threads[owner].Port);
            if (!state.Shards[thread].TryBind(port, reusePort, reuseAddress)) return Errno.EADDRINUSE;
        }
        pcb.LocalAddress = local.Value;
        pcb.LocalPort = port;
        pcb.ReusePort = reusePort;
        pcb.ReuseAddress = reuseAddress;
        if (reusePort) pcb.LocalGroupIndex = state.Tables[thread].Group(pcb.LocalKey)?.NextFreeIndex() ?? 0;
        return InsertWildcard(socket, pcb);
    }

    [UserRequest(UserRequestKind.Connect)]
    public static Errno Connect(NetSocket socket, in SockAddr address)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        if (!address.IsIPv4) return Errno.EAFNOSUPPORT;
        if (address.Port == 0) return Errno.EADDRNOTAVAIL;
        var state = stack.State<UdpState>();
        int thread = ProtocolContext.Thread(stack);
        var remote = new IPv4Address(address.IPv4Address);
        if (pcb.Detached) return Errno.EINVAL;
        TakeResumed(SocketRequest.Current);
        var interfaces = stack.State<InterfaceTable>();
        // Refuse what cannot work before leaving the wildcard tables, so a failed connect keeps a server receiving.
        if (!interfaces.TryRoute(remote, out var route)) return Errno.ENETUNREACH;

        if (pcb.IsConnected)
        {
            // Reconnect (or a connect resumed after migrating): leave the old 4-tuple first; the socket's home is its thread.
            state.Tables[thread].RemoveConnected(pcb);
            pcb.ForeignAddress = 0;
            pcb.ForeignPort = 0;
        }
        if (pcb.Wildcarded) return RemoveWildcard(socket, pcb); // resumes here once no thread holds it as a wildcard
        if (!pcb.IsBound)
        {
            ushort port = state.Shards[thread].BindEphemeral();
            if (port == 0) return Errno.EADDRNOTAVAIL;
            pcb.LocalPort = port;
        }
        if (pcb.LocalAddress == 0) pcb.LocalAddress = route.Source.Value;
        pcb.ForeignAddress = remote.Value;
        pcb.ForeignPort = address.Port;
        var owner = stack.PortForFlow(socket.ProtocolIndex, SockAddr.IPv4(pcb.LocalAddress, pcb.LocalPort), address);
        if (!owner.IsOwnerThread) return socket.MigrateTo(owner); // udp_connect: the pcb moves with the request
        if (!state.Tables[thread].InsertConnected(pcb))
        {
            // The 4-tuple is taken: stay a bound, unconnected socket, back in every wildcard table, and say why.
            pcb.ForeignAddress = 0;
            pcb.ForeignPort = 0;
            return InsertWildcard(socket, pcb, Errno.EADDRINUSE);
        }
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Disconnect)]
    public static Errno Disconnect(NetSocket socket)
    {
        var pcb = Pcb(socket);
        if (pcb.Detached) return Errno.EINVAL;
        if (TakeResumed(SocketRequest.Current)) return Errno.None; // back in every wildcard table
        if (!pcb.IsConnected) return Errno.ENOTCONN;
        var state = socket.Stack.State<UdpState>();
        state.Tables[ProtocolContext.Thread(socket.Stack)].RemoveConnected(pcb);
        pcb.ForeignAddress = 0;
        pcb.ForeignPort = 0;
        return InsertWildcard(socket, pcb); // back to receiving from anyone on its port
    }

    [UserRequest(UserRequestKind.Shutdown)]
    public static Errno Shutdown(NetSocket socket)
    {
        Pcb(socket).SendShutdown = true;
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Detach)]
    public static unsafe Errno Detach(NetSocket socket)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        var state = stack.State<UdpState>();
        pcb.Detached = true; // any request still to run for this socket (a resumed bind, a migrating connect) refuses
        socket.Datagrams?.CompleteWriting();
        if (pcb.IsConnected) state.Tables[ProtocolContext.Thread(stack)].RemoveConnected(pcb);
        pcb.Wildcarded = false;
        if (!pcb.IsBound) return Errno.None;
        // Every thread drops its wildcard entry; the port's thread frees the port; the last one replies.
        StartChain(socket, pcb, UdpTableChange.Operation.Detach, Errno.None);
        return Errno.EJUSTRETURN;
    }

    [UserRequest(UserRequestKind.SocketAddress)]
    public static Errno SocketAddress(NetSocket socket, out SockAddr address)
    {
        var pcb = Pcb(socket);
        address = SockAddr.IPv4(pcb.LocalAddress, pcb.LocalPort);
        return Errno.None;
    }

    [UserRequest(UserRequestKind.PeerAddress)]
    public static Errno PeerAddress(NetSocket socket, out SockAddr address)
    {
        var pcb = Pcb(socket);
        address = pcb.IsConnected ? SockAddr.IPv4(pcb.ForeignAddress, pcb.ForeignPort) : default;
        return pcb.IsConnected ? Errno.None : Errno.ENOTCONN;
    }

    /// <summary>Socket-level changes need nothing from UDP; other untyped options are unknown.</summary>
    [UserRequest(UserRequestKind.ControlOutput)]
    public static Errno ControlOutput(NetSocket socket, ref SocketOption option)
    {
        _ = socket;
        return option.IsNotification ? Errno.None : Errno.ENOPROTOOPT;
    }

    /// <summary>
    /// <c>udp_send</c>: takes <paramref name="data"/> (the payload, with headroom) over. Binds implicitly on first
    /// use, then runs the output on the flow's thread, forwarding itself there when that is not this one.
    /// </summary>
    [UserRequest(UserRequestKind.Send)]
    public static Errno Send(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags)
    {
        _ = flags;
        var stack = socket.Stack;
        var state = stack.State<UdpState>();
        int thread = ProtocolContext.Thread(stack);
        var request = SocketRequest.Current ?? throw new InvalidOperationException("UDP send runs as a socket request.");
        if (data is null) return Errno.EINVAL;
        // A send forwarded here by its home thread: the 4-tuple travelled in the request; the pcb is not touched.
        if ((request.Flags & FlowOutput) != 0) return OutputCarried(stack, state, thread, request, data);
        var pcb = Pcb(socket);
        if (pcb.Detached) return Free(data, Errno.EINVAL);
        TakeResumed(request);
        if (pcb.SendShutdown) return Free(data, Errno.EPIPE);
        IPv4Address destination;
        ushort destinationPort;
        if (address.Family != 0)
        {
            if (pcb.IsConnected) return Free(data, Errno.EISCONN);
            if (!address.IsIPv4) return Free(data, Errno.EAFNOSUPPORT);
            if (address.Port == 0) return Free(data, Errno.EINVAL);
            destination = new IPv4Address(address.IPv4Address);
            destinationPort = address.Port;
        }
        else
        {
            if (!pcb.IsConnected) return Free(data, Errno.EDESTADDRREQ);
            destination = new IPv4Address(pcb.ForeignAddress);
            destinationPort = pcb.ForeignPort;
        }
        if (stack.State<InterfaceTable>().IsBroadcast(destination) && (socket.Options & SocketOptionFlags.Broadcast) == 0)
            return Free(data, Errno.EACCES);
        int payloadLength = Chains.Length(data);
        if (payloadLength > MaxPayload) return Free(data, Errno.EMSGSIZE);

        if (!pcb.IsBound)
        {
            // Implicit bind on first send: a port from this thread's shard, then into every wildcard table; the send
            // resumes here when that is done (DragonFly MSGF_UDP_SEND).
            ushort port = state.Shards[thread].BindEphemeral();
            if (port == 0) return Free(data, Errno.EADDRNOTAVAIL);
            pcb.LocalPort = port;
            request.Data = data;
            return InsertWildcard(socket, pcb);
        }

        var source = new IPv4Address(pcb.LocalAddress);
        if (source.IsUnspecified)
        {
            if (!stack.State<InterfaceTable>().TryRoute(destination, out var route)) return Free(data, Errno.ENETUNREACH);
            source = route.Source;
        }
        // Output runs on the flow's thread, so a flow's input and output share one CPU (DragonFly 1fe8db06).
        uint hash = FlowHash.IPv4FourTuple(source.Value, destination.Value, pcb.LocalPort, destinationPort);
        int flowThread = FlowHash.CpuOf(hash, stack.Threads.Count);
        if (flowThread != thread)
        {
            state.Counters.Increment(thread, UdpCounter.Redispatched);
            request.Data = data;
            request.Scratch0 = (long)source.Value << 32 | destination.Value;
            request.Scratch1 = (long)pcb.LocalPort << 48 | (long)destinationPort << 32 | (long)pcb.TimeToLive << 8 | pcb.TypeOfService;
            request.Flags |= FlowOutput | MessageFlags.IgnoreHome;
            SocketRequest.Current = null;
            request.Forward(stack.Threads[flowThread].Port);
            return Errno.EJUSTRETURN;
        }
        return Output(stack, state, thread, data, source, destination, pcb.LocalPort, destinationPort, pcb.TimeToLive, pcb.TypeOfService);
    }

    private static Errno OutputCarried(NetStack stack, UdpState state, int thread, SocketRequest request, PacketBuffer data)
    {
        var source = new IPv4Address((uint)(request.Scratch0 >> 32));
        var destination = new IPv4Address((uint)request.Scratch0);
        long ports = request.Scratch1;
        return Output(stack, state, thread, data, source, destination, (ushort)(ports >> 48), (ushort)(ports >> 32),
            (byte)(ports >> 8), (byte)ports);
    }

    /// <summary>Builds the UDP header (checksum over a chain too) and hands the datagram to IPv4, on the flow's thread.</summary>
    private static Errno Output(NetStack stack, UdpState state, int thread, PacketBuffer data, IPv4Address source,
        IPv4Address destination, ushort sourcePort, ushort destinationPort, byte timeToLive, byte typeOfService)
    {
        int payloadLength = Chains.Length(data);
        if (data.Headroom < UdpDatagram.HeaderLength) return Free(data, Errno.ENOBUFS);
        var header = data.Prepend(UdpDatagram.HeaderLength);
        var repr = new UdpRepr(sourcePort, destinationPort, payloadLength);
        if (data.Next is null)
        {
            repr.Emit(data.Data, source, destination);
        }
        else
        {
            var datagram = UdpDatagram.CreateUnchecked(header);
            datagram.SourcePort = repr.SourcePort;
            datagram.DestinationPort = repr.DestinationPort;
            datagram.Length = (ushort)repr.BufferLength;
            datagram.Checksum = ChainChecksum(data, source, destination, repr.BufferLength);
        }
        var error = IPv4.IPv4.Output(stack, data, source, destination, IpProtocol.Udp, timeToLive, typeOfService);
        state.Counters.Increment(thread, error == Errno.None ? UdpCounter.Sent : UdpCounter.SendErrors);
        return error;
    }

    // ---------------- packets ----------------

    [PacketInput]
    public static void Input(NetStack stack, PacketBuffer packet, int offset)
    {
        var state = stack.State<UdpState>();
        var counters = state.Counters;
        int thread = ProtocolContext.Thread(stack);
        var ip = IPv4Packet.CreateUnchecked(packet.Data.Slice(packet.NetworkOffset));
        var source = ip.Source;
        var destination = ip.Destination;
        counters.Increment(thread, UdpCounter.Received);

        ReadOnlySpan<byte> datagram = packet.Data.Slice(offset);
        if (packet.Next is not null)
        {
            // A reassembled datagram spanning buffers: linearise it once into this thread's scratch buffer.
            var scratch = state.Scratch(thread);
            int length = CopyChain(packet, offset, scratch);
            datagram = scratch.AsSpan(0, length);
        }
        if (datagram.Length < UdpDatagram.HeaderLength)
        {
            Drop(packet, counters, thread, UdpCounter.Truncated);
            return;
        }
        int udpLength = datagram[4] << 8 | datagram[5];
        if (udpLength < UdpDatagram.HeaderLength || udpLength > datagram.Length)
        {
            Drop(packet, counters, thread, UdpCounter.BadLength);
            return;
        }
        datagram = datagram[..udpLength];
        ushort checksum = (ushort)(datagram[6] << 8 | datagram[7]);
        // Zero: the sender computed none (RFC 768). Verified: the device vouched for it (or the sender is on this host).
        if (checksum != 0 && packet.ChecksumState != ChecksumState.Verified && !ChecksumValid(datagram, source, destination))
        {
            Drop(packet, counters, thread, UdpCounter.BadChecksum);
            return;
        }
        ushort sourcePort = (ushort)(datagram[0] << 8 | datagram[1]);
        ushort destinationPort = (ushort)(datagram[2] << 8 | datagram[3]);
        uint hash = packet.HasFlowHash ? packet.FlowHash : FlowHash.IPv4FourTuple(source.Value, destination.Value, sourcePort, destinationPort);
        var pcb = state.Tables[thread].Lookup(source.Value, sourcePort, destination.Value, destinationPort, hash);
        if (pcb?.Socket is { DatagramHandler: { } handler } served)
        {
            Serve(stack, counters, thread, handler, served, datagram[UdpDatagram.HeaderLength..], source, sourcePort, destination, destinationPort);
            packet.Free();
            return;
        }
        if (pcb?.Socket?.Datagrams is not { } queue)
        {
            if (destination.IsMulticast || stack.State<InterfaceTable>().IsBroadcast(destination))
            {
                Drop(packet, counters, thread, UdpCounter.NoPortBroadcast);
                return;
            }
            counters.Increment(thread, UdpCounter.NoPort);
            Icmp.Icmp.SendUnreachable(stack, packet, IcmpV4UnreachableCode.PortUnreachable);
            packet.Free();
            return;
        }
        if (queue.TryWrite(thread, SockAddr.IPv4(source.Value, sourcePort), datagram[UdpDatagram.HeaderLength..]))
            counters.Increment(thread, UdpCounter.Delivered);
        else
            counters.Increment(thread, UdpCounter.FullSocket);
        packet.Free();
    }

    /// <summary>Runs the socket's run-to-completion handler on this thread; a handler fault is counted, never fatal.</summary>
    private static unsafe void Serve(NetStack stack, Runtime.Diagnostics.CounterSet<UdpCounter> counters, int thread,
        IDatagramHandler handler, NetSocket socket, ReadOnlySpan<byte> payload, IPv4Address source, ushort sourcePort,
        IPv4Address destination, ushort destinationPort)
    {
        var reply = new DatagramReply(stack, socket, SockAddr.IPv4(destination.Value, destinationPort),
            SockAddr.IPv4(source.Value, sourcePort), thread, &SendReply);
        try
        {
            handler.OnDatagram(payload, in reply);
            counters.Increment(thread, UdpCounter.Served);
        }
        catch (Exception)
        {
            counters.Increment(thread, UdpCounter.HandlerFaults);
        }
    }

    /// <summary>
    /// A handler's reply: built in this thread's buffers and output here. The 4-tuple is the request's reversed, so
    /// with the symmetric hash it is this thread's flow; a reply to a broadcast takes the route's source address.
    /// </summary>
    private static Errno SendReply(in DatagramReply reply, ReadOnlySpan<byte> payload)
    {
        var stack = reply.Stack;
        var state = stack.State<UdpState>();
        int thread = reply.Thread;
        if (payload.Length > MaxPayload) return Errno.EMSGSIZE;
        if (reply.Socket.ProtocolControlBlock is not UdpPcb pcb || pcb.Detached) return Errno.EBADF;
        var destination = new IPv4Address(reply.Remote.IPv4Address);
        var source = new IPv4Address(reply.Local.IPv4Address);
        var interfaces = stack.State<InterfaceTable>();
        if (source.IsMulticast || interfaces.IsBroadcast(source))
        {
            if (!interfaces.TryRoute(destination, out var route)) return Errno.ENETUNREACH;
            source = route.Source;
        }
        var pool = ProtocolThread.Current!.Buffers;
        var data = pool.TryRentChain(payload.Length, pool.Options.DefaultHeadroom);
        if (data is null)
        {
            state.Counters.Increment(thread, UdpCounter.SendErrors);
            return Errno.ENOBUFS;
        }
        data.CopyIntoChain(payload);
        return Output(stack, state, thread, data, source, destination, reply.Local.Port, reply.Remote.Port, pcb.TimeToLive, pcb.TypeOfService);
    }

    /// <summary>An ICMP error about one of our datagrams: a connected socket gets it as its pending error (<c>udp_ctlinput</c>).</summary>
    [ControlInput]
    public static void ControlInput(NetStack stack, ControlCommand command, PacketBuffer packet, int offset)
    {
        var state = stack.State<UdpState>();
        int thread = ProtocolContext.Thread(stack);
        state.Counters.Increment(thread, UdpCounter.ControlInputs);
        var data = packet.Data.Slice(offset);
        if (data.Length < IPv4Packet.MinHeaderLength) return;
        int headerLength = (data[0] & 0x0F) * 4;
        if (headerLength < IPv4Packet.MinHeaderLength || data.Length < headerLength + 4) return;
        uint quotedSource = (uint)(data[12] << 24 | data[13] << 16 | data[14] << 8 | data[15]);
        uint quotedDestination = (uint)(data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19]);
        ushort quotedSourcePort = (ushort)(data[headerLength] << 8 | data[headerLength + 1]);
        ushort quotedDestinationPort = (ushort)(data[headerLength + 2] << 8 | data[headerLength + 3]);
        // The quoted datagram went from us to them: look it up as their reply would arrive.
        var pcb = state.Tables[thread].Lookup(quotedDestination, quotedDestinationPort, quotedSource, quotedSourcePort, 0);
        if (pcb is null || !pcb.IsConnected || pcb.Socket is null) return;
        var error = command switch
        {
            ControlCommand.PortUnreachable or ControlCommand.ProtocolUnreachable => Errno.ECONNREFUSED,
            ControlCommand.HostUnreachable or ControlCommand.HostDead => Errno.EHOSTUNREACH,
            ControlCommand.NetUnreachable => Errno.ENETUNREACH,
            ControlCommand.MessageSize => Errno.EMSGSIZE,
            ControlCommand.TimeExceeded => Errno.EHOSTUNREACH,
            _ => Errno.None,
        };
        if (error == Errno.None) return;
        pcb.Socket.SetError(error);
        pcb.Socket.Datagrams?.Wake();
    }

    // ---------------- helpers ----------------

    private static Errno InsertWildcard(NetSocket socket, UdpPcb pcb, Errno result = Errno.None)
    {
        var stack = socket.Stack;
        pcb.Wildcarded = true;
        if (stack.Threads.Count == 1)
        {
            stack.State<UdpState>().Tables[0].InsertWildcard(pcb);
            return result != Errno.None ? result : ResumeInline(socket);
        }
        StartChain(socket, pcb, UdpTableChange.Operation.InsertWildcard, result);
        return Errno.EJUSTRETURN;
    }

    private static Errno RemoveWildcard(NetSocket socket, UdpPcb pcb)
    {
        var stack = socket.Stack;
        pcb.Wildcarded = false;
        if (stack.Threads.Count == 1)
        {
            stack.State<UdpState>().Tables[0].RemoveWildcard(pcb);
            return ResumeInline(socket);
        }
        StartChain(socket, pcb, UdpTableChange.Operation.RemoveWildcard, Errno.None);
        return Errno.EJUSTRETURN;
    }

    /// <summary>With one thread the change is done at once: re-run the request's handler now, as the chain would.</summary>
    private static Errno ResumeInline(NetSocket socket)
    {
        var request = SocketRequest.Current;
        if (request is null) return Errno.None;
        SocketRequest.Current = null;
        request.Flags |= Resumed;
        request.Forward(socket.Home.Port);
        return Errno.EJUSTRETURN;
    }

    private static void StartChain(NetSocket socket, UdpPcb pcb, UdpTableChange.Operation operation, Errno result)
    {
        var stack = socket.Stack;
        var change = stack.State<UdpState>().Chains.Rent();
        change.Stack = stack;
        change.Pcb = pcb;
        change.Op = operation;
        change.Request = SocketRequest.Current;
        change.Result = result;
        unsafe { change.Handler = UdpTableChange.Handler0; }
        change.Flags = MessageFlags.IgnoreHome;
        SocketRequest.Current = null;
        stack.Threads[0].Port.Send(change);
    }

    private static Errno Free(PacketBuffer data, Errno error)
    {
        data.Free();
        return error;
    }

    private static void Drop(PacketBuffer packet, Runtime.Diagnostics.CounterSet<UdpCounter> counters, int thread, UdpCounter reason)
    {
        counters.Increment(thread, reason);
        packet.Free();
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> datagram, IPv4Address source, IPv4Address destination)
    {
        var sum = new ChecksumAccumulator();
        sum.AddPartialSum(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocol.Udp, (ushort)datagram.Length));
        sum.Add(datagram);
        return sum.Checksum == 0;
    }

    private static ushort ChainChecksum(PacketBuffer data, IPv4Address source, IPv4Address destination, int length)
    {
        data.Data[6] = 0;
        data.Data[7] = 0;
        ushort checksum = Checksums.PseudoHeaderChain(data, source, destination, IpProtocol.Udp, length);
        return checksum == 0 ? (ushort)0xFFFF : checksum; // RFC 768: a computed zero is sent as all ones
    }

    private static int CopyChain(PacketBuffer packet, int offset, byte[] destination)
    {
        int written = 0;
        var first = packet.Data.Slice(offset);
        first.CopyTo(destination);
        written += first.Length;
        for (var b = packet.Next; b is not null && written < destination.Length; b = b.Next)
        {
            var piece = b.Data;
            int take = Math.Min(piece.Length, destination.Length - written);
            piece[..take].CopyTo(destination.AsSpan(written));
            written += take;
        }
        return written;
    }
}
