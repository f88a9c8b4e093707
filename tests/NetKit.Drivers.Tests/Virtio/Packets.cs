using System;
using System.Buffers.Binary;
using NetKit.Runtime.Buffers;

namespace NetKit.Drivers.Tests.Virtio;

/// <summary>
/// Real Ethernet + IPv4 + TCP/UDP frames for the offload tests, and an independent RFC 1071 implementation to check
/// their checksums (deliberately not NetKit's <see cref="PartialChecksum"/>).
/// </summary>
internal static class Packets
{
    public const int EthernetLength = 14;
    public const byte Tcp = 6;
    public const byte Udp = 17;

    public static readonly byte[] DefaultDestination = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    public static readonly byte[] DefaultSource = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    /// <summary>How the transport checksum field is filled.</summary>
    public enum Sum
    {
        /// <summary>The complete checksum.</summary>
        Complete,
        /// <summary>The folded pseudo-header sum, uncomplemented (Linux CHECKSUM_PARTIAL): what a device completes.</summary>
        Partial,
        /// <summary>Zero.</summary>
        Zero,
    }

    public sealed record Spec
    {
        public byte Protocol { get; init; } = Tcp;
        public int Payload { get; init; }
        public int IPOptions { get; init; }
        public int TcpOptions { get; init; }
        public Sum Checksum { get; init; } = Sum.Partial;
        public uint SourceIp { get; init; } = 0x0AFA0002;
        public uint DestinationIp { get; init; } = 0x0AFA0001;
        public ushort SourcePort { get; init; } = 40000;
        public ushort DestinationPort { get; init; } = 7;
        public uint Sequence { get; init; } = 1000;
        public uint Acknowledgment { get; init; }
        public byte TcpFlags { get; init; } = 0x18; // PSH | ACK
        public byte[] DestinationMac { get; init; } = DefaultDestination;
        public byte[] SourceMac { get; init; } = DefaultSource;
        public int Seed { get; init; } = 1;
    }

    public static int TransportOffset(Spec spec) => EthernetLength + 20 + spec.IPOptions;

    public static int HeadersLength(Spec spec) => TransportOffset(spec) + (spec.Protocol == Tcp ? 20 + spec.TcpOptions : 8);

    /// <summary>Offset of the checksum field from the transport header.</summary>
    public static int ChecksumFieldOffset(byte protocol) => protocol == Tcp ? 16 : 6;

    /// <summary>The frame's bytes: Ethernet, IPv4 (valid header checksum, NOP options), TCP or UDP, payload from <see cref="Spec.Seed"/>.</summary>
    public static byte[] Build(Spec spec)
    {
        int ipHeader = 20 + spec.IPOptions;
        int transportHeader = spec.Protocol == Tcp ? 20 + spec.TcpOptions : 8;
        int transportLength = transportHeader + spec.Payload;
        var frame = new byte[EthernetLength + ipHeader + transportLength];
        spec.DestinationMac.CopyTo(frame, 0);
        spec.SourceMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);

