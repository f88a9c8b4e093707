using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class IcmpV4PacketTests
{
    private static byte[] Emit(IcmpV4Repr repr, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[repr.BufferLength];
        repr.Emit(bytes, data);
        return bytes;
    }

    private static byte[] QuotedUdp()
    {
        var quoted = new byte[28];
        new IPv4Repr(IPv4Address.Parse("10.0.0.1"), IPv4Address.Parse("10.0.0.2"), IpProtocol.Udp, 100).Emit(quoted);
        quoted[20] = 0x14; // source port 5353
        quoted[21] = 0xe9;
        quoted[23] = 9;
        return quoted;
    }

    [Fact]
    public void Echo_request_has_id_sequence_data_and_a_checksum_over_everything()
    {
        byte[] bytes = Emit(IcmpV4Repr.EchoRequest(0x1234, 7, 4), [0xde, 0xad, 0xbe, 0xef]);
        Assert.Equal("0800", Convert.ToHexString(bytes, 0, 2));
        Assert.Equal("12340007DEADBEEF", Convert.ToHexString(bytes, 4, 8));
        Assert.Equal(WireError.None, IcmpV4Packet.TryCreate(bytes, out IcmpV4Packet packet));
        Assert.True(packet.VerifyChecksum());
        Assert.Equal(IcmpV4Type.EchoRequest, packet.Type);
        Assert.Equal(0x1234, packet.Identifier);
        Assert.Equal(7, packet.SequenceNumber);
        Assert.Equal(new byte[] { 0xde, 0xad, 0xbe, 0xef }, packet.Data.ToArray());
        Assert.True(packet.QuotedDatagram.IsEmpty);
        Assert.False(packet.IsError);
        Assert.Equal("ICMPv4 echo request id=0x1234 seq=7 len=4", packet.ToString());
        // The checksum covers the data too.
        bytes[^1] ^= 0x80;
        Assert.Equal(WireError.BadChecksum, IcmpV4Repr.TryParse(packet, out _));
        Assert.Equal(WireError.None, IcmpV4Repr.TryParse(packet, out _, verifyChecksum: false));
    }

    [Fact]
    public void Fragmentation_needed_carries_the_next_hop_mtu_and_quotes_the_datagram()
    {
        byte[] quoted = QuotedUdp();
        byte[] bytes = Emit(IcmpV4Repr.FragmentationNeeded(1400, quoted.Length), quoted);
        Assert.Equal("0304", Convert.ToHexString(bytes, 0, 2));
        Assert.Equal("00000578", Convert.ToHexString(bytes, 4, 4));
        Assert.Equal(WireError.None, IcmpV4Packet.TryCreate(bytes, out IcmpV4Packet packet));
        Assert.True(packet.IsError);
        Assert.Equal(1400, packet.NextHopMtu);
        Assert.Equal(quoted, packet.QuotedDatagram.ToArray());
        // The quoted header's total length is the original's (120), longer than what is quoted: read it unchecked.
        var original = IPv4Packet.CreateUnchecked(packet.QuotedDatagram);
        Assert.Equal(120, original.TotalLength);
        Assert.Equal(IPv4Address.Parse("10.0.0.2"), original.Destination);
        Assert.Equal(WireError.Truncated, original.Check());
        Assert.Equal(IcmpV4Repr.FragmentationNeeded(1400, 28), IcmpV4Repr.Parse(packet));
        Assert.Equal("ICMPv4 unreachable (fragmentation needed, mtu=1400) quoted=28", packet.ToString());
    }

    [Theory]
    [InlineData(IcmpV4UnreachableCode.NetUnreachable, "net")]
    [InlineData(IcmpV4UnreachableCode.HostUnreachable, "host")]
    [InlineData(IcmpV4UnreachableCode.ProtocolUnreachable, "protocol")]
    [InlineData(IcmpV4UnreachableCode.PortUnreachable, "port")]
    public void Unreachable_codes_parse_and_print(IcmpV4UnreachableCode code, string name)
    {
        byte[] quoted = QuotedUdp();
        byte[] bytes = Emit(IcmpV4Repr.DestinationUnreachable(code, quoted.Length), quoted);
        var packet = IcmpV4Packet.CreateUnchecked(bytes);
        Assert.Equal((byte)code, packet.Code);
        Assert.Equal(0u, packet.RestOfHeader);
        IcmpV4Repr repr = IcmpV4Repr.Parse(packet);
        Assert.Equal(IcmpV4Repr.DestinationUnreachable(code, 28), repr);
        Assert.Equal($"ICMPv4 unreachable ({name}) quoted=28", repr.ToString());
    }

    [Fact]
    public void Time_exceeded_and_parameter_problem_parse()
    {
        byte[] quoted = QuotedUdp();
        var ttl = IcmpV4Repr.TimeExceeded(IcmpV4TimeExceededCode.TtlExceeded, quoted.Length);
        Assert.Equal(ttl, IcmpV4Repr.Parse(IcmpV4Packet.CreateUnchecked(Emit(ttl, quoted))));
        Assert.Equal("ICMPv4 time exceeded (ttl) quoted=28", ttl.ToString());

        var problem = IcmpV4Repr.ParameterProblem(9, quoted.Length);
        byte[] bytes = Emit(problem, quoted);
        Assert.Equal("0C00", Convert.ToHexString(bytes, 0, 2));
        Assert.Equal("09000000", Convert.ToHexString(bytes, 4, 4));
        Assert.Equal(problem, IcmpV4Repr.Parse(IcmpV4Packet.CreateUnchecked(bytes)));
        Assert.Equal("ICMPv4 parameter problem code=0 ptr=9 quoted=28", problem.ToString());
    }

    [Fact]
    public void Every_truncation_of_the_header_is_rejected()
    {
        byte[] bytes = Emit(IcmpV4Repr.EchoReply(1, 2, 0), []);
        for (int length = 0; length < IcmpV4Packet.HeaderLength; length++)
            Assert.Equal(WireError.Truncated, IcmpV4Packet.TryCreate(bytes.AsSpan(0, length), out _));
        Assert.Equal(WireError.None, IcmpV4Packet.TryCreate(bytes, out _));
    }

    [Fact]
    public void Error_messages_must_quote_an_IPv4_header_and_8_bytes()
    {
        byte[] quoted = QuotedUdp();
        for (int length = 0; length < IcmpV4Packet.MinQuotedLength; length++)
        {
            byte[] bytes = Emit(IcmpV4Repr.DestinationUnreachable(IcmpV4UnreachableCode.PortUnreachable, length), quoted.AsSpan(0, length));
            Assert.Equal(WireError.Truncated, IcmpV4Repr.TryParse(IcmpV4Packet.CreateUnchecked(bytes), out _));
        }

        byte[] badVersion = (byte[])quoted.Clone();
        badVersion[0] = 0x65;
        Assert.Equal(WireError.BadVersion, IcmpV4Repr.TryParse(IcmpV4Packet.CreateUnchecked(Emit(IcmpV4Repr.TimeExceeded(0, 28), badVersion)), out _));
        byte[] badIhl = (byte[])quoted.Clone();
        badIhl[0] = 0x44;
        Assert.Equal(WireError.BadHeaderLength, IcmpV4Repr.TryParse(IcmpV4Packet.CreateUnchecked(Emit(IcmpV4Repr.TimeExceeded(0, 28), badIhl)), out _));
        // IHL 6 needs 24 + 8 bytes.
        byte[] longIhl = (byte[])quoted.Clone();
        longIhl[0] = 0x46;
        Assert.Equal(WireError.Truncated, IcmpV4Repr.TryParse(IcmpV4Packet.CreateUnchecked(Emit(IcmpV4Repr.TimeExceeded(0, 28), longIhl)), out _));
    }

    [Theory]
    [InlineData(13, 0)] // timestamp
    [InlineData(5, 1)] // redirect
    [InlineData(42, 0)] // extended echo request (RFC 8335)
    [InlineData(8, 1)] // echo with a non-zero code
    [InlineData(3, 16)]
    [InlineData(11, 2)]
    [InlineData(12, 3)]
    public void Types_and_codes_outside_the_five_messages_are_unsupported(byte type, byte code)
    {
        var bytes = new byte[8 + 28];
        QuotedUdp().CopyTo(bytes, 8);
        var packet = IcmpV4Packet.CreateUnchecked(bytes);
        packet.Type = (IcmpV4Type)type;
        packet.Code = code;
        packet.FillChecksum();
        Assert.Equal(WireError.Unsupported, IcmpV4Repr.TryParse(packet, out _));
        Assert.DoesNotContain("malformed", packet.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Repr_round_trips()
    {
        WireGenerators.Icmp.Sample(sample =>
        {
            (IcmpV4Repr repr, byte[] data) = sample;
            byte[] bytes = Emit(repr, data);
            Assert.Equal(WireError.None, IcmpV4Packet.TryCreate(bytes, out IcmpV4Packet packet));
            Assert.True(packet.VerifyChecksum());
            Assert.Equal(repr, IcmpV4Repr.Parse(packet));
            Assert.Equal(data, packet.Data.ToArray());
        }, iter: 5000);
    }

    [Fact]
    public void Emit_checks_its_sizes()
    {
        var repr = IcmpV4Repr.EchoRequest(1, 1, 10);
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[17]));
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[18], new byte[9]));
        Assert.Equal(8, repr.HeaderLength);
        Assert.Equal(18, repr.BufferLength);
    }
}
