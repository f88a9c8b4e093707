using System;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Icmp;

/// <summary>
/// ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2): answers echo requests, turns incoming errors into control input for
/// the transport whose flow they quote (dispatched to that flow's thread by the stack), and sends rate-limited
/// errors (port and protocol unreachable) under RFC 1122's rules on what never gets an error.
/// </summary>
[Protocol("icmp", ProtocolLayer.Transport, (int)IpProtocol.Icmp, FlowHash = FlowHashKind.Thread0)]
[RequiresProtocol(typeof(IPv4.IPv4))]
public static partial class Icmp
{
    [PacketInput]
    public static void Input(NetStack stack, PacketBuffer packet, int offset)
    {
        var state = stack.State<IcmpState>();
        int thread = ProtocolContext.Thread(stack);
        // A reassembled message (a large ping) arrives chained: the header is in the first buffer, the sum covers all.
        bool chained = packet.Next is not null;
        var data = packet.Data;
        var ip = IPv4Packet.CreateUnchecked(data.Slice(packet.NetworkOffset));
        var source = ip.Source;
        var destination = ip.Destination;
        if (IcmpV4Packet.TryCreate(data.Slice(offset), out var icmp) != WireError.None)
        {
            Drop(packet, state, thread, IcmpCounter.Truncated);
            return;
        }
        if (chained ? !ChainChecksumIsValid(packet, offset) : !icmp.VerifyChecksum())
        {
            Drop(packet, state, thread, IcmpCounter.BadChecksum);
            return;
        }
        state.Counters.Increment(thread, IcmpCounter.Received);
        switch (icmp.Type)
        {
            case IcmpV4Type.EchoRequest:
                if (destination.IsMulticast || stack.State<Interfaces.InterfaceTable>().IsBroadcast(destination))
                {
                    Drop(packet, state, thread, IcmpCounter.BroadcastEchoIgnored); // RFC 1122 3.2.2.6 allows silence
                    return;
                }
                state.Counters.Increment(thread, IcmpCounter.EchoRequests);
                // Answer in place: same identifier, sequence and data, type 0, then a new IP header toward the sender.
                ushort requestWord = (ushort)((byte)icmp.Type << 8 | icmp.Code);
                icmp.Type = IcmpV4Type.EchoReply;
                icmp.Code = 0;
                // Only the type changed: adjust the sum (RFC 1624) rather than walk a long chain again.
                if (chained) icmp.Checksum = InternetChecksum.UpdateUInt16(icmp.Checksum, requestWord, 0);
                else icmp.FillChecksum();
                packet.TrimFront(offset);
                IPv4.IPv4.Output(stack, packet, destination, source, IpProtocol.Icmp);
                state.Counters.Increment(thread, IcmpCounter.EchoReplies);
                return;
            case IcmpV4Type.EchoReply:
                // No ping sockets yet: count the answer (what `ping` would print) and let it go.
                Drop(packet, state, thread, IcmpCounter.EchoRepliesReceived);
                return;
            case IcmpV4Type.DestinationUnreachable:
            case IcmpV4Type.TimeExceeded:
            case IcmpV4Type.ParameterProblem:
            case IcmpV4Type.SourceQuench:
                state.Counters.Increment(thread, IcmpCounter.ErrorsReceived);
                if (icmp.Data.Length < IcmpV4Packet.MinQuotedLength)
                {
                    Drop(packet, state, thread, IcmpCounter.Truncated);
                    return;
                }
                state.Counters.Increment(thread, IcmpCounter.ErrorsDispatched);
                stack.ControlInput((int)EtherType.IPv4, Command(icmp), packet, offset + IcmpV4Packet.HeaderLength);
                return;
            default:
                Drop(packet, state, thread, IcmpCounter.Unsupported);
                return;
        }
    }

    private static bool ChainChecksumIsValid(PacketBuffer packet, int offset)
    {
        var sum = new ChecksumAccumulator();
        sum.Add(packet.Data[offset..]);
        for (var b = packet.Next; b is not null; b = b.Next) sum.Add(b.Data);
        return sum.Checksum == 0;
    }

    /// <summary>
    /// Sends an echo request to <paramref name="destination"/> from the calling protocol thread (what <c>ping</c>
    /// sends); the reply is counted as <see cref="IcmpCounter.EchoRepliesReceived"/>.
    /// </summary>
    public static Runtime.Errno SendEchoRequest(NetStack stack, IPv4Address destination, ushort identifier, ushort sequence, ReadOnlySpan<byte> data)
    {
        var packet = ProtocolThread.Current?.Buffers.TryRent();
        if (packet is null) return Runtime.Errno.ENOBUFS;
        if (data.Length > packet.Tailroom - IcmpV4Packet.HeaderLength)
        {
            packet.Free();
            return Runtime.Errno.EMSGSIZE;
        }
        IcmpV4Repr.EchoRequest(identifier, sequence, data.Length).Emit(packet.Append(IcmpV4Packet.HeaderLength + data.Length), data);
        return IPv4.IPv4.Output(stack, packet, default, destination, IpProtocol.Icmp);
    }

