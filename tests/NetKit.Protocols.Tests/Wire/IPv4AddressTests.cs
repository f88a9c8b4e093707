using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class IPv4AddressTests
{
    [Fact]
    public void Value_is_host_order()
    {
        Assert.Equal(new IPv4Address(10, 0, 0, 1), new IPv4Address(0x0A000001));
        Assert.Equal("10.0.0.1", new IPv4Address(0x0A000001).ToString());
        Assert.Equal(0xC0A80001u, IPv4Address.Parse("192.168.0.1").Value);
    }

    [Fact]
    public void Formats_and_parses_any_address()
    {
        Assert.Equal("255.255.255.255", IPv4Address.Broadcast.ToString());
        Assert.Equal("0.0.0.0", IPv4Address.Unspecified.ToString());
        WireGenerators.IPv4.Sample(a => IPv4Address.Parse(a.ToString()) == a
            && a.ToString() == System.Net.IPAddress.Parse(a.ToString()).ToString(), iter: 5000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.1000")]
    [InlineData("01.2.3.4")]
    [InlineData("1..3.4")]
    [InlineData("1.2.3.-4")]
    [InlineData("+1.2.3.4")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("a.b.c.d")]
    [InlineData("0x1.2.3.4")]
    public void Rejects_anything_but_a_strict_dotted_quad(string text)
    {
        Assert.False(IPv4Address.TryParse(text, out _));
        Assert.Throws<FormatException>(() => IPv4Address.Parse(text));
    }

    [Fact]
    public void Classifies_special_addresses()
    {
        Assert.True(IPv4Address.Parse("255.255.255.255").IsBroadcast);
        Assert.False(IPv4Address.Parse("10.255.255.255").IsBroadcast);
        Assert.True(IPv4Address.Parse("224.0.0.1").IsMulticast);
        Assert.True(IPv4Address.Parse("239.255.255.250").IsMulticast);
        Assert.False(IPv4Address.Parse("240.0.0.1").IsMulticast);
        Assert.False(IPv4Address.Parse("223.255.255.255").IsMulticast);
        Assert.True(IPv4Address.Parse("127.0.0.1").IsLoopback);
        Assert.True(IPv4Address.Parse("127.255.0.9").IsLoopback);
        Assert.False(IPv4Address.Parse("128.0.0.1").IsLoopback);
        Assert.True(IPv4Address.Parse("0.0.0.0").IsUnspecified);
        Assert.False(IPv4Address.Parse("0.0.0.1").IsUnspecified);
    }

    [Fact]
    public void Subnet_membership_compares_the_prefix_bits()
    {
        var network = IPv4Address.Parse("192.168.4.0");
        Assert.True(IPv4Address.Parse("192.168.4.77").InSubnet(network, 24));
        Assert.True(IPv4Address.Parse("192.168.5.77").InSubnet(network, 23));
        Assert.False(IPv4Address.Parse("192.168.5.77").InSubnet(network, 24));
        Assert.True(IPv4Address.Parse("1.2.3.4").InSubnet(network, 0));
        Assert.False(IPv4Address.Parse("192.168.4.1").InSubnet(network, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.InSubnet(network, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.InSubnet(network, -1));
        Gen.Select(WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int[0, 32]).Sample((a, b, prefix) =>
        {
            bool expected = prefix == 0 || (a.Value >> (32 - prefix)) == (b.Value >> (32 - prefix));
            return a.InSubnet(b, prefix) == expected && a.InSubnet(a, prefix);
        }, iter: 5000);
    }

    [Fact]
    public void Reads_and_writes_network_order()
    {
        byte[] bytes = [0xEE, 10, 0, 0, 1, 0xEE];
        Assert.Equal(new IPv4Address(0x0A000001), IPv4Address.Read(bytes.AsSpan(1)));
        var copy = new byte[6];
        IPv4Address.Parse("192.168.0.1").WriteTo(copy.AsSpan(1));
        Assert.Equal(new byte[] { 0, 192, 168, 0, 1, 0 }, copy);
    }

    [Fact]
    public void Orders_and_compares_by_value()
    {
        Assert.True(IPv4Address.Parse("10.0.0.1") < IPv4Address.Parse("10.0.0.2"));
        Assert.True(IPv4Address.Parse("9.255.255.255") < IPv4Address.Parse("10.0.0.0"));
        Assert.Equal(0, IPv4Address.Loopback.CompareTo(IPv4Address.Parse("127.0.0.1")));
        Assert.True(IPv4Address.Loopback.Equals((object)IPv4Address.Parse("127.0.0.1")));
    }
}