        var ip = frame.AsSpan(EthernetLength, ipHeader);
        ip[0] = (byte)(0x40 | ipHeader / 4);
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ipHeader + transportLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[6] = 0x40; // DF
        ip[8] = 64;
        ip[9] = spec.Protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], spec.SourceIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], spec.DestinationIp);
        ip[20..].Fill(1); // NOP options
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip, 0));

        var transport = frame.AsSpan(EthernetLength + ipHeader);
        BinaryPrimitives.WriteUInt16BigEndian(transport, spec.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(transport[2..], spec.DestinationPort);
        if (spec.Protocol == Tcp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(transport[4..], spec.Sequence);
            BinaryPrimitives.WriteUInt32BigEndian(transport[8..], spec.Acknowledgment);
            transport[12] = (byte)(transportHeader / 4 << 4);
            transport[13] = spec.TcpFlags;
            BinaryPrimitives.WriteUInt16BigEndian(transport[14..], 65535);
            transport[20..transportHeader].Fill(1); // NOP options
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[4..], (ushort)transportLength);
        }
        new Random(spec.Seed).NextBytes(transport[transportHeader..]);

        var field = transport.Slice(ChecksumFieldOffset(spec.Protocol), 2);
        uint pseudo = PseudoHeaderSum(spec.SourceIp, spec.DestinationIp, spec.Protocol, transportLength);
        switch (spec.Checksum)
        {
            case Sum.Partial:
                BinaryPrimitives.WriteUInt16BigEndian(field, Fold(pseudo));
                break;
            case Sum.Complete:
                BinaryPrimitives.WriteUInt16BigEndian(field, Checksum(transport, pseudo));
                break;
        }
        return frame;
    }

    /// <summary>
    /// Loads <paramref name="bytes"/> into buffers of <paramref name="pool"/>: at most <paramref name="firstPiece"/>
    /// bytes in the first one, the rest in as many chained buffers as it takes.
    /// </summary>
    public static PacketBuffer Load(PacketBufferPool pool, ReadOnlySpan<byte> bytes, int firstPiece = int.MaxValue)
    {
        var head = pool.TryRent() ?? throw new InvalidOperationException("test pool exhausted");
        int take = Math.Min(Math.Min(firstPiece, head.Tailroom), bytes.Length);
        bytes[..take].CopyTo(head.Append(take));
        bytes = bytes[take..];
        var tail = head;
        while (!bytes.IsEmpty)
        {
            var next = pool.TryRent(0);
            if (next is null)
            {
                head.Free();
                throw new InvalidOperationException("test pool exhausted");
            }
            take = Math.Min(next.Tailroom, bytes.Length);
            bytes[..take].CopyTo(next.Append(take));
            bytes = bytes[take..];
            tail.Next = next;
            tail = next;
        }
        return head;
    }

    /// <summary>The bytes of a whole chain.</summary>
    public static byte[] Bytes(PacketBuffer frame)
    {
        var bytes = new byte[frame.ChainLength];
        int at = 0;
        for (var b = frame; b is not null; b = b.Next)
        {
            b.Data.CopyTo(bytes.AsSpan(at));
            at += b.Length;
        }
        return bytes;
    }

    /// <summary>Sum of the IPv4 pseudo-header's 16-bit words (not folded).</summary>
    public static uint PseudoHeaderSum(uint source, uint destination, byte protocol, int length) =>
        (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;

    public static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>RFC 1071, the plain way: one's complement of the one's complement sum of <paramref name="data"/> plus <paramref name="initial"/>.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        ulong sum = initial;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if ((data.Length & 1) != 0) sum += (uint)data[^1] << 8;
        return (ushort)~Fold(sum);
    }

    /// <summary>True when the frame's IPv4 header checksum and its TCP or UDP checksum (with the pseudo-header) verify.</summary>
    public static bool TransportChecksumValid(ReadOnlySpan<byte> frame, out string detail)
    {
        detail = "";
        if (frame.Length < EthernetLength + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            detail = "not IPv4";
            return false;
        }
        var ip = frame[EthernetLength..];
        int ipHeader = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (total > ip.Length || ipHeader < 20 || total < ipHeader)
        {
            detail = $"IPv4 total length {total} does not fit the {ip.Length} bytes";
            return false;
        }
        if (Checksum(ip[..ipHeader], 0) != 0)
        {
            detail = "IPv4 header checksum";
            return false;
        }
        byte protocol = ip[9];
        var transport = ip[ipHeader..total];
        uint pseudo = PseudoHeaderSum(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]), BinaryPrimitives.ReadUInt32BigEndian(ip[16..]),
            protocol, transport.Length);
        if (protocol == Udp && BinaryPrimitives.ReadUInt16BigEndian(transport[6..]) == 0)
        {
            detail = "UDP checksum 0 (none)";
            return true;
        }
        ushort result = Checksum(transport, pseudo);
        detail = $"protocol {protocol} checksum field {BinaryPrimitives.ReadUInt16BigEndian(transport[ChecksumFieldOffset(protocol)..]):X4}, verification sum {result:X4}";
        return result == 0;
    }
}
