using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// TCP (RFC 9293), per CPU as DragonFly distributes it (dragonfly-netmp.md §5): a connection lives on the protocol
/// thread its 4-tuple hashes to, with its packets, requests and timers; listeners sit in every thread's table so a
/// passive open happens on the thread the SYN hashed to; an active open picks a port whose 4-tuple hashes to the
/// current thread, or migrates with the put-receipt port switch. Data moves through the socket's rings: the
/// application writes the send ring and the protocol releases only acknowledged bytes; in-order data goes to the
/// receive ring. The segment processing is in <see cref="TcpInput"/>, output in <see cref="TcpOutput"/>.
/// </summary>
[Protocol("tcp", ProtocolLayer.Transport, (int)IpProtocol.Tcp, FlowHash = FlowHashKind.FourTuple, SocketType = SocketType.Stream, IsDefaultForType = true)]
[RequiresProtocol(typeof(IPv4.IPv4))]
public static partial class Tcp
{
    /// <summary>IANA dynamic range (RFC 6335 §6) for connect's ports.</summary>
    private const int FirstEphemeral = 49152, LastEphemeral = 65535;

    private static TcpPcb Pcb(NetSocket socket) => (TcpPcb)socket.ProtocolControlBlock!;

    // ---------------- user requests (on the socket's home thread) ----------------

