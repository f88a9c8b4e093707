using System;
using System.Buffers.Binary;
using NetKit.Protocols.Common;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.IPv4.Fragmentation;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using NetKit.Runtime.Sockets;

namespace NetKit.Protocols.IPv4;

/// <summary>
/// IPv4 for a host (RFC 791, RFC 1122 §3.2.1): validates every header field before use, delivers datagrams for our
/// addresses, drops and counts the rest (no forwarding), reassembles fragments on the address pair's thread and
/// re-dispatches the datagram to its transport's thread, and fragments output larger than the MTU.
/// </summary>
[Protocol("ipv4", ProtocolLayer.Network, (int)EtherType.IPv4, FlowHash = FlowHashKind.Addresses)]
[RequiresProtocol(typeof(Ethernet.Ethernet))]
[RequiresProtocol(typeof(Arp.Arp))]
public static partial class IPv4
{
    public const int HeaderLength = IPv4Packet.MinHeaderLength;

    /// <summary>
    /// Steering (<c>ip_hashfn</c>): addresses always; ports follow only for an unfragmented datagram, so every
    /// fragment of one datagram hashes by address pair and meets the others on one thread.
    /// </summary>
    [FlowClassifier]
    public static int Classify(ReadOnlySpan<byte> packet, ref int offset, ref FlowKey key)
    {
        if ((uint)offset > (uint)packet.Length || packet.Length - offset < HeaderLength) return -1;
        var header = packet.Slice(offset);
        if (header[0] >> 4 != 4) return -1;
        int headerLength = (header[0] & 0x0F) * 4;
        if (headerLength < HeaderLength || header.Length < headerLength) return -1;
        key.SourceAddress = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(12));
        key.DestinationAddress = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(16));
        key.HasAddresses = true;
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(header.Slice(6));
        key.IsFragment = (fragment & 0x3FFF) != 0; // MF set or a nonzero offset
        offset += headerLength;
        return header[9];
    }

    [PacketInput]
    public static int Input(NetStack stack, ref PacketBuffer packet, ref int offset)
    {
        var state = stack.State<IPv4State>();
        var counters = state.Counters;
        int thread = ProtocolContext.Thread(stack);
        if (packet.Next is not null) return InputChained(stack, state, thread, packet, ref offset);
        var buffer = packet.Data.Slice(offset);
        var error = IPv4Packet.TryCreate(buffer, out var ip);
        if (error != WireError.None) return Drop(packet, counters, thread, Reason(error));
        if (!ip.VerifyChecksum()) return Drop(packet, counters, thread, IPv4Counter.BadChecksum);
        // No TTL check: a host must not discard a datagram for a TTL below 2 (RFC 1122 §3.2.1.7); TTL guards forwarding.
        var source = ip.Source;
        if (source.IsBroadcast || source.IsMulticast) return Drop(packet, counters, thread, IPv4Counter.BadSource);
        counters.Increment(thread, IPv4Counter.Received);

        // Link padding beyond the total length is not part of the datagram.
        int padding = buffer.Length - ip.TotalLength;
        if (padding > 0) packet.TrimEnd(padding);

        if (!stack.State<InterfaceTable>().IsLocal(ip.Destination, packet.InterfaceIndex))
            return Drop(packet, counters, thread, IPv4Counter.NotForUs);

        if (ip.IsFragment)
        {
            counters.Increment(thread, IPv4Counter.Fragments);
            Reassemble(stack, state, thread, packet, offset);
            return InputResult.Consumed;
        }
        packet.NetworkOffset = offset;
        offset += ip.HeaderLength;
        counters.Increment(thread, IPv4Counter.Delivered);
        return (int)ip.Protocol;
    }

    /// <summary>
    /// A datagram spanning several buffers (a reassembled one coming back through <c>Reinject</c>): the header is in
    /// the first buffer, the total length covers the chain. Fragments never arrive chained (drivers deliver frames in
    /// one buffer), so a chained packet must be whole.
    /// </summary>
    private static int InputChained(NetStack stack, IPv4State state, int thread, PacketBuffer packet, ref int offset)
    {
        var counters = state.Counters;
        var head = packet.Data.Slice(offset);
        if (head.Length < HeaderLength) return Drop(packet, counters, thread, IPv4Counter.Truncated);
        if (head[0] >> 4 != 4) return Drop(packet, counters, thread, IPv4Counter.BadVersion);
        int headerLength = (head[0] & 0x0F) * 4;
        if (headerLength < HeaderLength || head.Length < headerLength) return Drop(packet, counters, thread, IPv4Counter.BadHeaderLength);
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(head.Slice(2));
        if (totalLength < headerLength || totalLength != Chains.Length(packet) - offset) return Drop(packet, counters, thread, IPv4Counter.BadTotalLength);
        if (InternetChecksum.Compute(head[..headerLength]) != 0) return Drop(packet, counters, thread, IPv4Counter.BadChecksum);
        if ((BinaryPrimitives.ReadUInt16BigEndian(head.Slice(6)) & 0x3FFF) != 0) return Drop(packet, counters, thread, IPv4Counter.FragmentDrops);
        var destination = new IPv4Address(BinaryPrimitives.ReadUInt32BigEndian(head.Slice(16)));
        if (!stack.State<InterfaceTable>().IsLocal(destination, packet.InterfaceIndex)) return Drop(packet, counters, thread, IPv4Counter.NotForUs);
        counters.Increment(thread, IPv4Counter.Received);
        counters.Increment(thread, IPv4Counter.Delivered);
        packet.NetworkOffset = offset;
        offset += headerLength;
        return head[9];
    }

    /// <summary>
    /// Sends a transport segment: <paramref name="packet"/>'s data is the transport header and payload, with headroom
    /// for the IP and link headers. Routes, fills the IP header, fragments when larger than the MTU (EMSGSIZE when
    /// <paramref name="dontFragment"/>), resolves the next hop and transmits from the calling protocol thread. A
    /// datagram for one of our own addresses loops back through input. Takes the packet over.
    /// </summary>
    public static Errno Output(NetStack stack, PacketBuffer packet, IPv4Address source, IPv4Address destination,
        IpProtocol protocol, byte timeToLive = 0, byte typeOfService = 0, bool dontFragment = false)
    {
        var state = stack.State<IPv4State>();
        var counters = state.Counters;
        int thread = ProtocolContext.Thread(stack);
        var interfaces = stack.State<InterfaceTable>();
        if (!interfaces.TryRoute(destination, out var route))
        {
            counters.Increment(thread, IPv4Counter.NoRoute);
            packet.Free();
            return Errno.ENETUNREACH;
        }
        if (source.IsUnspecified) source = route.Source;
        if (timeToLive == 0) timeToLive = state.DefaultTimeToLive;
        int payloadLength = Chains.Length(packet);
        if (payloadLength > IPv4Repr.MaxPayloadLength)
        {
            counters.Increment(thread, IPv4Counter.MessageTooLong);
            packet.Free();
            return Errno.EMSGSIZE;
        }
        ushort identification = state.NextIdentification(thread);
        var repr = new IPv4Repr(source, destination, protocol, payloadLength, timeToLive)
        {
            Identification = identification,
            DontFragment = dontFragment,
            Dscp = (byte)(typeOfService >> 2),
            Ecn = (byte)(typeOfService & 3),
        };

        bool local = interfaces.FindByAddress(destination) is not null;
        int mtu = local ? IPv4Repr.MaxPayloadLength + HeaderLength : route.Interface.Mtu;
        // A TSO segment is cut by a device that can (TCP asks only when the route's device said so); anything else
        // larger than the MTU is fragmented (or refused, with DF).
        bool deviceSegments = packet.SegmentationSize > 0 && !local
            && (route.Interface.Device.Offloads & Runtime.Devices.DeviceOffloads.TcpSegmentation) != 0;
        if (HeaderLength + payloadLength > mtu && !deviceSegments)
        {
            // Fragments cannot carry a checksum left to the device: complete it first.
            packet.SegmentationSize = 0;
            PartialChecksum.Complete(packet);
            return Fragment(stack, state, thread, packet, repr, route, mtu);
        }

        if (packet.Headroom < HeaderLength)
        {
            counters.Increment(thread, IPv4Counter.NoHeadroom);
            packet.Free();
            return Errno.ENOBUFS;
        }
        repr.Emit(packet.Prepend(HeaderLength));
        counters.Increment(thread, IPv4Counter.Sent);
        if (local)
        {
            // To ourselves: back through input on the flow's thread, as if it had arrived on the interface.
            counters.Increment(thread, IPv4Counter.Looped);
            packet.InterfaceIndex = route.Interface.Index;
            // Never left the host: a checksum left to the device needs no device (Linux loopback does the same).
            if (packet.ChecksumState == ChecksumState.Partial) packet.ChecksumState = ChecksumState.Verified;
            stack.Reinject((int)EtherType.IPv4, packet, 0);
            return Errno.None;
        }
        Arp.Arp.Resolve(stack, route.Interface, route.NextHop, packet);
        return Errno.None;
    }

    private static Errno Fragment(NetStack stack, IPv4State state, int thread, PacketBuffer packet, IPv4Repr repr, Route route, int mtu)
    {
        var counters = state.Counters;
        // 65515 bytes over the smallest MTU a link may have (576) is 118 fragments.
        Span<FragmentDescriptor> plan = stackalloc FragmentDescriptor[128];
        var result = IPv4Fragmenter.Plan(repr.PayloadLength, HeaderLength, mtu, repr.DontFragment, plan, out int count);
        if (result != FragmentationResult.Success)
        {
            counters.Increment(thread, IPv4Counter.MessageTooLong);
            packet.Free();
            return result.ToErrno();
        }
        var pool = Runtime.Threading.ProtocolThread.Current?.Buffers ?? packet.Pool;
        Span<PacketBuffer?> pieces = new PacketBuffer?[count]; // fragmentation is the slow path; one small array
        result = IPv4Fragmenter.Split(packet, plan[..count], pool, HeaderLength + Ethernet_HeaderRoom, pieces);
        if (result != FragmentationResult.Success)
        {
            counters.Increment(thread, IPv4Counter.NoBuffer);
            return result.ToErrno();
        }
        counters.Increment(thread, IPv4Counter.Fragmented);
        for (int i = 0; i < count; i++)
        {
            var piece = pieces[i]!;
            var fragment = repr with
            {
                PayloadLength = plan[i].Length,
                FragmentOffset = plan[i].Offset,
                MoreFragments = plan[i].MoreFragments,
            };
            fragment.Emit(piece.Prepend(HeaderLength));
            counters.Increment(thread, IPv4Counter.FragmentsCreated);
            Arp.Arp.Resolve(stack, route.Interface, route.NextHop, piece);
        }
        counters.Increment(thread, IPv4Counter.Sent);
        return Errno.None;
    }

    private const int Ethernet_HeaderRoom = 16;

    private static void Reassemble(NetStack stack, IPv4State state, int thread, PacketBuffer packet, int offset)
    {
        var ip = IPv4Packet.CreateUnchecked(packet.Data.Slice(offset));
        var key = new FragmentKey(ip.Source.Value, ip.Destination.Value, (byte)ip.Protocol, ip.Identification);
        int headerLength = ip.HeaderLength;
        int payloadLength = ip.TotalLength - headerLength;
        var repr = new IPv4Repr(ip.Source, ip.Destination, ip.Protocol, 0, ip.TimeToLive)
        {
            Identification = ip.Identification,
            Dscp = ip.Dscp,
            Ecn = ip.Ecn,
        };
        var reassembler = state.Reassemblers[thread];
        int interfaceIndex = packet.InterfaceIndex; // read before the reassembler may take or free the buffer
        // Offer the fragment from its IP header on, so a timed-out fragment zero can be quoted in an ICMP error.
        packet.TrimFront(offset);
        var result = reassembler.Offer(key, ip.FragmentOffset, ip.MoreFragments, packet, headerLength, payloadLength,
            ProtocolContext.Now(stack), out var datagram);
        if (result != ReassemblyResult.Completed || datagram is null)
        {
            if (result is not (ReassemblyResult.Queued or ReassemblyResult.Duplicate)) state.Counters.Increment(thread, IPv4Counter.FragmentDrops);
            ArmReassemblySweep(stack, state, thread);
            return;
        }
        // A whole datagram: give it a header again and send it to its transport's thread (ip_rehashm).
        if (datagram.Headroom < HeaderLength)
        {
            state.Counters.Increment(thread, IPv4Counter.NoHeadroom);
            datagram.Free();
            return;
        }
        (repr with { PayloadLength = Chains.Length(datagram) }).Emit(datagram.Prepend(HeaderLength));
        datagram.InterfaceIndex = interfaceIndex;
        state.Counters.Increment(thread, IPv4Counter.Reassembled);
        stack.Reinject((int)EtherType.IPv4, datagram, 0);
    }

    private sealed class SweepContext(NetStack stack, int thread)
    {
        public NetStack Stack { get; } = stack;
        public int Thread { get; } = thread;
    }

    private static unsafe void ArmReassemblySweep(NetStack stack, IPv4State state, int thread)
    {
        var reassembler = state.Reassemblers[thread];
        var sweep = state.ReassemblySweep(thread);
        if (reassembler.ActiveCount == 0 || sweep.IsPending || Runtime.Threading.ProtocolThread.Current is null) return;
        long wait = Math.Max(reassembler.NextDeadlineNanoseconds - ProtocolContext.Now(stack), 1_000_000);
        sweep.Reset(TimeSpan.FromTicks(Math.Min(wait, TimeSpan.FromMinutes(5).Ticks * 100) / 100), &SweepReassembly,
            sweep.Argument as SweepContext ?? new SweepContext(stack, thread));
    }

    /// <summary>
    /// Ends timed-out reassemblies on this thread; one whose fragment zero arrived gets ICMP time exceeded, code 1
    /// (RFC 1122 §3.2.1.4: only then is there a header to quote).
    /// </summary>
    private static void SweepReassembly(Runtime.Timers.Callout callout)
    {
        var context = (SweepContext)callout.Argument!;
        var stack = context.Stack;
        var state = stack.State<IPv4State>();
        var reassembler = state.Reassemblers[context.Thread];
        while (reassembler.TryExpire(ProtocolContext.Now(stack), out var expired))
        {
            state.Counters.Increment(context.Thread, IPv4Counter.ReassemblyTimeouts);
            if (expired.FirstFragment is not { } first) continue;
            first.NetworkOffset = 0;
            Icmp.Icmp.SendError(stack, first, IcmpV4Repr.TimeExceeded(IcmpV4TimeExceededCode.FragmentReassemblyTimeExceeded, 0));
            first.Free();
        }
        ArmReassemblySweep(stack, state, context.Thread);
    }

    private static IPv4Counter Reason(WireError error) => error switch
    {
        WireError.BadVersion => IPv4Counter.BadVersion,
        WireError.BadHeaderLength => IPv4Counter.BadHeaderLength,
        WireError.BadTotalLength => IPv4Counter.BadTotalLength,
        _ => IPv4Counter.Truncated,
    };

    private static int Drop(PacketBuffer packet, Runtime.Diagnostics.CounterSet<IPv4Counter> counters, int thread, IPv4Counter reason)
    {
        counters.Increment(thread, reason);
        packet.Free();
        return InputResult.Consumed;
    }

    // ---- IP-level socket options, reached from any transport's socket (tcp_ctloutput → ip_ctloutput) ----

    [SockOpt(SockOptLevel.IP, SockOptName.IPTtl, SockOptAccess.Set, Minimum = 1, Maximum = 255)]
    public static Errno SetTimeToLive(NetSocket socket, int value)
    {
        if (socket.ProtocolControlBlock is not IIPv4Options options) return Errno.ENOPROTOOPT;
        options.TimeToLive = (byte)value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.IP, SockOptName.IPTtl, SockOptAccess.Get)]
    public static Errno GetTimeToLive(NetSocket socket, out int value)
    {
        if (socket.ProtocolControlBlock is not IIPv4Options options)
        {
            value = 0;
            return Errno.ENOPROTOOPT;
        }
        value = options.TimeToLive;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.IP, SockOptName.IPTos, SockOptAccess.Set, Minimum = 0, Maximum = 255)]
    public static Errno SetTypeOfService(NetSocket socket, int value)
    {
        if (socket.ProtocolControlBlock is not IIPv4Options options) return Errno.ENOPROTOOPT;
        options.TypeOfService = (byte)value;
        return Errno.None;
    }

    [SockOpt(SockOptLevel.IP, SockOptName.IPTos, SockOptAccess.Get)]
    public static Errno GetTypeOfService(NetSocket socket, out int value)
    {
        if (socket.ProtocolControlBlock is not IIPv4Options options)
        {
            value = 0;
            return Errno.ENOPROTOOPT;
        }
        value = options.TypeOfService;
        return Errno.None;
    }
}
