using System;
using System.Globalization;

namespace NetKit.Protocols.Wire;

/// <summary>
/// An ICMPv4 echo request/reply, destination unreachable, time exceeded or parameter problem (RFC 792). Only the
/// fields of its type are set (the rest stay zero, as RFC 792 wants unused bytes); the echo data or quoted datagram
/// is not copied into the repr — <see cref="DataLength"/> sizes it and the view's <see cref="IcmpV4Packet.Data"/>
/// holds it. Build one with the static factories.
/// </summary>
public readonly record struct IcmpV4Repr
{
    public IcmpV4Type Type { get; init; }

    public byte Code { get; init; }

    /// <summary>Echo identifier.</summary>
    public ushort Identifier { get; init; }

    /// <summary>Echo sequence number.</summary>
    public ushort SequenceNumber { get; init; }

    /// <summary>Next-hop MTU of a fragmentation-needed message (RFC 1191 §4); 0 for an old router that does not report it.</summary>
    public ushort NextHopMtu { get; init; }

    /// <summary>Parameter-problem pointer.</summary>
    public byte Pointer { get; init; }

    /// <summary>Bytes after the header: echo data, or the quoted datagram.</summary>
    public int DataLength { get; init; }

    /// <summary>Bytes of header <see cref="Emit(Span{byte})"/> writes before the data.</summary>
    public int HeaderLength => IcmpV4Packet.HeaderLength;

    /// <summary>The whole message.</summary>
    public int BufferLength => IcmpV4Packet.HeaderLength + DataLength;

    public static IcmpV4Repr EchoRequest(ushort identifier, ushort sequenceNumber, int dataLength)
        => new() { Type = IcmpV4Type.EchoRequest, Identifier = identifier, SequenceNumber = sequenceNumber, DataLength = dataLength };

    /// <summary>The reply echoes the request's identifier, sequence number and data (RFC 792).</summary>
    public static IcmpV4Repr EchoReply(ushort identifier, ushort sequenceNumber, int dataLength)
        => new() { Type = IcmpV4Type.EchoReply, Identifier = identifier, SequenceNumber = sequenceNumber, DataLength = dataLength };

    /// <summary>Destination unreachable quoting <paramref name="quotedLength"/> bytes of the offending datagram.</summary>
    public static IcmpV4Repr DestinationUnreachable(IcmpV4UnreachableCode code, int quotedLength)
        => new() { Type = IcmpV4Type.DestinationUnreachable, Code = (byte)code, DataLength = quotedLength };

    /// <summary>Fragmentation needed and DF set, reporting the next hop's MTU (RFC 1191 §4).</summary>
    public static IcmpV4Repr FragmentationNeeded(ushort nextHopMtu, int quotedLength)
        => new()
        {
            Type = IcmpV4Type.DestinationUnreachable,
            Code = (byte)IcmpV4UnreachableCode.FragmentationNeeded,
            NextHopMtu = nextHopMtu,
            DataLength = quotedLength,
        };

    public static IcmpV4Repr TimeExceeded(IcmpV4TimeExceededCode code, int quotedLength)
        => new() { Type = IcmpV4Type.TimeExceeded, Code = (byte)code, DataLength = quotedLength };

    /// <summary>Parameter problem with code 0: <paramref name="pointer"/> is the offending octet of the quoted header.</summary>
    public static IcmpV4Repr ParameterProblem(byte pointer, int quotedLength)
        => new() { Type = IcmpV4Type.ParameterProblem, Pointer = pointer, DataLength = quotedLength };

    /// <summary>
    /// Checks <paramref name="packet"/>, verifies its checksum unless <paramref name="verifyChecksum"/> is false, and
    /// reads it. Types and codes outside the five messages above are <see cref="WireError.Unsupported"/>; an error
    /// message must quote a plausible IPv4 header and 8 bytes after it (RFC 792), else it is
    /// <see cref="WireError.Truncated"/>, <see cref="WireError.BadVersion"/> or <see cref="WireError.BadHeaderLength"/>.
    /// </summary>
    public static WireError TryParse(IcmpV4Packet packet, out IcmpV4Repr repr, bool verifyChecksum = true)
    {
        repr = default;
        WireError error = packet.Check();
        if (error != WireError.None) return error;
        if (verifyChecksum && !packet.VerifyChecksum()) return WireError.BadChecksum;
        byte code = packet.Code;
        int dataLength = packet.Data.Length;
        switch (packet.Type)
        {
            case IcmpV4Type.EchoRequest:
            case IcmpV4Type.EchoReply:
                if (code != 0) return WireError.Unsupported;
                repr = new IcmpV4Repr
                {
                    Type = packet.Type,
                    Identifier = packet.Identifier,
                    SequenceNumber = packet.SequenceNumber,
                    DataLength = dataLength,
                };
                return WireError.None;
            case IcmpV4Type.DestinationUnreachable:
                if (code > (byte)IcmpV4UnreachableCode.PrecedenceCutoff) return WireError.Unsupported;
                break;
            case IcmpV4Type.TimeExceeded:
                if (code > (byte)IcmpV4TimeExceededCode.FragmentReassemblyTimeExceeded) return WireError.Unsupported;
                break;
            case IcmpV4Type.ParameterProblem:
                // 0: pointer indicates the error; 1: missing a required option (RFC 1108); 2: bad length (RFC 1812 §5.2.7.3).
                if (code > 2) return WireError.Unsupported;
                break;
            default:
                return WireError.Unsupported;
        }
        error = CheckQuoted(packet.Data);
        if (error != WireError.None) return error;
        repr = new IcmpV4Repr
        {
            Type = packet.Type,
            Code = code,
            NextHopMtu = packet.Type == IcmpV4Type.DestinationUnreachable && code == (byte)IcmpV4UnreachableCode.FragmentationNeeded
                ? packet.NextHopMtu : (ushort)0,
            Pointer = packet.Type == IcmpV4Type.ParameterProblem ? packet.Pointer : (byte)0,
            DataLength = dataLength,
        };
        return WireError.None;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="WireFormatException"/>.</summary>
    public static IcmpV4Repr Parse(IcmpV4Packet packet)
    {
        WireError error = TryParse(packet, out IcmpV4Repr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>
    /// Writes the header to the start of <paramref name="buffer"/> and fills the checksum over the header and the
    /// <see cref="DataLength"/> bytes after it, which must already be in place.
    /// </summary>
    public void Emit(Span<byte> buffer)
    {
        if (DataLength < 0 || buffer.Length < BufferLength)
            throw new ArgumentException("The buffer is shorter than the ICMP message.", nameof(buffer));
        Span<byte> message = buffer[..BufferLength];
        IcmpV4Packet packet = IcmpV4Packet.CreateUnchecked(message);
        packet.Type = Type;
        packet.Code = Code;
        packet.RestOfHeader = Type switch
        {
            IcmpV4Type.EchoRequest or IcmpV4Type.EchoReply => (uint)Identifier << 16 | SequenceNumber,
            IcmpV4Type.DestinationUnreachable => NextHopMtu,
            IcmpV4Type.ParameterProblem => (uint)Pointer << 24,
            _ => 0,
        };
        packet.FillChecksum();
    }

    /// <summary>Copies <paramref name="data"/> behind the header, then emits as <see cref="Emit(Span{byte})"/>.</summary>
    public void Emit(Span<byte> buffer, ReadOnlySpan<byte> data)
    {
        if (data.Length != DataLength) throw new ArgumentException("The data length differs from DataLength.", nameof(data));
        if (buffer.Length < BufferLength) throw new ArgumentException("The buffer is shorter than the ICMP message.", nameof(buffer));
        data.CopyTo(buffer[IcmpV4Packet.HeaderLength..]);
        Emit(buffer);
    }

    public override string ToString() => Describe(Type, Code, Identifier, SequenceNumber, NextHopMtu, Pointer, DataLength);

    // The quoted datagram must hold an IPv4 header and the 8 data bytes after it (RFC 792); its total length
    // describes the original datagram, so it is not compared with what was quoted.
    private static WireError CheckQuoted(ReadOnlySpan<byte> quoted)
    {
        if (quoted.Length < IPv4Packet.MinHeaderLength) return WireError.Truncated;
        if (quoted[0] >> 4 != 4) return WireError.BadVersion;
        int headerLength = (quoted[0] & 0x0F) * 4;
        if (headerLength < IPv4Packet.MinHeaderLength) return WireError.BadHeaderLength;
        return quoted.Length < headerLength + 8 ? WireError.Truncated : WireError.None;
    }

    internal static string Describe(IcmpV4Type type, byte code, ushort identifier, ushort sequence, ushort nextHopMtu, byte pointer, int dataLength)
        => type switch
        {
            IcmpV4Type.EchoRequest => $"ICMPv4 echo request id=0x{identifier:x4} seq={sequence} len={dataLength}",
            IcmpV4Type.EchoReply => $"ICMPv4 echo reply id=0x{identifier:x4} seq={sequence} len={dataLength}",
            IcmpV4Type.DestinationUnreachable when code == (byte)IcmpV4UnreachableCode.FragmentationNeeded
                => $"ICMPv4 unreachable (fragmentation needed, mtu={nextHopMtu}) quoted={dataLength}",
            IcmpV4Type.DestinationUnreachable => $"ICMPv4 unreachable ({UnreachableName(code)}) quoted={dataLength}",
            IcmpV4Type.TimeExceeded => code == 0
                ? $"ICMPv4 time exceeded (ttl) quoted={dataLength}"
                : $"ICMPv4 time exceeded (reassembly) quoted={dataLength}",
            IcmpV4Type.ParameterProblem => $"ICMPv4 parameter problem code={code} ptr={pointer} quoted={dataLength}",
            _ => $"ICMPv4 type={(byte)type} code={code} len={dataLength}",
        };

    private static string UnreachableName(byte code) => code switch
    {
        0 => "net",
        1 => "host",
        2 => "protocol",
        3 => "port",
        5 => "source route failed",
        13 => "administratively prohibited",
        _ => "code " + code.ToString(CultureInfo.InvariantCulture),
    };
}