    /// <summary>
    /// Sends destination unreachable (<paramref name="code"/>) about <paramref name="offending"/>, whose IP header is
    /// at its <c>NetworkOffset</c>, unless RFC 1122 §3.2.2 forbids it (an ICMP error, a broadcast or multicast, a
    /// later fragment, a bad source) or the thread's rate limit is spent. Does not take the packet over.
    /// </summary>
    public static void SendUnreachable(NetStack stack, PacketBuffer offending, IcmpV4UnreachableCode code) =>
        SendError(stack, offending, IcmpV4Repr.DestinationUnreachable(code, 0));

    /// <summary>As <see cref="SendUnreachable"/> for any error message (its quoted length is filled in here).</summary>
    public static void SendError(NetStack stack, PacketBuffer offending, IcmpV4Repr error)
    {
        var state = stack.State<IcmpState>();
        int thread = ProtocolContext.Thread(stack);
        var data = offending.Data;
        if ((uint)offending.NetworkOffset > (uint)data.Length || IPv4Packet.TryCreate(data.Slice(offending.NetworkOffset), out var ip) != WireError.None)
            return;
        var source = ip.Source;
        if (source.IsUnspecified || source.IsBroadcast || source.IsMulticast || source.IsLoopback ||
            ip.Destination.IsMulticast || stack.State<Interfaces.InterfaceTable>().IsBroadcast(ip.Destination) ||
            stack.State<Interfaces.InterfaceTable>().IsBroadcast(source) || ip.FragmentOffset != 0 ||
            (ip.Protocol == IpProtocol.Icmp && IsErrorMessage(ip)))
        {
            state.Counters.Increment(thread, IcmpCounter.ErrorsSuppressed);
            return;
        }
        if (!state.Limiters[thread].TryTake(ProtocolContext.Now(stack)))
        {
            state.Counters.Increment(thread, IcmpCounter.ErrorsRateLimited);
            return;
        }
        // Quote the IP header and the first 8 bytes of its payload (RFC 792), or what there is.
        int quoted = Math.Min(ip.HeaderLength + 8, ip.TotalLength);
        var packet = ProtocolThread.Current?.Buffers.TryRent();
        if (packet is null)
        {
            state.Counters.Increment(thread, IcmpCounter.NoBuffer);
            return;
        }
        var body = packet.Append(IcmpV4Packet.HeaderLength + quoted);
        (error with { DataLength = quoted }).Emit(body, ip.Buffer[..quoted]);
        state.Counters.Increment(thread, IcmpCounter.ErrorsSent);
        IPv4.IPv4.Output(stack, packet, ip.Destination, source, IpProtocol.Icmp);
    }

    private static bool IsErrorMessage(IPv4Packet ip)
    {
        var payload = ip.Payload;
        if (payload.Length < 1) return false;
        var type = (IcmpV4Type)payload[0];
        return type is not (IcmpV4Type.EchoRequest or IcmpV4Type.EchoReply);
    }

    private static ControlCommand Command(IcmpV4Packet icmp) => icmp.Type switch
    {
        IcmpV4Type.DestinationUnreachable => (IcmpV4UnreachableCode)icmp.Code switch
        {
            IcmpV4UnreachableCode.NetUnreachable => ControlCommand.NetUnreachable,
            IcmpV4UnreachableCode.HostUnreachable => ControlCommand.HostUnreachable,
            IcmpV4UnreachableCode.ProtocolUnreachable => ControlCommand.ProtocolUnreachable,
            IcmpV4UnreachableCode.PortUnreachable => ControlCommand.PortUnreachable,
            IcmpV4UnreachableCode.FragmentationNeeded => ControlCommand.MessageSize,
            _ => ControlCommand.HostUnreachable,
        },
        IcmpV4Type.TimeExceeded => ControlCommand.TimeExceeded,
        IcmpV4Type.ParameterProblem => ControlCommand.ParameterProblem,
        _ => ControlCommand.Quench,
    };

    private static void Drop(PacketBuffer packet, IcmpState state, int thread, IcmpCounter reason)
    {
        state.Counters.Increment(thread, reason);
        packet.Free();
    }
}
