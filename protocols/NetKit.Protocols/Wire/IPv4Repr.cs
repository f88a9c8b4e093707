using System;
using System.Globalization;
using System.Text;

namespace NetKit.Protocols.Wire;

/// <summary>
/// The fields of an IPv4 header. <see cref="Emit"/> always writes a 20-byte header without options; parsing a
/// packet with options keeps its fields and payload length and drops the options (walk them on the view).
/// </summary>
public readonly record struct IPv4Repr(
    IPv4Address Source,
    IPv4Address Destination,
    IpProtocol Protocol,
    int PayloadLength,
    byte TimeToLive = IPv4Repr.DefaultTimeToLive)
{
    /// <summary>The TTL Linux and the BSDs use (RFC 1700 suggested 64 for IP).</summary>
    public const byte DefaultTimeToLive = 64;

    /// <summary>Largest payload behind a 20-byte header: the total length is 16 bits.</summary>
    public const int MaxPayloadLength = ushort.MaxValue - IPv4Packet.MinHeaderLength;

    public ushort Identification { get; init; }

    public bool DontFragment { get; init; }

    public bool MoreFragments { get; init; }

    /// <summary>In bytes, a multiple of 8.</summary>
    public int FragmentOffset { get; init; }

    /// <summary>Upper six bits of the TOS octet (RFC 2474).</summary>
    public byte Dscp { get; init; }

    /// <summary>Lower two bits of the TOS octet (RFC 3168).</summary>
    public byte Ecn { get; init; }

    /// <summary>Bytes <see cref="Emit"/> writes.</summary>
    public int HeaderLength => IPv4Packet.MinHeaderLength;

    /// <summary>Header plus payload: the total length.</summary>
    public int BufferLength => IPv4Packet.MinHeaderLength + PayloadLength;

    /// <summary>
    /// Checks <paramref name="packet"/>, verifies its header checksum unless <paramref name="verifyChecksum"/> is
    /// false (the NIC did), and reads its fields.
    /// </summary>
    public static WireError TryParse(IPv4Packet packet, out IPv4Repr repr, bool verifyChecksum = true)
    {
        repr = default;
        WireError error = packet.Check();
        if (error != WireError.None) return error;
        if (verifyChecksum && !packet.VerifyChecksum()) return WireError.BadChecksum;
        repr = new IPv4Repr(packet.Source, packet.Destination, packet.Protocol, packet.TotalLength - packet.HeaderLength, packet.TimeToLive)
        {
            Identification = packet.Identification,
            DontFragment = packet.DontFragment,
            MoreFragments = packet.MoreFragments,
            FragmentOffset = packet.FragmentOffset,
            Dscp = packet.Dscp,
            Ecn = packet.Ecn,
        };
        return WireError.None;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="WireFormatException"/> on a malformed packet or bad checksum.</summary>
    public static IPv4Repr Parse(IPv4Packet packet)
    {
        WireError error = TryParse(packet, out IPv4Repr repr);
        return error == WireError.None ? repr : throw new WireFormatException(error);
    }

    /// <summary>Writes a 20-byte header with its checksum to the start of <paramref name="buffer"/>; the payload follows it.</summary>
    public void Emit(Span<byte> buffer)
    {
        if (buffer.Length < IPv4Packet.MinHeaderLength) throw new ArgumentException("The buffer is shorter than an IPv4 header.", nameof(buffer));
        if ((uint)PayloadLength > MaxPayloadLength) throw new InvalidOperationException($"An IPv4 payload is at most {MaxPayloadLength} bytes.");
        IPv4Packet packet = IPv4Packet.CreateUnchecked(buffer);
        packet.Version = 4;
        packet.HeaderLength = IPv4Packet.MinHeaderLength;
        packet.Dscp = Dscp;
        packet.Ecn = Ecn;
        packet.TotalLength = (ushort)BufferLength;
        packet.Identification = Identification;
        // The flags octet starts from zero so the reserved bit is clear (RFC 791 §3.1, "Flags").
        buffer[6] = 0;
        packet.FragmentOffset = FragmentOffset;
        packet.DontFragment = DontFragment;
        packet.MoreFragments = MoreFragments;
        packet.TimeToLive = TimeToLive;
        packet.Protocol = Protocol;
        packet.Source = Source;
        packet.Destination = Destination;
        packet.FillChecksum();
    }

    /// <summary>"IPv4 10.0.0.2 &gt; 10.0.0.1 proto=17 len=48 ttl=64 id=0x1234 DF".</summary>
    public override string ToString()
    {
        var text = new StringBuilder(96);
        Describe(text, Source, Destination, Protocol, BufferLength, TimeToLive, Identification,
                 DontFragment, MoreFragments, FragmentOffset, (byte)(Dscp << 2 | Ecn));
        return text.ToString();
    }

    internal static void Describe(StringBuilder text, IPv4Address source, IPv4Address destination, IpProtocol protocol,
                                  int totalLength, byte ttl, ushort id, bool dontFragment, bool moreFragments,
                                  int fragmentOffset, byte tos)
    {
        text.Append(CultureInfo.InvariantCulture,
            $"IPv4 {source} > {destination} proto={(byte)protocol} len={totalLength} ttl={ttl} id=0x{id:x4}");
        if (dontFragment) text.Append(" DF");
        if (moreFragments) text.Append(" MF");
        if (fragmentOffset != 0) text.Append(CultureInfo.InvariantCulture, $" off={fragmentOffset}");
        if (tos != 0) text.Append(CultureInfo.InvariantCulture, $" tos=0x{tos:x2}");
    }
}
