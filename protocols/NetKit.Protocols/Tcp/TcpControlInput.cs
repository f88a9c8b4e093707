using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Tcp.Algorithms;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Tcp;

/// <summary>
/// ICMP errors about our segments, delivered on the thread that owns the quoted 4-tuple (<c>tcp_ctlinput</c>). Only
/// an error quoting a sequence number we have sent and not yet had acknowledged — in [SND.UNA, SND.MAX) — is
/// believed (RFC 5927 §4.1). Fragmentation needed shrinks the MSS, never below a floor and never up
/// (<c>tcp_mtudisc</c>, RFC 1191); unreachables are soft errors (<c>tcp_notify</c>), except that a port or protocol
/// unreachable answering our SYN refuses the connection.
/// </summary>
public static partial class Tcp
{
    /// <summary>Smallest MSS path MTU discovery may set (DragonFly's <c>tcp_minmss</c>).</summary>
    public const int MinimumMss = 256;

    [ControlInput]
    public static void ControlInput(NetStack stack, ControlCommand command, PacketBuffer packet, int offset)
    {
        var state = stack.State<TcpState>();
        int thread = ProtocolContext.Thread(stack);
        state.Counters.Increment(thread, TcpCounter.ControlInputs);
        var data = packet.Data;
        if (offset < 8 || offset > data.Length) return;
        var quoted = data.Slice(offset);
        if (quoted.Length < 20) return;
        int headerLength = (quoted[0] & 0x0F) * 4;
        if (headerLength < 20 || quoted.Length < headerLength + 8) return;
        uint localAddress = (uint)(quoted[12] << 24 | quoted[13] << 16 | quoted[14] << 8 | quoted[15]);
        uint remoteAddress = (uint)(quoted[16] << 24 | quoted[17] << 16 | quoted[18] << 8 | quoted[19]);
        var tcp = quoted.Slice(headerLength);
        ushort localPort = (ushort)(tcp[0] << 8 | tcp[1]);
        ushort remotePort = (ushort)(tcp[2] << 8 | tcp[3]);
        uint sequence = (uint)(tcp[4] << 24 | tcp[5] << 16 | tcp[6] << 8 | tcp[7]);

        var pcb = state.Tables[thread].Lookup(localAddress, localPort, remoteAddress, remotePort, out bool isListener);
        if (pcb is null || isListener || pcb.State is TcpConnectionState.Closed or TcpConnectionState.TimeWait) return;
        if (!TcpSequence.InRange(sequence, pcb.SendUnacknowledged, pcb.SendMax)) return; // not ours to believe

        switch (command)
        {
            case ControlCommand.MessageSize:
                int mtu = data[offset - 2] << 8 | data[offset - 1]; // the ICMP header's next-hop MTU (RFC 1191 §4)
                ShrinkMss(stack, state, pcb, thread, mtu);
                break;
            case ControlCommand.PortUnreachable or ControlCommand.ProtocolUnreachable when pcb.State == TcpConnectionState.SynSent:
                TcpLifecycle.Drop(state, pcb, Errno.ECONNREFUSED);
                break;
            case ControlCommand.HostUnreachable or ControlCommand.NetUnreachable or ControlCommand.HostDead
                or ControlCommand.PortUnreachable or ControlCommand.ProtocolUnreachable or ControlCommand.TimeExceeded:
                // tcp_notify: an established connection ignores host and net unreachables (routes flap); otherwise
                // the error is kept and reported if the connection later times out.
                if (pcb.State == TcpConnectionState.Established && command is ControlCommand.HostUnreachable or ControlCommand.NetUnreachable or ControlCommand.HostDead)
                    break;
                pcb.SoftError = command switch
                {
                    ControlCommand.NetUnreachable => Errno.ENETUNREACH,
                    ControlCommand.PortUnreachable or ControlCommand.ProtocolUnreachable => Errno.ECONNREFUSED,
                    _ => Errno.EHOSTUNREACH,
                };
                if (pcb.State < TcpConnectionState.Established && pcb.RetransmitShift > 3) TcpLifecycle.Drop(state, pcb, pcb.SoftError);
                break;
        }
    }

    /// <summary><c>tcp_mtudisc</c>: a smaller MSS for the path, then resend from SND.UNA in the new size.</summary>
    private static void ShrinkMss(NetStack stack, TcpState state, TcpPcb pcb, int thread, int mtu)
    {
        if (mtu == 0) mtu = 576; // an old router without the next-hop MTU: fall to the minimum every host must accept
        int mss = mtu - 20 - 20 - (pcb.Timestamps ? 12 : 0);
        mss = Math.Max(mss, MinimumMss);
        if (mss >= pcb.MaxSegmentSize) return; // shrink only
        pcb.MaxSegmentSize = mss;
        pcb.Congestion.OnMssChanged(mss);
        state.Counters.Increment(thread, TcpCounter.MtuShrinks);
        pcb.RttTiming = false;
        pcb.SendNext = pcb.SendUnacknowledged;
        TcpOutput.Output(stack, state, pcb, thread);
    }
}
