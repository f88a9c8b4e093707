using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;
using CsCheck;
using NetKit.Protocols.Wire;
using PacketDotNet.Tcp;
using PacketDotNet.Utils;
using Xunit;
using PdnIPv4Packet = PacketDotNet.IPv4Packet;
using PdnTcpPacket = PacketDotNet.TcpPacket;
using WireIPv4Packet = NetKit.Protocols.Wire.IPv4Packet;

namespace NetKit.Protocols.Tests.Wire;

/// <summary>
/// Differential tests against PacketDotNet: TCP segments NetKit emits read the same there with a valid checksum, and
/// segments PacketDotNet builds read the same here.
/// </summary>
[Collection("PacketDotNet")]
public sealed class TcpPacketDotNetTests
{
    private const int Iterations = 500;

    private static IPAddress ToPdn(IPv4Address address)
    {
        var bytes = new byte[4];
        address.WriteTo(bytes);
        return new IPAddress(bytes);
    }

    // PacketDotNet decodes a payload whose third byte is 0xD0 as DRDA and then hides it from PayloadData.
    private static byte[] PlainPayload(int length, int seed)
    {
        byte[] payload = TcpGenerators.Payload(length, seed);
        if (payload.Length > 2 && payload[2] == 0xD0) payload[2] = 0;
        return payload;
    }

    /// <summary>IPv4 header and the emitted segment.</summary>
    private static byte[] EmitPacket(TcpRepr tcp, byte[] payload, IPv4Address source, IPv4Address destination)
    {
        var ip = new IPv4Repr(source, destination, IpProtocol.Tcp, tcp.BufferLength);
        var bytes = new byte[ip.BufferLength];
        ip.Emit(bytes);
        tcp.Emit(bytes.AsSpan(ip.HeaderLength), payload, source, destination);
        return bytes;
    }

