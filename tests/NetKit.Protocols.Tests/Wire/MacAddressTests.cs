using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class MacAddressTests
{
    [Fact]
    public void Formats_lower_case_with_colons_and_parses_back()
    {
        var address = new MacAddress(0x02, 0xAB, 0xcd, 0x00, 0x10, 0xFF);
        Assert.Equal("02:ab:cd:00:10:ff", address.ToString());
        Assert.Equal(address, MacAddress.Parse("02:AB:cd:00:10:ff"));
        Assert.Equal(address, MacAddress.Parse("02-ab-cd-00-10-ff"));
        WireGenerators.Mac.Sample(mac => MacAddress.Parse(mac.ToString()) == mac, iter: 5000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("02:ab:cd:00:10")]
    [InlineData("02:ab:cd:00:10:ff:")]
    [InlineData("02:ab:cd:00:10:fg")]
    [InlineData("02:ab-cd:00:10:ff")]
    [InlineData("02.ab.cd.00.10.ff")]
    [InlineData("2:ab:cd:00:10:fff")]
    [InlineData(" 02:ab:cd:00:10:f")]
    public void Rejects_malformed_text(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _));
        Assert.Throws<FormatException>(() => MacAddress.Parse(text));
    }

    [Fact]
    public void Null_text_does_not_parse() => Assert.False(MacAddress.TryParse((string?)null, out _));

    [Fact]
    public void Classifies_broadcast_multicast_and_unicast()
    {
        Assert.True(MacAddress.Broadcast.IsBroadcast);
        Assert.True(MacAddress.Broadcast.IsMulticast);
        Assert.False(MacAddress.Broadcast.IsUnicast);
        Assert.Equal("ff:ff:ff:ff:ff:ff", MacAddress.Broadcast.ToString());

        var ipv4Multicast = MacAddress.Parse("01:00:5e:00:00:01");
        Assert.True(ipv4Multicast.IsMulticast);
        Assert.False(ipv4Multicast.IsBroadcast);

        var unicast = MacAddress.Parse("02:00:00:00:00:01");
        Assert.True(unicast.IsUnicast);
        Assert.True(unicast.IsLocallyAdministered);
        Assert.False(MacAddress.Parse("00:1b:21:00:00:01").IsLocallyAdministered);
    }

    [Fact]
    public void Reads_and_writes_the_six_wire_bytes_in_order()
    {
        byte[] bytes = [0xAA, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0xBB];
        MacAddress mac = MacAddress.Read(bytes.AsSpan(1));
        Assert.Equal("02:00:5e:10:20:30", mac.ToString());
        Assert.Equal(0x02005e102030UL, mac.ToUInt64());
        var copy = new byte[8];
        mac.WriteTo(copy.AsSpan(1));
        Assert.Equal(new byte[] { 0, 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30, 0 }, copy);
        Assert.Throws<ArgumentException>(() => MacAddress.Read(new byte[5]));
        WireGenerators.Mac.Sample(m =>
        {
            Span<byte> buffer = stackalloc byte[6];
            m.WriteTo(buffer);
            return MacAddress.Read(buffer) == m && MacAddress.FromUInt64(m.ToUInt64()) == m;
        }, iter: 2000);
    }

    [Fact]
    public void Equality_is_by_value()
    {
        Assert.Equal(MacAddress.Parse("02:00:00:00:00:01"), new MacAddress(2, 0, 0, 0, 0, 1));
        Assert.True(MacAddress.Parse("02:00:00:00:00:01") != MacAddress.Parse("02:00:00:00:00:02"));
        Assert.Equal(MacAddress.Zero, MacAddress.FromUInt64(0));
        // Bits above 48 are dropped rather than making unequal copies of one address.
        Assert.Equal(MacAddress.Broadcast, MacAddress.FromUInt64(ulong.MaxValue));
        Assert.Equal(MacAddress.Broadcast.GetHashCode(), MacAddress.FromUInt64(ulong.MaxValue).GetHashCode());
    }
}
