using System;
using System.Buffers.Binary;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class UdpDatagramTests
{
    private static readonly IPv4Address Source = IPv4Address.Parse("10.0.0.2");
    private static readonly IPv4Address Destination = IPv4Address.Parse("10.0.0.1");

    private static byte[] Emit(UdpRepr repr, ReadOnlySpan<byte> payload, IPv4Address source, IPv4Address destination)
    {
        var bytes = new byte[repr.BufferLength];
        repr.Emit(bytes, payload, source, destination);
        return bytes;
    }

    [Fact]
    public void Reads_ports_length_and_payload()
    {
        byte[] bytes = Emit(new UdpRepr(5353, 53, 3), [1, 2, 3], Source, Destination);
        Assert.Equal("14E90035000B", Convert.ToHexString(bytes, 0, 6));
        Assert.Equal(WireError.None, UdpDatagram.TryCreate(bytes, out UdpDatagram datagram));
        Assert.Equal(5353, datagram.SourcePort);
        Assert.Equal(53, datagram.DestinationPort);
        Assert.Equal(11, datagram.Length);
        Assert.Equal(new byte[] { 1, 2, 3 }, datagram.Payload.ToArray());
        Assert.True(datagram.VerifyChecksum(Source, Destination));
        Assert.False(datagram.VerifyChecksum(Destination, IPv4Address.Parse("10.0.0.3")));
        Assert.Equal($"UDP 5353 > 53 len=11 csum=0x{datagram.Checksum:x4}", datagram.ToString());
        Assert.Equal("UDP 5353 > 53 len=11", UdpRepr.Parse(datagram, Source, Destination).ToString());
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        byte[] bytes = Emit(new UdpRepr(1, 2, 5), [9, 9, 9, 9, 9], Source, Destination);
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(WireError.Truncated, UdpDatagram.TryCreate(bytes.AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0, WireError.BadLength)]
    [InlineData(7, WireError.BadLength)]
    [InlineData(8, WireError.None)]
    [InlineData(12, WireError.None)]
    [InlineData(13, WireError.Truncated)]
    public void Length_field_must_cover_the_header_and_fit_the_buffer(ushort length, WireError expected)
    {
        var bytes = new byte[12];
        var datagram = UdpDatagram.CreateUnchecked(bytes);
        datagram.Length = length;
        Assert.Equal(expected, datagram.Check());
    }

    [Fact]
    public void Bytes_past_the_length_field_are_not_payload_and_not_checksummed()
    {
        byte[] bytes = new byte[20];
        new UdpRepr(7, 7, 4).Emit(bytes, [1, 2, 3, 4], Source, Destination);
        bytes.AsSpan(12).Fill(0xAB);
        Assert.Equal(WireError.None, UdpDatagram.TryCreate(bytes, out UdpDatagram datagram));
        Assert.Equal(4, datagram.Payload.Length);
        Assert.Equal(WireError.None, UdpRepr.TryParse(datagram, Source, Destination, out UdpRepr repr));
        Assert.Equal(new UdpRepr(7, 7, 4), repr);
    }

    [Fact]
    public void A_zero_checksum_means_none_was_sent()
    {
        byte[] bytes = Emit(new UdpRepr(1000, 2000, 2), [0x55, 0x66], Source, Destination);
        bytes[^1] ^= 0xFF; // corrupt the payload ...
        Assert.Equal(WireError.BadChecksum, UdpRepr.TryParse(UdpDatagram.CreateUnchecked(bytes), Source, Destination, out _));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(6), 0); // ... and say there is no checksum
        Assert.Equal(WireError.None, UdpRepr.TryParse(UdpDatagram.CreateUnchecked(bytes), Source, Destination, out _));
        Assert.True(UdpDatagram.CreateUnchecked(bytes).VerifyChecksum(Source, Destination));
    }

    [Fact]
    public void A_computed_checksum_of_zero_is_sent_as_all_ones()
    {
        // Make the sum all ones: emit with a zero final word, then store the complemented sum there.
        var repr = new UdpRepr(1, 2, 6);
        byte[] bytes = Emit(repr, [0x12, 0x34, 0x56, 0x78, 0, 0], Source, Destination);
        ushort checksum = UdpDatagram.CreateUnchecked(bytes).Checksum;
        var payload = new byte[6];
        bytes.AsSpan(8).CopyTo(payload);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(4), checksum);
        bytes = Emit(repr, payload, Source, Destination);
        var datagram = UdpDatagram.CreateUnchecked(bytes);
        Assert.Equal(0xFFFF, datagram.Checksum);
        Assert.True(datagram.VerifyChecksum(Source, Destination));
        Assert.Equal(repr, UdpRepr.Parse(datagram, Source, Destination));
    }

    [Fact]
    public void A_flipped_bit_anywhere_fails_the_checksum()
    {
        Gen.Select(WireGenerators.Udp, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int, Gen.Int[0, 7]).Sample((repr, source, destination, index, bit) =>
        {
            var payload = new byte[repr.PayloadLength];
            new Random(index).NextBytes(payload);
            byte[] bytes = Emit(repr, payload, source, destination);
            int at = (int)((uint)index % (uint)bytes.Length);
            if (at is 4 or 5 or 6 or 7) return true; // length and checksum bytes are tested above
            bytes[at] ^= (byte)(1 << bit);
            return UdpRepr.TryParse(UdpDatagram.CreateUnchecked(bytes), source, destination, out _) == WireError.BadChecksum;
        }, iter: 2000);
    }

    [Fact]
    public void Repr_round_trips()
    {
        Gen.Select(WireGenerators.Udp, WireGenerators.IPv4, WireGenerators.IPv4).Sample((repr, source, destination) =>
        {
            byte[] payload = new byte[repr.PayloadLength];
            new Random(repr.SourcePort).NextBytes(payload);
            byte[] bytes = Emit(repr, payload, source, destination);
            Assert.Equal(WireError.None, UdpDatagram.TryCreate(bytes, out UdpDatagram datagram));
            Assert.NotEqual(0, datagram.Checksum);
            Assert.Equal(repr, UdpRepr.Parse(datagram, source, destination));
            Assert.Equal(payload, datagram.Payload.ToArray());
        }, iter: 3000);
    }

    [Fact]
    public void Emit_checks_its_sizes()
    {
        Assert.Throws<InvalidOperationException>(() => new UdpRepr(1, 1, UdpRepr.MaxPayloadLength + 1).Emit(new byte[65536], Source, Destination));
        Assert.Throws<ArgumentException>(() => new UdpRepr(1, 1, 4).Emit(new byte[11], Source, Destination));
        Assert.Throws<ArgumentException>(() => new UdpRepr(1, 1, 4).Emit(new byte[12], new byte[3], Source, Destination));
        var max = new UdpRepr(1, 1, UdpRepr.MaxPayloadLength);
        var bytes = new byte[65535];
        max.Emit(bytes, Source, Destination);
        Assert.Equal(max, UdpRepr.Parse(UdpDatagram.CreateUnchecked(bytes), Source, Destination));
    }
}