    [UserRequest(UserRequestKind.Attach)]
    public static Errno Attach(NetSocket socket)
    {
        socket.ProtocolControlBlock = new TcpPcb(socket.Stack, socket);
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Bind)]
    public static Errno Bind(NetSocket socket, in SockAddr address)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        if (pcb.Detached) return Errno.EINVAL;
        if (!address.IsIPv4) return Errno.EAFNOSUPPORT;
        if (pcb.LocalPort != 0 || pcb.State != TcpConnectionState.Closed) return Errno.EINVAL;
        var local = new IPv4Address(address.IPv4Address);
        if (local.IsMulticast) return Errno.EAFNOSUPPORT;
        if (!local.IsUnspecified && stack.State<InterfaceTable>().FindByAddress(local) is null) return Errno.EADDRNOTAVAIL;
        var state = stack.State<TcpState>();
        int thread = ProtocolContext.Thread(stack);
        ushort port = address.Port;
        if (port == 0)
        {
            port = state.Shards[thread].BindEphemeral();
            if (port == 0) return Errno.EADDRNOTAVAIL;
        }
        else
        {
            // Binds of one port are serialised on the port's thread, where a listener on it will live.
            int owner = PortShard.ShardOf(port, stack.Threads.Count);
            if (owner != thread) return socket.MigrateTo(stack.Threads[owner].Port);
            bool reuseAddress = (socket.Options & SocketOptionFlags.ReuseAddress) != 0;
            bool reusePort = (socket.Options & SocketOptionFlags.ReusePort) != 0;
            if (!state.Shards[thread].TryBind(port, reusePort, reuseAddress)) return Errno.EADDRINUSE;
        }
        pcb.LocalAddress = local.Value;
        pcb.LocalPort = port;
        pcb.HoldsPortBinding = true;
        pcb.Thread = thread;
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Listen)]
    public static Errno Listen(NetSocket socket, int backlog)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        if (pcb.Detached) return Errno.EINVAL;
        if (pcb.State == TcpConnectionState.Listen) return Errno.None;
        if (pcb.State != TcpConnectionState.Closed) return Errno.EINVAL;
        int thread = ProtocolContext.Thread(stack);
        var state = stack.State<TcpState>();
        if (pcb.LocalPort == 0)
        {
            ushort port = state.Shards[thread].BindEphemeral();
            if (port == 0) return Errno.EADDRNOTAVAIL;
            pcb.LocalPort = port;
            pcb.HoldsPortBinding = true;
        }
        if (state.Tables[thread].HasListener(new LocalEndpointKey(pcb.LocalAddress, pcb.LocalPort))) return Errno.EADDRINUSE;
        pcb.Thread = thread;
        pcb.State = TcpConnectionState.Listen;
        socket.Accepts = new AcceptQueue(backlog);
        socket.ChangeState(SocketStates.Listening);
        StartListenChange(stack, pcb, insert: true);
        return Errno.EJUSTRETURN; // answered by the chain's last thread
    }

    [UserRequest(UserRequestKind.Connect)]
    public static Errno Connect(NetSocket socket, in SockAddr address)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        if (pcb.Detached) return Errno.EINVAL;
        if (!address.IsIPv4) return Errno.EAFNOSUPPORT;
        if (address.Port == 0) return Errno.EADDRNOTAVAIL;
        switch (pcb.State)
        {
            case TcpConnectionState.Closed: break;
            case TcpConnectionState.SynSent or TcpConnectionState.SynReceived: return Errno.EALREADY;
            case TcpConnectionState.Listen: return Errno.EOPNOTSUPP;
            default: return Errno.EISCONN;
        }
        if ((socket.State & SocketStates.Disconnected) != 0) return Errno.EINVAL; // one connection per socket
        var state = stack.State<TcpState>();
        int thread = ProtocolContext.Thread(stack);
        var remote = new IPv4Address(address.IPv4Address);
        if (remote.IsUnspecified || remote.IsMulticast || stack.State<InterfaceTable>().IsBroadcast(remote)) return Errno.ENETUNREACH;

        if (pcb.ForeignPort == 0)
        {
            // First run, on the socket's home thread.
            if (!stack.State<InterfaceTable>().TryRoute(remote, out var route)) return Errno.ENETUNREACH;
            if (pcb.LocalAddress == 0) pcb.LocalAddress = route.Source.Value;
            if (pcb.HoldsPortBinding)
            {
                // An explicit bind: the 4-tuple is unique from here on; the shard reservation is released now, on its thread.
                state.Shards[thread].Release(pcb.LocalPort);
                pcb.HoldsPortBinding = false;
            }
            pcb.ForeignAddress = remote.Value;
            pcb.ForeignPort = address.Port;
            if (pcb.LocalPort == 0) PickConnectPort(stack, state, pcb, thread);
            var owner = stack.PortForFlow(socket.ProtocolIndex, SockAddr.IPv4(pcb.LocalAddress, pcb.LocalPort), address);
            if (!owner.IsOwnerThread) return socket.MigrateTo(owner); // tcp_connect: re-runs on the flow's thread
        }

        var table = state.Tables[thread];
        if (table.ContainsConnection(pcb.Key)) return Errno.EADDRINUSE;
        TcpLifecycle.CreateRings(pcb, socket);
        TcpLifecycle.Bind(pcb, thread);
        table.InsertConnection(pcb);
        uint iss = state.Isn.Next(pcb.LocalAddress, pcb.LocalPort, pcb.ForeignAddress, pcb.ForeignPort, TcpOutput.NowMicros(stack));
        pcb.InitialSendSequence = iss;
        pcb.SendUnacknowledged = pcb.SendNext = pcb.SendMax = pcb.LostBelow = iss;
        pcb.SendBufferBase = iss + 1;
        pcb.MaxSegmentSize = Math.Min(TcpOutput.LocalMss(stack, pcb), TcpSettings.DefaultMss);
        pcb.Congestion.Initialize(pcb.MaxSegmentSize);
        pcb.State = TcpConnectionState.SynSent;
        state.Counters.Increment(thread, TcpCounter.ActiveOpens);
        socket.ChangeState(SocketStates.Connecting);
        TcpOutput.Output(stack, state, pcb, thread);
        return Errno.None;
    }

    /// <summary>
    /// <c>in_pcbbind_remote</c>: a random ephemeral port, preferring (for up to 2 × threads tries) one whose 4-tuple
    /// hashes to this thread so the connection need not migrate, and never a 4-tuple this thread already has.
    /// </summary>
    private static bool PickConnectPort(NetStack stack, TcpState state, TcpPcb pcb, int thread)
    {
        var random = state.RandomFor(thread);
        int threads = stack.Threads.Count;
        var table = state.Tables[thread];
        for (int attempt = 0; attempt < 2 * threads; attempt++)
        {
            ushort candidate = (ushort)random.Next(FirstEphemeral, LastEphemeral + 1);
            uint hash = FlowHash.IPv4FourTuple(pcb.LocalAddress, pcb.ForeignAddress, candidate, pcb.ForeignPort);
            if (FlowHash.CpuOf(hash, threads) != thread) continue;
            if (table.ContainsConnection(new EndpointKey(pcb.LocalAddress, candidate, pcb.ForeignAddress, pcb.ForeignPort))) continue;
            pcb.LocalPort = candidate;
            return true;
        }
        // None hashed here: take one anyway and migrate; its thread checks the 4-tuple again.
        pcb.LocalPort = (ushort)random.Next(FirstEphemeral, LastEphemeral + 1);
        return true;
    }

    [UserRequest(UserRequestKind.Accept)]
    public static Errno Accept(NetSocket socket, out SockAddr peer)
    {
        var pcb = Pcb(socket);
        peer = SockAddr.IPv4(pcb.ForeignAddress, pcb.ForeignPort);
        return Errno.None;
    }

    /// <summary>
    /// The application wrote to the send ring or read from the receive ring (one coalesced posted request): send
    /// what can be sent and any window update. Data never travels in the request.
    /// </summary>
    [UserRequest(UserRequestKind.Send)]
    public static Errno Send(NetSocket socket, PacketBuffer? data, in SockAddr address, int flags)
    {
        if (data is not null)
        {
            // Only urgent data travels in the request (NetKitSocket.TrySendOutOfBand); ordinary data is in the ring.
            if ((flags & NetKitSocket.MessageFlagOutOfBand) == 0) return FreeAnd(data, Errno.EOPNOTSUPP);
            return SendUrgent(socket, data);
        }
        if (address.Family != 0) return Errno.EISCONN;
        socket.TakeOutputPost(); // before reading the rings: a later write posts again
        var pcb = Pcb(socket);
        if (pcb.State is TcpConnectionState.Closed or TcpConnectionState.Listen) return Errno.None;
        var stack = socket.Stack;
        // The reader took data while an ACK was being delayed: acknowledge now if a full segment is unacknowledged
        // (Linux's tcp_cleanup_rbuf), or a sender limited by its window would sit out the delayed-ACK timer.
        if (pcb.Timers is { } timers && timers.IsActive(TcpTimers.DelayedAck) && (int)(pcb.ReceiveNext - pcb.LastAckSent) >= pcb.MaxSegmentSize)
            pcb.AckNow = true;
        // Room made by the reader may let held out-of-order data in, if a gap was filled while the ring was full.
        if (pcb.OutOfOrder is { IsEmpty: false } queue && pcb.ReceiveRing is { } ring)
        {
            uint next = pcb.ReceiveNext;
            if (queue.DeliverTo(ref next, ring) > 0)
            {
                pcb.ReceiveNext = next;
                pcb.AckNow = true;
            }
        }
        TcpOutput.Output(stack, stack.State<TcpState>(), pcb, pcb.Thread);
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Shutdown)]
    public static Errno Shutdown(NetSocket socket)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        var state = stack.State<TcpState>();
        socket.ChangeState(SocketStates.CantSendMore);
        switch (pcb.State)
        {
            case TcpConnectionState.Closed or TcpConnectionState.Listen:
                return Errno.ENOTCONN;
            case TcpConnectionState.SynSent:
                TcpLifecycle.Close(state, pcb);
                return Errno.None;
            case TcpConnectionState.SynReceived or TcpConnectionState.Established or TcpConnectionState.CloseWait:
                QueueFin(pcb);
                break;
            default:
                return Errno.None; // already closing
        }
        TcpOutput.Output(stack, state, pcb, pcb.Thread);
        return Errno.None;
    }

    [UserRequest(UserRequestKind.Abort)]
    public static Errno Abort(NetSocket socket)
    {
        var pcb = Pcb(socket);
        var state = socket.Stack.State<TcpState>();
        TcpLifecycle.Drop(state, pcb, Errno.ECONNABORTED);
        return Errno.None;
    }

    /// <summary>
    /// close(): a listener leaves every table; a connection sends its FIN after the data still in its send ring
    /// and finishes on its own (an orphan in FIN-WAIT-2 gives up after 2 MSL). Unread received data, or SO_LINGER
    /// with a zero timeout, resets the connection instead (RFC 9293 §3.10.4, Linux's behaviour).
    /// </summary>
    [UserRequest(UserRequestKind.Detach)]
    public static Errno Detach(NetSocket socket)
    {
        var pcb = Pcb(socket);
        var stack = socket.Stack;
        var state = stack.State<TcpState>();
        if (pcb.Detached) return Errno.None;
        pcb.Detached = true;
        pcb.Socket = null;
        socket.ChangeState(SocketStates.CantSendMore | SocketStates.CantReceiveMore);
        switch (pcb.State)
        {
            case TcpConnectionState.Listen:
                pcb.State = TcpConnectionState.Closed;
                if (pcb.HoldsPortBinding) state.Shards[pcb.Thread].Release(pcb.LocalPort);
                pcb.HoldsPortBinding = false;
                // The accept queue is closed by the application side once this returns (it resets what is queued).
                StartListenChange(stack, pcb, insert: false);
                return Errno.EJUSTRETURN;
            case TcpConnectionState.Closed:
                if (pcb.HoldsPortBinding && state.Shards[ProtocolContext.Thread(stack)].Owns(pcb.LocalPort))
                    state.Shards[ProtocolContext.Thread(stack)].Release(pcb.LocalPort);
                pcb.HoldsPortBinding = false;
                return Errno.None;
            case TcpConnectionState.SynSent:
                TcpLifecycle.Close(state, pcb);
                return Errno.None;
        }
        bool unread = pcb.ReceiveRing is { } ring && ring.ReadableCount > 0;
        var linger = socket.Linger;
        if (unread || (linger.On && linger.Seconds == 0))
        {
            TcpLifecycle.Drop(state, pcb, Errno.ECONNABORTED);
            return Errno.None;
        }
        pcb.ReceiveRing?.CompleteReading();
        if (pcb.State is TcpConnectionState.SynReceived or TcpConnectionState.Established or TcpConnectionState.CloseWait) QueueFin(pcb);
        if (pcb.State == TcpConnectionState.FinWait2) pcb.Timers!.Reset(TcpTimers.TimeWait, TcpTimers.Micros(state.TimeWaitMicros));
        TcpOutput.Output(stack, state, pcb, pcb.Thread);
        return Errno.None;
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
        bool connected = pcb.ForeignPort != 0 && pcb.State != TcpConnectionState.Listen;
        address = connected ? SockAddr.IPv4(pcb.ForeignAddress, pcb.ForeignPort) : default;
        return connected ? Errno.None : Errno.ENOTCONN;
    }

    /// <summary>Socket-level changes: SO_KEEPALIVE starts or stops the keepalive timer; other untyped options are unknown.</summary>
    [UserRequest(UserRequestKind.ControlOutput)]
    public static Errno ControlOutput(NetSocket socket, ref SocketOption option)
    {
        if (!option.IsNotification) return Errno.ENOPROTOOPT;
        var pcb = Pcb(socket);
        bool keepAlive = (socket.Options & SocketOptionFlags.KeepAlive) != 0;
        if (keepAlive != pcb.KeepAlive)
        {
            pcb.KeepAlive = keepAlive;
            if (pcb.Timers is { } timers && pcb.State == TcpConnectionState.Established)
            {
                if (keepAlive) timers.Reset(TcpTimers.Keepalive, TcpTimers.Micros(pcb.KeepIdleSeconds * 1_000_000L));
                else timers.Stop(TcpTimers.Keepalive);
            }
        }
        return Errno.None;
    }

    // ---------------- packets ----------------

    [PacketInput]
    public static void Input(NetStack stack, PacketBuffer packet, int offset) => TcpInput.Input(stack, packet, offset);

    /// <summary>
    /// <c>tcp_usr_send</c> with PRUS_OOB: the byte joins the stream and SND.UP points past it (the BSD convention),
    /// so every segment up to it carries URG until it is acknowledged.
    /// </summary>
    private static Errno SendUrgent(NetSocket socket, PacketBuffer data)
    {
        var pcb = Pcb(socket);
        if (pcb.State is not (TcpConnectionState.Established or TcpConnectionState.CloseWait) || pcb.FinRequested)
            return FreeAnd(data, pcb.IsSynchronized ? Errno.EPIPE : Errno.ENOTCONN);
        var ring = pcb.SendRing!;
        if (ring.Write(data.Data) != data.Length) return FreeAnd(data, Errno.EAGAIN); // no room (nothing written: Write is all or part; 1 byte)
        data.Free();
        pcb.SendUrgentPointer = pcb.SendBufferBase + (uint)ring.ReadableCount;
        pcb.UrgentPending = true;
        var stack = socket.Stack;
        TcpOutput.Output(stack, stack.State<TcpState>(), pcb, pcb.Thread);
        return Errno.None;
    }

    private static Errno FreeAnd(PacketBuffer data, Errno error)
    {
        data.Free();
        return error;
    }

    // ---------------- helpers ----------------

    /// <summary>
    /// Our FIN follows the data still in the send ring (RFC 9293 §3.10.4 CLOSE): ESTABLISHED → FIN-WAIT-1,
    /// CLOSE-WAIT → LAST-ACK; from SYN-RECEIVED it goes once the handshake completes.
    /// </summary>
    private static void QueueFin(TcpPcb pcb)
    {
        pcb.FinRequested = true;
        if (pcb.State == TcpConnectionState.Established) pcb.State = TcpConnectionState.FinWait1;
        else if (pcb.State == TcpConnectionState.CloseWait) pcb.State = TcpConnectionState.LastAck;
    }

    private static void StartListenChange(NetStack stack, TcpPcb listener, bool insert)
    {
        var change = stack.State<TcpState>().Chains.Rent();
        change.Stack = stack;
        change.Listener = listener;
        change.Insert = insert;
        change.Request = SocketRequest.Current;
        unsafe { change.Handler = TcpListenChange.Handler0; }
        change.Flags = MessageFlags.IgnoreHome;
        SocketRequest.Current = null;
        stack.Threads[0].Port.Send(change);
    }
}
