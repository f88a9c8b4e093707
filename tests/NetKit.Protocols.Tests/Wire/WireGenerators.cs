using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Tests.Wire;

/// <summary>CsCheck generators shared by the wire-format tests: addresses, every repr, and well-formed packets.</summary>
internal static class WireGenerators
{
    public static readonly Gen<MacAddress> Mac = Gen.ULong.Select(MacAddress.FromUInt64);

    public static readonly Gen<IPv4Address> IPv4 = Gen.UInt.Select(v => new IPv4Address(v));

    /// <summary>Any bytes, mostly short (the interesting lengths are around header sizes).</summary>
    public static readonly Gen<byte[]> Bytes = Gen.Byte.Array[0, 100];

    public static readonly Gen<EthernetRepr> Ethernet =
        Gen.Select(Mac, Mac, Gen.UShort, (source, destination, type) => new EthernetRepr(source, destination, (EtherType)type));

    public static readonly Gen<ArpRepr> Arp =
        Gen.Select(Gen.OneOf(ArpOperation.Request, ArpOperation.Reply), Mac, IPv4, Mac, IPv4,
                   (op, sha, spa, tha, tpa) => new ArpRepr(op, sha, spa, tha, tpa));

    public static readonly Gen<IPv4Repr> IPv4Header =
        Gen.Select(IPv4, IPv4, Gen.Byte, Gen.Int[0, 1480], Gen.Byte, Gen.UShort, Gen.Bool, Gen.Bool, Gen.Int[0, 8191],
                   Gen.Byte[0, 63], Gen.Byte[0, 3],
                   (source, destination, protocol, payloadLength, ttl, id, df, mf, offsetUnits, dscp, ecn) =>
                       new IPv4Repr(source, destination, (IpProtocol)protocol, payloadLength, ttl)
                       {
                           Identification = id,
                           DontFragment = df,
                           MoreFragments = mf,
                           FragmentOffset = offsetUnits * 8,
                           Dscp = dscp,
                           Ecn = ecn,
                       });

    public static readonly Gen<UdpRepr> Udp =
        Gen.Select(Gen.UShort, Gen.UShort, Gen.Int[0, 1472], (source, destination, length) => new UdpRepr(source, destination, length));

    /// <summary>IPv4 options that follow RFC 791's format, padded with end-of-list to a multiple of 4, at most 40 bytes.</summary>
    public static readonly Gen<byte[]> Options =
        Gen.OneOf(
            Gen.Const(0).Select(_ => Array.Empty<byte>()),
            Gen.Int[1, 6].SelectMany(count => Gen.OneOf(
                    Gen.Const(new byte[] { IPv4Option.NoOperation }),
                    Gen.Select(Gen.Byte[2, 255], Gen.Byte.Array[0, 6], (type, data) =>
                    {
                        var option = new byte[data.Length + 2];
                        option[0] = type;
                        option[1] = (byte)option.Length;
                        data.CopyTo(option, 2);
                        return option;
                    })).Array[count])
                .Select(parts =>
                {
                    var options = new List<byte>();
                    foreach (byte[] part in parts)
                    {
                        if (options.Count + part.Length > 40) break;
                        options.AddRange(part);
                    }
                    while (options.Count % 4 != 0) options.Add(IPv4Option.EndOfList);
                    return options.ToArray();
                }));

    /// <summary>An IPv4 header (random options) and 8 to 40 bytes of the original datagram, as an ICMP error quotes it.</summary>
    public static readonly Gen<byte[]> Quoted =
        Gen.Select(IPv4Header, Options, Gen.Byte.Array[8, 40], (repr, options, data) =>
        {
            byte[] header = BuildIPv4(repr with { PayloadLength = data.Length }, options, 0);
            int headerLength = IPv4Packet.MinHeaderLength + options.Length;
            data.CopyTo(header, headerLength);
            return header;
        });

    /// <summary>
    /// An ICMP repr with data that parses: echo data is anything, an error's data quotes an emitted IPv4 header
    /// (sometimes with options) and 8 or more bytes after it.
    /// </summary>
    public static readonly Gen<(IcmpV4Repr Repr, byte[] Data)> Icmp =
        Gen.OneOf(
            Gen.Select(Gen.Bool, Gen.UShort, Gen.UShort, Gen.Byte.Array[0, 200], (request, id, seq, data) =>
                (request ? IcmpV4Repr.EchoRequest(id, seq, data.Length) : IcmpV4Repr.EchoReply(id, seq, data.Length), data)),
            Gen.Select(Gen.Byte[0, 15], Gen.UShort, Quoted, (code, mtu, quoted) =>
                (code == (byte)IcmpV4UnreachableCode.FragmentationNeeded
                    ? IcmpV4Repr.FragmentationNeeded(mtu, quoted.Length)
                    : IcmpV4Repr.DestinationUnreachable((IcmpV4UnreachableCode)code, quoted.Length), quoted)),
            Gen.Select(Gen.Byte[0, 1], Quoted, (code, quoted) =>
                (IcmpV4Repr.TimeExceeded((IcmpV4TimeExceededCode)code, quoted.Length), quoted)),
            Gen.Select(Gen.Byte, Quoted, (pointer, quoted) => (IcmpV4Repr.ParameterProblem(pointer, quoted.Length), quoted)));

    /// <summary>A checked-valid IPv4 packet: a repr, options, payload bytes and optional link padding after the total length.</summary>
    public static readonly Gen<byte[]> ValidIPv4Packet =
        Gen.Select(IPv4Header, Options, Gen.Int[0, 6], (repr, options, padding) => BuildIPv4(repr with { PayloadLength = repr.PayloadLength % 64 }, options, padding));

    /// <summary>Emits <paramref name="repr"/>, splices in <paramref name="options"/> (fixing IHL, total length and checksum), fills the payload with a pattern and appends padding.</summary>
    public static byte[] BuildIPv4(IPv4Repr repr, byte[] options, int padding)
    {
        int headerLength = IPv4Packet.MinHeaderLength + options.Length;
        var bytes = new byte[headerLength + repr.PayloadLength + padding];
        repr.Emit(bytes);
        options.CopyTo(bytes, IPv4Packet.MinHeaderLength);
        for (int i = headerLength; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
        var packet = IPv4Packet.CreateUnchecked(bytes);
        packet.HeaderLength = headerLength;
        packet.TotalLength = (ushort)(headerLength + repr.PayloadLength);
        packet.FillChecksum();
        return bytes;
    }
}
