using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

/// <summary>
/// Any byte array must be rejected or accepted without an exception, and everything an accepted view exposes
/// must be readable without one: checks compare lengths before they read.
/// </summary>
public sealed class RandomBytesTests
{
    private const int Iterations = 20_000;

    // Random bytes rarely start with 0x45; forcing the version nibble sometimes lets IPv4 reach its later checks.
    private static readonly Gen<byte[]> IPv4Like = Gen.Select(WireGenerators.Bytes, Gen.Bool, Gen.Byte[5, 15]).Select((bytes, force, ihl) =>
    {
        if (force && bytes.Length > 0) bytes[0] = (byte)(0x40 | ihl);
        if (force && bytes.Length > 3) { bytes[2] = 0; bytes[3] = (byte)Math.Min(bytes.Length, 255); }
        return bytes;
    });

    [Fact]
    public void Ethernet_never_throws()
    {
        WireGenerators.Bytes.Sample(bytes =>
        {
            if (EthernetFrame.TryCreate(bytes, out EthernetFrame frame) != WireError.None) return;
            _ = frame.ToString();
            _ = frame.Payload.Length + (frame.IsVlanTagged ? 1 : 0);
            Assert.Equal(WireError.None, EthernetRepr.TryParse(frame, out _));
        }, iter: Iterations);
    }

    [Fact]
    public void Arp_never_throws()
    {
        Gen.Select(WireGenerators.Bytes, Gen.Bool).Sample((bytes, force) =>
        {
            if (force && bytes.Length >= 8) Convert.FromHexString("0001080006040001").CopyTo(bytes, 0);
            WireError error = ArpPacket.TryCreate(bytes, out ArpPacket packet);
            if (error != WireError.None)
            {
                Assert.Equal(error, ArpRepr.TryParse(ArpPacket.CreateUnchecked(bytes), out _));
                return;
            }
            _ = packet.ToString();
            ArpRepr.TryParse(packet, out _);
        }, iter: Iterations);
    }

    [Fact]
    public void IPv4_never_throws()
    {
        IPv4Like.Sample(bytes =>
        {
            WireError error = IPv4Packet.TryCreate(bytes, out IPv4Packet packet);
            _ = IPv4Packet.CreateUnchecked(bytes).ToString();
            if (error != WireError.None)
            {
                Assert.Equal(error, IPv4Repr.TryParse(IPv4Packet.CreateUnchecked(bytes), out _));
                return;
            }
            _ = packet.Payload.Length + packet.Options.Length + packet.FragmentOffset;
            foreach (IPv4Option option in packet.EnumerateOptions()) _ = option.Data.Length;
            packet.VerifyChecksum();
            IPv4Repr.TryParse(packet, out _, verifyChecksum: false);
        }, iter: Iterations);
    }

    [Fact]
    public void IPv4_options_walk_never_throws()
    {
        Gen.Byte.Array[0, 40].Sample(options =>
        {
            WireError error = IPv4OptionEnumerator.Validate(options);
            Assert.True(error is WireError.None or WireError.BadOptions);
            foreach (IPv4Option option in new IPv4OptionEnumerator(options)) _ = option.Data.Length;
        }, iter: Iterations);
    }

    [Fact]
    public void Icmp_never_throws()
    {
        Gen.Select(WireGenerators.Bytes, Gen.OneOf<byte>(0, 3, 8, 11, 12, 5, 13), Gen.Bool).Sample((bytes, type, force) =>
        {
            if (force && bytes.Length > 0) bytes[0] = type;
            if (force && bytes.Length > 8) bytes[8] = 0x45;
            WireError error = IcmpV4Packet.TryCreate(bytes, out IcmpV4Packet packet);
            _ = IcmpV4Packet.CreateUnchecked(bytes).ToString();
            if (error != WireError.None) return;
            _ = packet.QuotedDatagram.Length + packet.Data.Length;
            IcmpV4Repr.TryParse(packet, out _, verifyChecksum: false);
            IcmpV4Repr.TryParse(packet, out _);
        }, iter: Iterations);
    }

    [Fact]
    public void Udp_never_throws()
    {
        Gen.Select(WireGenerators.Bytes, WireGenerators.IPv4, WireGenerators.IPv4).Sample((bytes, source, destination) =>
        {
            WireError error = UdpDatagram.TryCreate(bytes, out UdpDatagram datagram);
            _ = UdpDatagram.CreateUnchecked(bytes).ToString();
            if (error != WireError.None)
            {
                Assert.Equal(error, UdpRepr.TryParse(UdpDatagram.CreateUnchecked(bytes), source, destination, out _));
                return;
            }
            _ = datagram.Payload.Length;
            UdpRepr.TryParse(datagram, source, destination, out _);
        }, iter: Iterations);
    }
}