    /// <summary>
    /// PacketDotNet's view of the options as a <see cref="TcpOptions"/>. Its SACK blocks are read as 16-bit words,
    /// so they are decoded here from the option's bytes.
    /// </summary>
    private static TcpOptions FromPdn(List<TcpOption>? options)
    {
        var result = new TcpOptions();
        foreach (TcpOption option in options ?? [])
        {
            switch (option)
            {
                case MaximumSegmentSizeOption mss:
                    result.MaxSegmentSize = mss.Value;
                    break;
                case WindowScaleFactorOption ws:
                    result.HasWindowScale = true;
                    result.WindowScale = (byte)ws.ScaleFactor;
                    break;
                case SelectiveAcknowledgmentPermittedOption:
                    result.SackPermitted = true;
                    break;
                case TimeStampOption ts:
                    result.HasTimestamps = true;
                    result.TimestampValue = ts.Value;
                    result.TimestampEcho = ts.EchoReply;
                    break;
                case SelectiveAcknowledgmentOption sack:
                    byte[] bytes = sack.Bytes;
                    for (int at = 2; at + 8 <= bytes.Length; at += 8)
                        result.AddSackBlock(new TcpSackBlock(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at)),
                                                             BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 4))));
                    break;
                case NoOperationOption or EndOfOptionsOption:
                    break;
                default:
                    Assert.Fail($"PacketDotNet found an option NetKit did not send: {option}");
                    break;
            }
        }
        return result;
    }

    [Fact]
    public void Segments_we_emit_read_the_same_in_PacketDotNet()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int).Sample((tcp, source, destination, seed) =>
        {
            tcp = tcp with { PayloadLength = tcp.PayloadLength % 300 };
            byte[] payload = PlainPayload(tcp.PayloadLength, seed);
            byte[] bytes = EmitPacket(tcp, payload, source, destination);

            var theirs = new PdnIPv4Packet(new ByteArraySegment(bytes)).Extract<PdnTcpPacket>();
            Assert.NotNull(theirs);
            Assert.Equal(tcp.SourcePort, theirs.SourcePort);
            Assert.Equal(tcp.DestinationPort, theirs.DestinationPort);
            Assert.Equal(tcp.SequenceNumber, theirs.SequenceNumber);
            Assert.Equal(tcp.AcknowledgmentNumber, theirs.AcknowledgmentNumber);
            Assert.Equal(tcp.HeaderLength, theirs.DataOffset * 4); // PacketDotNet counts 32-bit words
            // PacketDotNet's flags are nine bits, the ninth the old NS bit (RFC 3540, now reserved): NetKit sends 0.
            Assert.Equal((int)tcp.Flags, theirs.Flags);
            Assert.Equal(tcp.WindowSize, theirs.WindowSize);
            Assert.Equal(tcp.UrgentPointer, (ushort)theirs.UrgentPointer); // PacketDotNet reads it as a signed short
            Assert.True(theirs.ValidTcpChecksum);
            Assert.True(theirs.ValidChecksum);
            Assert.Equal(payload, theirs.PayloadData ?? []);
            // PacketDotNet will not read the options of a segment with URG set.
            if ((tcp.Flags & TcpFlags.Urg) == 0) Assert.Equal(tcp.Options, FromPdn(theirs.OptionsCollection));
        }, iter: Iterations);
    }

    [Fact]
    public void A_full_SYN_reads_the_same_in_PacketDotNet()
    {
        var options = new TcpOptions
        {
            MaxSegmentSize = 1460,
            SackPermitted = true,
            HasTimestamps = true,
            TimestampValue = 0xDEADBEEF,
            TimestampEcho = 0,
            HasWindowScale = true,
            WindowScale = 14,
        };
        var tcp = new TcpRepr(40000, 443, 0x89ABCDEF, 0, TcpFlags.Syn | TcpFlags.Ece | TcpFlags.Cwr, 65535, 0, options, 0);
        byte[] bytes = EmitPacket(tcp, [], IPv4Address.Parse("192.168.1.2"), IPv4Address.Parse("93.184.216.34"));
        var theirs = new PdnIPv4Packet(new ByteArraySegment(bytes)).Extract<PdnTcpPacket>();
        Assert.True(theirs.Synchronize);
        Assert.True(theirs.ExplicitCongestionNotificationEcho);
        Assert.True(theirs.CongestionWindowReduced);
        Assert.False(theirs.Acknowledgment);
        Assert.True(theirs.ValidTcpChecksum);
        Assert.Equal(options, FromPdn(theirs.OptionsCollection));
    }

    [Fact]
    public void Segments_PacketDotNet_builds_read_the_same_here()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int).Sample((tcp, source, destination, seed) =>
        {
            byte[] payload = PlainPayload(tcp.PayloadLength % 300, seed);
            var theirs = new PdnTcpPacket(tcp.SourcePort, tcp.DestinationPort)
            {
                SequenceNumber = tcp.SequenceNumber,
                AcknowledgmentNumber = tcp.AcknowledgmentNumber,
                Flags = (ushort)tcp.Flags,
                WindowSize = tcp.WindowSize,
                UrgentPointer = unchecked((short)tcp.UrgentPointer),
                PayloadData = payload,
            };
            byte[] bytes = Build(theirs, source, destination);

            TcpRepr ours = ParseHere(bytes, source, destination, out byte[] ourPayload);
            Assert.Equal(tcp with { Options = default, PayloadLength = payload.Length }, ours);
            Assert.Equal(payload, ourPayload);
        }, iter: Iterations);
    }

    [Fact]
    public void Options_in_any_order_with_end_of_list_padding_read_the_same_here()
    {
        // PacketDotNet cannot lay out options itself, so the test packs them unaligned in a shuffled order, ending in
        // end-of-list padding (RFC 9293 §3.2), and PacketDotNet fills every other field and the checksum.
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int).Sample((tcp, source, destination, seed) =>
        {
            var random = new Random(seed);
            var parts = new List<byte[]>();
            TcpOptions options = tcp.Options;
            if (options.MaxSegmentSize != 0) parts.Add([2, 4, (byte)(options.MaxSegmentSize >> 8), (byte)options.MaxSegmentSize]);
            if (options.HasWindowScale) parts.Add([3, 3, options.WindowScale]);
            if (options.SackPermitted) parts.Add([4, 2]);
            if (options.HasTimestamps)
            {
                var ts = new byte[10];
                ts[0] = 8;
                ts[1] = 10;
                BinaryPrimitives.WriteUInt32BigEndian(ts.AsSpan(2), options.TimestampValue);
                BinaryPrimitives.WriteUInt32BigEndian(ts.AsSpan(6), options.TimestampEcho);
                parts.Add(ts);
            }
            int used = 0;
            foreach (byte[] part in parts) used += part.Length;
            // Without the NOPs more SACK blocks may fit than TcpOptions.Emit would send; keep what fits in 40 bytes.
            int sackBlocks = Math.Min(options.SackBlockCount, (TcpOptions.MaxLength - used - 2) / 8);
            options.ClearSackBlocks();
            for (int i = 0; i < sackBlocks; i++) options.AddSackBlock(tcp.Options.GetSackBlock(i));
            if (sackBlocks > 0)
            {
                var sack = new byte[2 + 8 * sackBlocks];
                sack[0] = 5;
                sack[1] = (byte)sack.Length;
                for (int i = 0; i < sackBlocks; i++)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(sack.AsSpan(2 + 8 * i), options.GetSackBlock(i).Left);
                    BinaryPrimitives.WriteUInt32BigEndian(sack.AsSpan(6 + 8 * i), options.GetSackBlock(i).Right);
                }
                parts.Add(sack);
            }
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(parts));
            var area = new List<byte>();
            foreach (byte[] part in parts) area.AddRange(part);
            while (area.Count % 4 != 0) area.Add(0);

            var header = new byte[TcpSegment.MinHeaderLength + area.Count];
            header[12] = (byte)(header.Length / 4 << 4);
            byte[] payload = PlainPayload(tcp.PayloadLength % 100, seed);
            var theirs = new PdnTcpPacket(new ByteArraySegment(header))
            {
                SourcePort = tcp.SourcePort,
                DestinationPort = tcp.DestinationPort,
                SequenceNumber = tcp.SequenceNumber,
                AcknowledgmentNumber = tcp.AcknowledgmentNumber,
                Flags = (ushort)tcp.Flags,
                WindowSize = tcp.WindowSize,
                UrgentPointer = unchecked((short)tcp.UrgentPointer),
                Options = area.ToArray(),
                PayloadData = payload,
            };
            byte[] bytes = Build(theirs, source, destination);

            TcpRepr ours = ParseHere(bytes, source, destination, out byte[] ourPayload);
            Assert.Equal(tcp with { Options = options, PayloadLength = payload.Length }, ours);
            Assert.Equal(payload, ourPayload);
        }, iter: Iterations);
    }

    [Fact]
    public void PacketDotNet_and_NetKit_agree_on_which_TCP_checksums_are_valid()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int, Gen.Byte).Sample((tcp, source, destination, index, flip) =>
        {
            tcp = tcp with { PayloadLength = tcp.PayloadLength % 64 };
            byte[] bytes = EmitPacket(tcp, PlainPayload(tcp.PayloadLength, index), source, destination);
            // Corrupt one byte of the segment (or none, when flip is 0), leaving the data offset alone.
            int at = WireIPv4Packet.MinHeaderLength + (int)((uint)index % (uint)tcp.BufferLength);
            if (at != WireIPv4Packet.MinHeaderLength + 12) bytes[at] ^= flip;

            var theirs = new PdnIPv4Packet(new ByteArraySegment(bytes)).Extract<PdnTcpPacket>();
            Assert.NotNull(theirs);
            bool ours = TcpSegment.CreateUnchecked(bytes.AsSpan(WireIPv4Packet.MinHeaderLength)).VerifyChecksum(source, destination);
            Assert.Equal(theirs.ValidTcpChecksum, ours);
            Assert.Equal(flip == 0 || at == WireIPv4Packet.MinHeaderLength + 12, ours);
        }, iter: Iterations);
    }

    /// <summary>Wraps PacketDotNet's segment in its IPv4 packet and lets it fill the lengths and checksums.</summary>
    private static byte[] Build(PdnTcpPacket tcp, IPv4Address source, IPv4Address destination)
    {
        var ip = new PdnIPv4Packet(ToPdn(source), ToPdn(destination)) { PayloadPacket = tcp };
        tcp.UpdateCalculatedValues();
        ip.UpdateCalculatedValues();
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        Assert.True(tcp.ValidTcpChecksum);
        return ip.Bytes;
    }

    private static TcpRepr ParseHere(byte[] bytes, IPv4Address source, IPv4Address destination, out byte[] payload)
    {
        Assert.Equal(WireError.None, WireIPv4Packet.TryCreate(bytes, out WireIPv4Packet packet));
        IPv4Repr ip = IPv4Repr.Parse(packet);
        Assert.Equal(IpProtocol.Tcp, ip.Protocol);
        Assert.Equal(source, ip.Source);
        Assert.Equal(destination, ip.Destination);
        Assert.Equal(WireError.None, TcpSegment.TryCreate(packet.Payload, out TcpSegment segment));
        payload = segment.Payload.ToArray();
        return TcpRepr.Parse(segment, source, destination);
    }
}
