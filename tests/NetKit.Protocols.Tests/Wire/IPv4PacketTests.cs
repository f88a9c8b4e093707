using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class IPv4PacketTests
{
    // 10.0.0.2 > 10.0.0.1, UDP, total length 48, TTL 64, id 0x1234, DF.
    private static byte[] Sample()
    {
        var repr = new IPv4Repr(IPv4Address.Parse("10.0.0.2"), IPv4Address.Parse("10.0.0.1"), IpProtocol.Udp, 28)
        {
            Identification = 0x1234,
            DontFragment = true,
        };
        var bytes = new byte[48];
        repr.Emit(bytes);
        return bytes;
    }

    [Fact]
    public void Emits_the_expected_bytes_and_prints_one_line()
    {
        byte[] bytes = Sample();
        Assert.Equal("45000030123440004011", Convert.ToHexString(bytes, 0, 10));
        Assert.Equal("0a0000020a000001", Convert.ToHexString(bytes, 12, 8).ToLowerInvariant());
        Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
        Assert.True(packet.VerifyChecksum());
        Assert.Equal("IPv4 10.0.0.2 > 10.0.0.1 proto=17 len=48 ttl=64 id=0x1234 DF", packet.ToString());
        Assert.Equal(packet.ToString(), IPv4Repr.Parse(packet).ToString());
    }

    [Fact]
    public void Reads_every_field()
    {
        byte[] bytes = Convert.FromHexString("46b9001c1234a0b90a06000001020304050607080101000044332211");
        var packet = IPv4Packet.CreateUnchecked(bytes);
        packet.FillChecksum();
        Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out packet));
        Assert.Equal(4, packet.Version);
        Assert.Equal(24, packet.HeaderLength);
        Assert.Equal(0xb9, packet.TypeOfService);
        Assert.Equal(0xb9 >> 2, packet.Dscp);
        Assert.Equal(1, packet.Ecn);
        Assert.Equal(28, packet.TotalLength);
        Assert.Equal(0x1234, packet.Identification);
        Assert.False(packet.DontFragment);
        Assert.True(packet.MoreFragments);
        Assert.Equal(0xb9 * 8, packet.FragmentOffset);
        Assert.True(packet.IsFragment);
        Assert.Equal(10, packet.TimeToLive);
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal(IPv4Address.Parse("1.2.3.4"), packet.Source);
        Assert.Equal(IPv4Address.Parse("5.6.7.8"), packet.Destination);
        Assert.Equal(new byte[] { 1, 1, 0, 0 }, packet.Options.ToArray());
        Assert.Equal(new byte[] { 0x44, 0x33, 0x22, 0x11 }, packet.Payload.ToArray());
        Assert.Equal("IPv4 1.2.3.4 > 5.6.7.8 proto=6 len=28 ttl=10 id=0x1234 MF off=1480 tos=0xb9 opts=4", packet.ToString());
        // The reserved flag bit (0x80 of byte 6) is set in the input and is ignored, not an error.
        Assert.Equal(WireError.None, IPv4Repr.TryParse(packet, out IPv4Repr repr));
        Assert.Equal(4, repr.PayloadLength);
    }

    [Fact]
    public void Setters_change_only_their_bits()
    {
        var bytes = new byte[20];
        var packet = IPv4Packet.CreateUnchecked(bytes);
        packet.Version = 4;
        packet.HeaderLength = 60;
        Assert.Equal(0x4F, bytes[0]);
        packet.Dscp = 46;
        packet.Ecn = 3;
        Assert.Equal(46 << 2 | 3, bytes[1]);
        packet.Ecn = 0;
        Assert.Equal(46, packet.Dscp);
        packet.FragmentOffset = 65528;
        packet.DontFragment = true;
        Assert.Equal(0x5F, bytes[6]);
        Assert.Equal(0xFF, bytes[7]);
        packet.MoreFragments = true;
        packet.DontFragment = false;
        Assert.Equal(0x3F, bytes[6]);
        Assert.Equal(65528, packet.FragmentOffset);
        Assert.Throws<ArgumentOutOfRangeException>(() => IPv4Packet.CreateUnchecked(bytes).FragmentOffset = 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => IPv4Packet.CreateUnchecked(bytes).HeaderLength = 22);
        Assert.Throws<ArgumentOutOfRangeException>(() => IPv4Packet.CreateUnchecked(bytes).Dscp = 64);
    }

    [Fact]
    public void Every_truncation_of_a_valid_packet_is_rejected_as_truncated()
    {
        WireGenerators.ValidIPv4Packet.Sample(bytes =>
        {
            Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet whole));
            int totalLength = whole.TotalLength;
            for (int length = 0; length < totalLength; length++)
                Assert.Equal(WireError.Truncated, IPv4Packet.TryCreate(bytes.AsSpan(0, length), out _));
        }, iter: 500);
    }

    [Fact]
    public void Link_padding_after_the_total_length_is_left_out_of_the_payload()
    {
        var repr = new IPv4Repr(IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("10.0.0.2"), IpProtocol.Icmp, 8);
        byte[] bytes = WireGenerators.BuildIPv4(repr, [], padding: 18); // a 28-byte packet in a 46-byte Ethernet payload
        Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
        Assert.Equal(8, packet.Payload.Length);
        Assert.Equal(46, packet.Buffer.Length);
        Assert.Equal(repr, IPv4Repr.Parse(packet));
    }

    [Theory]
    [InlineData(0x65, WireError.BadVersion)]
    [InlineData(0x05, WireError.BadVersion)]
    [InlineData(0x44, WireError.BadHeaderLength)]
    [InlineData(0x40, WireError.BadHeaderLength)]
    [InlineData(0x4F, WireError.Truncated)] // IHL 15 = 60 bytes > the 48-byte buffer
    public void Version_and_header_length_are_validated(byte versionIhl, WireError expected)
    {
        byte[] bytes = Sample();
        bytes[0] = versionIhl;
        Assert.Equal(expected, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
        Assert.True(packet.Buffer.IsEmpty);
    }

    [Theory]
    [InlineData(0, WireError.BadTotalLength)]
    [InlineData(19, WireError.BadTotalLength)]
    [InlineData(20, WireError.None)]
    [InlineData(48, WireError.None)]
    [InlineData(49, WireError.Truncated)]
    [InlineData(65535, WireError.Truncated)]
    public void Total_length_must_cover_the_header_and_fit_the_buffer(int totalLength, WireError expected)
    {
        byte[] bytes = Sample();
        var packet = IPv4Packet.CreateUnchecked(bytes);
        packet.TotalLength = (ushort)totalLength;
        packet.FillChecksum();
        Assert.Equal(expected, packet.Check());
    }

    [Fact]
    public void Total_length_below_a_header_with_options_is_rejected()
    {
        byte[] bytes = WireGenerators.BuildIPv4(new IPv4Repr(default, default, IpProtocol.Udp, 0), [1, 1, 1, 0], 0);
        var packet = IPv4Packet.CreateUnchecked(bytes);
        packet.TotalLength = 22;
        Assert.Equal(WireError.BadTotalLength, packet.Check());
    }

    [Fact]
    public void A_bad_header_checksum_is_reported_by_the_repr_and_can_be_skipped()
    {
        byte[] bytes = Sample();
        bytes[10] ^= 0x01;
        Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
        Assert.False(packet.VerifyChecksum());
        Assert.Equal(WireError.BadChecksum, IPv4Repr.TryParse(packet, out _));
        Assert.Equal(WireError.None, IPv4Repr.TryParse(packet, out _, verifyChecksum: false));
        Assert.Equal(WireError.BadChecksum, Assert.Throws<WireFormatException>(() => IPv4Repr.Parse(IPv4Packet.CreateUnchecked(bytes))).Error);
    }

    [Fact]
    public void A_checksum_error_anywhere_in_the_header_is_detected()
    {
        Gen.Select(WireGenerators.ValidIPv4Packet, Gen.Int, Gen.Byte[1, 255]).Sample((bytes, index, flip) =>
        {
            var packet = IPv4Packet.CreateUnchecked(bytes);
            int at = (int)((uint)index % (uint)packet.HeaderLength);
            bytes[at] ^= flip;
            WireError error = IPv4Packet.TryCreate(bytes, out packet);
            return error != WireError.None || IPv4Repr.TryParse(packet, out _) == WireError.BadChecksum;
        }, iter: 5000);
    }

    public static TheoryData<byte[]> OptionsRunningPastTheHeader => new()
    {
        new byte[] { 0x07, 0x08, 0x04, 0x00 },             // record route claiming 8 bytes in a 4-byte area
        new byte[] { 0x01, 0x01, 0x01, 0x83 },             // loose source route with no room for its length octet
        new byte[] { 0x44, 0x00, 0x00, 0x00 },             // length 0
        new byte[] { 0x44, 0x01, 0x00, 0x00 },             // length 1 (below type + length)
        new byte[] { 0x94, 0x04, 0x00, 0x00, 0x07, 0x05, 0x04, 0x00 }, // router alert, then an option 1 byte too long
    };

    [Theory]
    [MemberData(nameof(OptionsRunningPastTheHeader))]
    public void Options_that_run_past_the_header_are_rejected(byte[] options)
    {
        // The bytes after the header are readable, so a parser that ignored IHL would not fail here.
        byte[] bytes = WireGenerators.BuildIPv4(new IPv4Repr(default, default, IpProtocol.Udp, 16), options, 0);
        Assert.Equal(WireError.BadOptions, IPv4Packet.TryCreate(bytes, out _));
        // Walking them anyway stops at the bad option instead of reading past the options area.
        var packet = IPv4Packet.CreateUnchecked(bytes);
        int seen = 0;
        foreach (IPv4Option option in packet.EnumerateOptions())
        {
            Assert.True(option.Data.Length <= options.Length);
            seen++;
        }
        Assert.True(seen < options.Length);
    }

    [Fact]
    public void Options_are_walked_by_their_length()
    {
        // NOP, router alert (RFC 2113: type 148, length 4, value 0), a 3-byte option, end of list, padding.
        byte[] options = [0x01, 0x94, 0x04, 0x00, 0x00, 0x88, 0x03, 0x7f, 0x00, 0xEE, 0xEE, 0xEE];
        byte[] bytes = WireGenerators.BuildIPv4(new IPv4Repr(default, default, IpProtocol.Udp, 0), options, 0);
        Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
        var seen = new List<(byte Type, string Data, bool Copied)>();
        foreach (IPv4Option option in packet.EnumerateOptions())
            seen.Add((option.Type, Convert.ToHexString(option.Data), option.IsCopied));
        Assert.Equal(new (byte, string, bool)[] { (0x01, "", false), (0x94, "0000", true), (0x88, "7F", true), (0x00, "", false) }, seen);
    }

    [Fact]
    public void Generated_options_validate_and_walk_to_their_end()
    {
        WireGenerators.Options.Sample(options =>
        {
            if (IPv4OptionEnumerator.Validate(options) != WireError.None) return false;
            int covered = 0;
            foreach (IPv4Option option in new IPv4OptionEnumerator(options))
            {
                if (option.Type == IPv4Option.EndOfList) return true;
                covered += option.Type == IPv4Option.NoOperation ? 1 : option.Data.Length + 2;
            }
            return covered == options.Length;
        }, iter: 2000);
    }

    [Fact]
    public void Repr_round_trips()
    {
        WireGenerators.IPv4Header.Sample(repr =>
        {
            var bytes = new byte[repr.BufferLength];
            repr.Emit(bytes);
            Assert.Equal(WireError.None, IPv4Packet.TryCreate(bytes, out IPv4Packet packet));
            Assert.True(packet.VerifyChecksum());
            Assert.Equal(repr, IPv4Repr.Parse(packet));
            Assert.Equal(repr.PayloadLength, packet.Payload.Length);
        }, iter: 5000);
    }

    [Fact]
    public void Repr_emits_the_largest_payload_and_refuses_a_larger_one()
    {
        var repr = new IPv4Repr(IPv4Address.Loopback, IPv4Address.Loopback, IpProtocol.Udp, IPv4Repr.MaxPayloadLength);
        var bytes = new byte[65535];
        repr.Emit(bytes);
        Assert.Equal(repr, IPv4Repr.Parse(IPv4Packet.CreateUnchecked(bytes)));
        Assert.Throws<InvalidOperationException>(() => (repr with { PayloadLength = IPv4Repr.MaxPayloadLength + 1 }).Emit(new byte[65536]));
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[19]));
        Assert.Throws<ArgumentOutOfRangeException>(() => (repr with { FragmentOffset = 4 }).Emit(bytes));
    }

    [Fact]
    public void Malformed_view_prints_its_error()
        => Assert.Equal("IPv4 [malformed: BadVersion]", IPv4Packet.CreateUnchecked(new byte[20]).ToString());
}
