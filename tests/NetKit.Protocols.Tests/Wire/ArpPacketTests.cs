using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class ArpPacketTests
{
    // Who has 10.0.0.1? Tell 10.0.0.2 (02:00:00:00:00:02).
    private static readonly byte[] Request = Convert.FromHexString("0001080006040001020000000002" + "0a000002" + "000000000000" + "0a000001");

    [Fact]
    public void Reads_a_request()
    {
        byte[] bytes = (byte[])Request.Clone();
        Assert.Equal(WireError.None, ArpPacket.TryCreate(bytes, out ArpPacket packet));
        Assert.Equal(ArpOperation.Request, packet.Operation);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:02"), packet.SenderHardwareAddress);
        Assert.Equal(IPv4Address.Parse("10.0.0.2"), packet.SenderProtocolAddress);
        Assert.Equal(MacAddress.Zero, packet.TargetHardwareAddress);
        Assert.Equal(IPv4Address.Parse("10.0.0.1"), packet.TargetProtocolAddress);
        Assert.Equal(ArpRepr.Request(MacAddress.Parse("02:00:00:00:00:02"), IPv4Address.Parse("10.0.0.2"), IPv4Address.Parse("10.0.0.1")), ArpRepr.Parse(packet));
        Assert.Equal("ARP request who-has 10.0.0.1 tell 10.0.0.2 (02:00:00:00:00:02)", packet.ToString());
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        for (int length = 0; length < ArpPacket.Length; length++)
            Assert.Equal(WireError.Truncated, ArpPacket.TryCreate(Request.AsSpan(0, length).ToArray(), out _));
        // Ethernet padding after the 28 bytes is fine.
        byte[] padded = new byte[46];
        Request.CopyTo(padded, 0);
        Assert.Equal(WireError.None, ArpPacket.TryCreate(padded, out _));
    }

    [Theory]
    [InlineData(0, 0x00, 0x06)] // hardware type 6 (IEEE 802)
    [InlineData(2, 0x86, 0xDD)] // protocol type IPv6
    [InlineData(4, 0x08, 0x04)] // hardware length 8, protocol length 4
    [InlineData(4, 0x06, 0x10)] // protocol length 16
    public void Other_links_and_protocols_are_unsupported(int offset, byte first, byte second)
    {
        byte[] bytes = (byte[])Request.Clone();
        bytes[offset] = first;
        bytes[offset + 1] = second;
        Assert.Equal(WireError.Unsupported, ArpPacket.TryCreate(bytes, out _));
        // Types are judged before the address length they imply, so a short foreign packet is also unsupported.
        Assert.Equal(WireError.Unsupported, ArpPacket.TryCreate(bytes.AsSpan(0, 8).ToArray(), out _));
    }

    [Fact]
    public void Opcodes_other_than_request_and_reply_are_unsupported_by_the_repr()
    {
        byte[] bytes = (byte[])Request.Clone();
        bytes[7] = 3; // RARP request (RFC 903)
        Assert.Equal(WireError.None, ArpPacket.TryCreate(bytes, out ArpPacket packet));
        Assert.Equal(WireError.Unsupported, ArpRepr.TryParse(packet, out _));
        Assert.Equal("ARP op=3 10.0.0.2 (02:00:00:00:00:02) > 10.0.0.1 (00:00:00:00:00:00)", packet.ToString());
    }

    [Fact]
    public void Repr_round_trips()
    {
        WireGenerators.Arp.Sample(repr =>
        {
            var bytes = new byte[repr.BufferLength];
            repr.Emit(bytes);
            Assert.Equal(WireError.None, ArpPacket.TryCreate(bytes, out ArpPacket packet));
            Assert.Equal(repr, ArpRepr.Parse(packet));
        }, iter: 2000);
    }

    [Fact]
    public void Reply_prints_one_line()
    {
        var reply = new ArpRepr(ArpOperation.Reply, MacAddress.Parse("02:00:00:00:00:01"), IPv4Address.Parse("10.0.0.1"),
                                MacAddress.Parse("02:00:00:00:00:02"), IPv4Address.Parse("10.0.0.2"));
        Assert.Equal("ARP reply 10.0.0.1 is-at 02:00:00:00:00:01 to 10.0.0.2 (02:00:00:00:00:02)", reply.ToString());
        var bytes = new byte[28];
        reply.Emit(bytes);
        Assert.Equal(reply.ToString(), ArpPacket.CreateUnchecked(bytes).ToString());
        Assert.Equal("ARP [malformed: Truncated]", ArpPacket.CreateUnchecked(bytes.AsSpan(0, 27)).ToString());
    }
}
