using System;
using NetKit.Runtime;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.Tcp;

/// <summary>How a connection is set up and torn down on its owner thread (<c>tcp_attach</c>, <c>tcp_close</c>, <c>tcp_drop</c>).</summary>
internal static class TcpLifecycle
{
    /// <summary>Gives a socket its rings, sized by SO_SNDBUF/SO_RCVBUF at the moment the connection starts.</summary>
    public static void CreateRings(TcpPcb pcb, NetSocket socket)
    {
        socket.AttachStreamBuffers(socket.SendBufferSize, socket.ReceiveBufferSize);
        pcb.SendRing = socket.SendBuffer;
        pcb.ReceiveRing = socket.ReceiveBuffer;
        pcb.BufferOwner = socket;
        pcb.ReceiveScale = WindowScaleFor(pcb.ReceiveRing!.Capacity);
    }

    /// <summary>The smallest window scale that can advertise a whole receive ring of <paramref name="capacity"/> bytes (RFC 7323 §2.2).</summary>
    public static byte WindowScaleFor(int capacity)
    {
        long size = System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 64)); // rings are powers of two
        int scale = 0;
        while (scale < TcpSettings.MaxWindowScale && (65535L << scale) < size) scale++;
        return (byte)scale;
    }

    /// <summary>Puts a pcb into its thread's service: owner, timers, and the clocks its timers read.</summary>
    public static void Bind(TcpPcb pcb, int thread)
    {
        pcb.Thread = thread;
        var offloads = pcb.Stack.State<Interfaces.InterfaceTable>().TryRoute(new Wire.IPv4Address(pcb.ForeignAddress), out var route)
            ? route.Interface.Device.Offloads : Runtime.Devices.DeviceOffloads.None;
        pcb.ChecksumOffload = (offloads & Runtime.Devices.DeviceOffloads.TransmitChecksum) != 0;
        // TSO rides on checksum offload: every segment the device cuts needs its own checksum.
        pcb.SegmentOffloadLimit = pcb.ChecksumOffload && (offloads & Runtime.Devices.DeviceOffloads.TcpSegmentation) != 0
            ? TcpSettings.SegmentOffloadMaxPayload : 0;
        pcb.Timers ??= TcpTimers.Create(pcb);
        long now = TcpOutput.NowMicros(pcb.Stack);
        pcb.LastActivityMicros = now;
        pcb.LastReceivedMicros = now;
    }

    /// <summary>SYN-SENT or SYN-RECEIVED → ESTABLISHED: the socket connects, a passive one joins its listener's accept queue.</summary>
    public static void Establish(TcpState state, TcpPcb pcb)
    {
        pcb.State = TcpConnectionState.Established;
        pcb.RetransmitShift = 0;
        state.Counters.Increment(pcb.Thread, TcpCounter.ConnectionsEstablished);
        if (pcb.KeepAlive) pcb.Timers!.Reset(TcpTimers.Keepalive, TcpTimers.Micros(pcb.KeepIdleSeconds * 1_000_000L));
        var socket = pcb.Socket;
        if (socket is null) return;
        socket.ChangeState(SocketStates.Connected, SocketStates.Connecting);
        if (pcb.ListenerQueue is { } queue)
        {
            pcb.ListenerQueue = null;
            if (!queue.Enqueue(socket)) Drop(state, pcb, Errno.ECONNABORTED); // the listener closed meanwhile
        }
    }

    /// <summary><c>tcp_drop</c>: reset a synchronized connection, report <paramref name="error"/> on the socket, close.</summary>
    public static void Drop(TcpState state, TcpPcb pcb, Errno error)
    {
        if (pcb.State == TcpConnectionState.Closed) return;
        if (pcb.State >= TcpConnectionState.SynReceived && pcb.State != TcpConnectionState.TimeWait)
        {
            var repr = new Wire.TcpRepr(pcb.LocalPort, pcb.ForeignPort, pcb.SendNext, pcb.ReceiveNext,
                Wire.TcpFlags.Rst | Wire.TcpFlags.Ack, 0, 0, default, 0);
            state.Counters.Increment(pcb.Thread, TcpCounter.ResetsSent);
            TcpOutput.SendBare(pcb.Stack, state, pcb.Thread, new Wire.IPv4Address(pcb.LocalAddress), new Wire.IPv4Address(pcb.ForeignAddress), repr);
        }
        state.Counters.Increment(pcb.Thread, TcpCounter.ConnectionsDropped);
        pcb.Socket?.SetError(error);
        Close(state, pcb);
    }

    /// <summary>
    /// <c>tcp_close</c>: out of the table, timers stopped, held segments freed, and the socket told the connection is
    /// over (readers see the end of the stream or the error, writers are woken).
    /// </summary>
    public static void Close(TcpState state, TcpPcb pcb)
    {
        if (pcb.State == TcpConnectionState.Closed && !pcb.InTable) return;
        pcb.State = TcpConnectionState.Closed;
        state.Tables[pcb.Thread].RemoveConnection(pcb);
        pcb.Timers?.Destroy();
        pcb.OutOfOrder?.Clear();
        if (pcb.HoldsPortBinding && state.Shards[pcb.Thread].Owns(pcb.LocalPort))
        {
            state.Shards[pcb.Thread].Release(pcb.LocalPort);
            pcb.HoldsPortBinding = false;
        }
        if (pcb.ListenerQueue is { } queue)
        {
            pcb.ListenerQueue = null;
            queue.Unreserve();
        }
        state.Counters.Increment(pcb.Thread, TcpCounter.ConnectionsClosed);
        pcb.ReceiveRing?.CompleteWriting();
        pcb.SendRing?.CompleteReading();
        pcb.Socket?.ChangeState(SocketStates.Disconnected | SocketStates.CantSendMore | SocketStates.CantReceiveMore, SocketStates.Connecting);
        // The protocol is done with the rings; they go back to the pool once the application is too.
        pcb.SendRing = null;
        pcb.ReceiveRing = null;
        pcb.BufferOwner?.ReleaseStreamBuffers();
        pcb.BufferOwner = null;
    }

    /// <summary>Enters TIME-WAIT for 2 MSL (RFC 9293 §3.6); the pcb stays in the table to absorb late segments.</summary>
    public static void EnterTimeWait(TcpState state, TcpPcb pcb)
    {
        pcb.State = TcpConnectionState.TimeWait;
        pcb.Timers!.Stop(TcpTimers.Retransmit);
        pcb.Timers.Stop(TcpTimers.Persist);
        pcb.Timers.Stop(TcpTimers.Keepalive);
        pcb.Timers.Reset(TcpTimers.TimeWait, TcpTimers.Micros(state.TimeWaitMicros));
        pcb.Socket?.ChangeState(SocketStates.Disconnected | SocketStates.CantSendMore | SocketStates.CantReceiveMore);
    }
}
