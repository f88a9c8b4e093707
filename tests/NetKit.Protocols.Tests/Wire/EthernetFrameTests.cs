using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class EthernetFrameTests
{
    private static readonly byte[] ArpBroadcast = Convert.FromHexString("ffffffffffff0200000000010806" + "00010800060400010200000000010a000001000000000000");

    [Fact]
    public void Reads_the_header_fields()
    {
        byte[] bytes = (byte[])ArpBroadcast.Clone();
        Assert.Equal(WireError.None, EthernetFrame.TryCreate(bytes, out EthernetFrame frame));
        Assert.Equal(MacAddress.Broadcast, frame.Destination);
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), frame.Source);
        Assert.Equal(EtherType.Arp, frame.EtherType);
        Assert.False(frame.IsVlanTagged);
        Assert.Equal(bytes.Length - 14, frame.Payload.Length);
        Assert.Equal("Ethernet 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff type=0x0806 (ARP) payload=24", frame.ToString());
    }

    [Fact]
    public void Every_truncation_of_the_header_is_rejected()
    {
        for (int length = 0; length < EthernetFrame.HeaderLength; length++)
        {
            Assert.Equal(WireError.Truncated, EthernetFrame.TryCreate(ArpBroadcast.AsSpan(0, length).ToArray(), out EthernetFrame frame));
            Assert.True(frame.Buffer.IsEmpty);
        }
        Assert.Equal(WireError.None, EthernetFrame.TryCreate(ArpBroadcast.AsSpan(0, 14).ToArray(), out EthernetFrame empty));
        Assert.True(empty.Payload.IsEmpty);
    }

    [Fact]
    public void Setters_write_big_endian_fields()
    {
        var bytes = new byte[20];
        var frame = EthernetFrame.CreateUnchecked(bytes);
        frame.Destination = MacAddress.Parse("01:02:03:04:05:06");
        frame.Source = MacAddress.Parse("0a:0b:0c:0d:0e:0f");
        frame.EtherType = EtherType.Vlan;
        Assert.Equal("0102030405060a0b0c0d0e0f8100", Convert.ToHexString(bytes, 0, 14).ToLowerInvariant());
        Assert.True(frame.IsVlanTagged);
        frame.EtherType = EtherType.ServiceVlan;
        Assert.True(frame.IsVlanTagged);
    }

    [Fact]
    public void Repr_round_trips()
    {
        Gen.Select(WireGenerators.Ethernet, Gen.Int[0, 50]).Sample((repr, payload) =>
        {
            var bytes = new byte[repr.BufferLength(payload)];
            repr.Emit(bytes);
            Assert.Equal(WireError.None, EthernetFrame.TryCreate(bytes, out EthernetFrame frame));
            Assert.Equal(repr, EthernetRepr.Parse(frame));
            Assert.Equal(payload, frame.Payload.Length);
        }, iter: 2000);
    }

    [Fact]
    public void Repr_prints_one_line()
    {
        var repr = new EthernetRepr(MacAddress.Parse("02:00:00:00:00:01"), MacAddress.Broadcast, EtherType.IPv4);
        Assert.Equal("Ethernet 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff type=0x0800 (IPv4)", repr.ToString());
        Assert.Equal("Ethernet 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff type=0x88cc", (repr with { EtherType = (EtherType)0x88cc }).ToString());
        Assert.Equal(14, repr.HeaderLength);
    }

    [Fact]
    public void Emit_into_a_short_buffer_throws_and_parse_of_a_short_frame_reports_why()
    {
        var repr = new EthernetRepr(MacAddress.Zero, MacAddress.Broadcast, EtherType.IPv4);
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[13]));
        var error = Assert.Throws<WireFormatException>(() => EthernetRepr.Parse(EthernetFrame.CreateUnchecked(new byte[3])));
        Assert.Equal(WireError.Truncated, error.Error);
        Assert.Equal("Ethernet [malformed: Truncated]", EthernetFrame.CreateUnchecked(new byte[3]).ToString());
    }
}
