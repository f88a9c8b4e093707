using System;
using System.Buffers.Binary;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class TcpSegmentTests
{
    private static readonly IPv4Address Client = IPv4Address.Parse("10.0.0.2");
    private static readonly IPv4Address Server = IPv4Address.Parse("10.0.0.1");

    // A SYN from 10.0.0.2:1234 to 10.0.0.1:80 in Linux's option layout (MSS 1460, SACK-permitted, TS 100/0, WS 7);
    // checksum worked out independently of NetKit.
    private const string SynHex = "04D200500102030400000000A002FAF02F810000020405B40402080A000000640000000001030307";

    // 10.0.0.1:80 to 10.0.0.2:1234, PSH+ACK, NOP NOP TS 200/100, payload "hello".
    private const string DataHex = "005004D2000003E8000007D0801801F60AE000000101080A000000C80000006468656C6C6F";

    private static TcpOptions SynOptions => new()
    {
        MaxSegmentSize = 1460,
        SackPermitted = true,
        HasTimestamps = true,
        TimestampValue = 100,
        HasWindowScale = true,
        WindowScale = 7,
    };

    [Fact]
    public void Reads_a_known_SYN()
    {
        byte[] bytes = Convert.FromHexString(SynHex);
        Assert.Equal(WireError.None, TcpSegment.TryCreate(bytes, out TcpSegment segment));
        Assert.Equal(1234, segment.SourcePort);
        Assert.Equal(80, segment.DestinationPort);
        Assert.Equal(0x01020304u, segment.SequenceNumber);
        Assert.Equal(0u, segment.AcknowledgmentNumber);
        Assert.Equal(40, segment.HeaderLength);
        Assert.Equal(TcpFlags.Syn, segment.Flags);
        Assert.Equal(64240, segment.WindowSize);
        Assert.Equal(0x2F81, segment.Checksum);
        Assert.Equal(0, segment.UrgentPointer);
        Assert.Equal(40, segment.Header.Length);
        Assert.Equal(20, segment.Options.Length);
        Assert.Equal(0, segment.Payload.Length);
        Assert.True(segment.VerifyChecksum(Client, Server));
        Assert.False(segment.VerifyChecksum(Client, IPv4Address.Parse("10.0.0.3")));
        Assert.Equal("TCP 1234 > 80 [SYN] seq=16909060 ack=0 win=64240 len=0 opts=20", segment.ToString());

        TcpRepr repr = TcpRepr.Parse(segment, Client, Server);
        Assert.Equal(new TcpRepr(1234, 80, 0x01020304, 0, TcpFlags.Syn, 64240, 0, SynOptions, 0), repr);
        Assert.Equal("TCP 1234 > 80 [SYN] seq=16909060 ack=0 win=64240 len=0 mss=1460 sackOK ts=100/0 ws=7", repr.ToString());
    }

    [Fact]
    public void Emits_the_known_SYN_byte_for_byte()
    {
        var repr = new TcpRepr(1234, 80, 0x01020304, 0, TcpFlags.Syn, 64240, 0, SynOptions, 0);
        Assert.Equal(40, repr.HeaderLength);
        Assert.Equal(40, repr.BufferLength);
        Assert.Equal(SynHex, Convert.ToHexString(TcpGenerators.Emit(repr, [], Client, Server)));
    }

    [Fact]
    public void Reads_and_emits_a_known_data_segment()
    {
        byte[] bytes = Convert.FromHexString(DataHex);
        Assert.Equal(WireError.None, TcpSegment.TryCreate(bytes, out TcpSegment segment));
        Assert.Equal("hello"u8.ToArray(), segment.Payload.ToArray());
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, segment.Flags);
        Assert.Equal("TCP 80 > 1234 [PSH, ACK] seq=1000 ack=2000 win=502 len=5 opts=12", segment.ToString());
        TcpRepr repr = TcpRepr.Parse(segment, Server, Client);
        var options = new TcpOptions { HasTimestamps = true, TimestampValue = 200, TimestampEcho = 100 };
        Assert.Equal(new TcpRepr(80, 1234, 1000, 2000, TcpFlags.Psh | TcpFlags.Ack, 502, 0, options, 5), repr);
        Assert.Equal(DataHex, Convert.ToHexString(TcpGenerators.Emit(repr, "hello"u8, Server, Client)));
    }

    [Fact]
    public void Every_accessor_round_trips_without_touching_its_neighbours()
    {
        Gen.Select(Gen.UShort.Array[5], Gen.UInt, Gen.UInt, Gen.Int[5, 15], TcpGenerators.Flags).Sample((shorts, seq, ack, words, flags) =>
        {
            (ushort sourcePort, ushort destinationPort, ushort window, ushort checksum, ushort urgent) = (shorts[0], shorts[1], shorts[2], shorts[3], shorts[4]);
            var bytes = new byte[60];
            bytes.AsSpan().Fill(0xFF); // the header-length setter must clear the reserved bits
            var segment = TcpSegment.CreateUnchecked(bytes);
            segment.SourcePort = sourcePort;
            segment.DestinationPort = destinationPort;
            segment.SequenceNumber = seq;
            segment.AcknowledgmentNumber = ack;
            segment.HeaderLength = words * 4;
            segment.Flags = flags;
            segment.WindowSize = window;
            segment.Checksum = checksum;
            segment.UrgentPointer = urgent;

            Assert.Equal(sourcePort, segment.SourcePort);
            Assert.Equal(destinationPort, segment.DestinationPort);
            Assert.Equal(seq, segment.SequenceNumber);
            Assert.Equal(ack, segment.AcknowledgmentNumber);
            Assert.Equal(words * 4, segment.HeaderLength);
            Assert.Equal(flags, segment.Flags);
            Assert.Equal(window, segment.WindowSize);
            Assert.Equal(checksum, segment.Checksum);
            Assert.Equal(urgent, segment.UrgentPointer);
            // Big-endian on the wire (RFC 9293 §3.1), data offset in the high nibble, reserved bits zero.
            Assert.Equal(sourcePort, BinaryPrimitives.ReadUInt16BigEndian(bytes));
            Assert.Equal(seq, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4)));
            Assert.Equal(ack, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)));
            Assert.Equal(words << 4, bytes[12]);
            Assert.Equal((byte)flags, bytes[13]);
            Assert.Equal(urgent, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(18)));
            Assert.Equal(words * 4 - 20, segment.Options.Length);
            Assert.Equal(60 - words * 4, segment.Payload.Length);
            Assert.Equal(WireError.None, segment.Check());
        }, iter: 1000);
    }

    [Theory]
    [InlineData(TcpFlags.Fin, 0x01)]
    [InlineData(TcpFlags.Syn, 0x02)]
    [InlineData(TcpFlags.Rst, 0x04)]
    [InlineData(TcpFlags.Psh, 0x08)]
    [InlineData(TcpFlags.Ack, 0x10)]
    [InlineData(TcpFlags.Urg, 0x20)]
    [InlineData(TcpFlags.Ece, 0x40)]
    [InlineData(TcpFlags.Cwr, 0x80)]
    public void Each_flag_is_its_bit_of_octet_13(TcpFlags flag, byte bit)
    {
        var bytes = new byte[20];
        bytes[13] = bit;
        Assert.Equal(flag, TcpSegment.CreateUnchecked(bytes).Flags);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(21)]
    [InlineData(64)]
    [InlineData(-4)]
    public void Header_length_setter_rejects_what_the_data_offset_cannot_hold(int length)
    {
        var bytes = new byte[60];
        Assert.Throws<ArgumentOutOfRangeException>(() => TcpSegment.CreateUnchecked(bytes).HeaderLength = length);
    }

    [Fact]
    public void Every_length_below_the_fixed_header_is_truncated()
    {
        byte[] bytes = Convert.FromHexString(SynHex);
        for (int length = 0; length < TcpSegment.MinHeaderLength; length++)
        {
            Assert.Equal(WireError.Truncated, TcpSegment.TryCreate(bytes.AsSpan(0, length), out TcpSegment segment));
            Assert.Equal(0, segment.Buffer.Length);
            Assert.Equal(WireError.Truncated, TcpRepr.TryParse(TcpSegment.CreateUnchecked(bytes.AsSpan(0, length)), Client, Server, true, out _));
            Assert.Equal("TCP [malformed: Truncated]", TcpSegment.CreateUnchecked(bytes.AsSpan(0, length)).ToString());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void A_data_offset_below_five_words_is_a_bad_header_length(int words)
    {
        var bytes = new byte[60];
        bytes[12] = (byte)(words << 4);
        Assert.Equal(WireError.BadHeaderLength, TcpSegment.TryCreate(bytes, out _));
        Assert.Equal(WireError.BadHeaderLength, TcpRepr.TryParse(TcpSegment.CreateUnchecked(bytes), Client, Server, false, out _));
    }

    [Theory]
    [InlineData(5, 19, WireError.Truncated)]
    [InlineData(5, 20, WireError.None)]
    [InlineData(6, 23, WireError.Truncated)]
    [InlineData(6, 24, WireError.None)]
    [InlineData(15, 59, WireError.Truncated)]
    [InlineData(15, 60, WireError.None)]
    [InlineData(15, 100, WireError.None)]
    public void The_data_offset_must_fit_the_buffer(int words, int bufferLength, WireError expected)
    {
        var bytes = new byte[bufferLength];
        if (bytes.Length > 12) bytes[12] = (byte)(words << 4);
        Assert.Equal(expected, TcpSegment.CreateUnchecked(bytes).Check());
    }

    [Fact]
    public void Checksum_covers_pseudo_header_header_options_and_payload()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int).Sample((repr, source, destination, seed) =>
        {
            repr = repr with { PayloadLength = repr.PayloadLength % 200 };
            byte[] bytes = TcpGenerators.Emit(repr, TcpGenerators.Payload(repr.PayloadLength, seed), source, destination);
            var segment = TcpSegment.CreateUnchecked(bytes);
            Assert.True(segment.VerifyChecksum(source, destination));
            ushort sent = segment.Checksum;
            segment.Checksum ^= 0x5555;
            Assert.False(segment.VerifyChecksum(source, destination));
            segment.FillChecksum(source, destination);
            Assert.Equal(sent, segment.Checksum);
            // The pseudo-header's addresses are in the sum (RFC 9293 §3.1).
            Assert.False(segment.VerifyChecksum(new IPv4Address(source.Value ^ 1), destination));
        }, iter: 500);
    }

    [Fact]
    public void A_flipped_bit_anywhere_fails_the_checksum()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int, Gen.Int[0, 7]).Sample((repr, source, destination, index, bit) =>
        {
            repr = repr with { PayloadLength = repr.PayloadLength % 100 };
            byte[] bytes = TcpGenerators.Emit(repr, TcpGenerators.Payload(repr.PayloadLength, index), source, destination);
            int at = (int)((uint)index % (uint)bytes.Length);
            if (at == 12) return true; // the data offset: checked above, a flip there is usually a length error
            bytes[at] ^= (byte)(1 << bit);
            return !TcpSegment.CreateUnchecked(bytes).VerifyChecksum(source, destination)
                && TcpRepr.TryParse(TcpSegment.CreateUnchecked(bytes), source, destination, true, out _) is WireError.BadChecksum;
        }, iter: 2000);
    }

    [Fact]
    public void A_zero_checksum_is_an_ordinary_value()
    {
        // Unlike UDP, TCP has no "no checksum": a segment whose sum works out to 0 carries 0 and verifies.
        var repr = new TcpRepr(1, 2, 3, 4, TcpFlags.Ack, 5, 0, default, 2);
        byte[] bytes = TcpGenerators.Emit(repr, [0, 0], Client, Server);
        ushort checksum = TcpSegment.CreateUnchecked(bytes).Checksum;
        // Put the checksum in the payload's last word: the new sum is all ones, so the new checksum is 0.
        byte[] payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, checksum);
        bytes = TcpGenerators.Emit(repr, payload, Client, Server);
        var segment = TcpSegment.CreateUnchecked(bytes);
        Assert.Equal(0, segment.Checksum);
        Assert.True(segment.VerifyChecksum(Client, Server));
        Assert.Equal(repr, TcpRepr.Parse(segment, Client, Server));
    }

    [Fact]
    public void Parse_reports_checksum_then_options_errors()
    {
        byte[] bytes = Convert.FromHexString(SynHex);
        bytes[^1] = 15; // window scale 15: still well formed, clamped
        var segment = TcpSegment.CreateUnchecked(bytes);
        Assert.Equal(WireError.BadChecksum, TcpRepr.TryParse(segment, Client, Server, true, out TcpRepr repr));
        Assert.Equal(default, repr);
        Assert.Equal(WireError.None, TcpRepr.TryParse(segment, Client, Server, false, out repr));
        Assert.Equal(14, repr.Options.WindowScale);

        bytes[21] = 5; // the MSS option now claims 5 bytes
        segment.FillChecksum(Client, Server);
        Assert.Equal(WireError.BadOptions, TcpRepr.TryParse(segment, Client, Server, true, out repr));
        Assert.Equal(default, repr);
        Assert.Equal(WireError.BadOptions, Assert.Throws<WireFormatException>(() => TcpRepr.Parse(TcpSegment.CreateUnchecked(bytes), Client, Server)).Error);
    }

    [Fact]
    public void Emit_header_writes_a_zero_checksum_and_leaves_the_payload_alone()
    {
        var repr = new TcpRepr(7, 8, 9, 10, TcpFlags.Ack | TcpFlags.Urg, 11, 12, SynOptions, 3);
        var bytes = new byte[repr.BufferLength];
        bytes.AsSpan().Fill(0xEE);
        repr.EmitHeader(bytes);
        var segment = TcpSegment.CreateUnchecked(bytes);
        Assert.Equal(0, segment.Checksum);
        Assert.Equal(new byte[] { 0xEE, 0xEE, 0xEE }, segment.Payload.ToArray());
        Assert.Equal(WireError.None, TcpRepr.TryParse(segment, Client, Server, false, out TcpRepr parsed));
        Assert.Equal(repr, parsed);
        Assert.Equal("TCP 7 > 8 [ACK, URG] seq=9 ack=10 win=11 len=3 urg=12 mss=1460 sackOK ts=100/0 ws=7", parsed.ToString());
    }

    [Fact]
    public void Emit_checks_its_sizes()
    {
        var repr = new TcpRepr(1, 2, 3, 4, TcpFlags.Ack, 5, 0, default, 4);
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[23], Client, Server));
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[25], Client, Server));
        Assert.Throws<ArgumentException>(() => repr.Emit(new byte[24], new byte[3], Client, Server));
        Assert.Throws<ArgumentException>(() => repr.EmitHeader(new byte[19]));
        Assert.Throws<InvalidOperationException>(() => (repr with { PayloadLength = -1 }).Emit(new byte[19], Client, Server));
        Assert.Throws<InvalidOperationException>(() => (repr with { PayloadLength = ushort.MaxValue - 19 }).Emit(new byte[ushort.MaxValue + 1], Client, Server));
        var largest = repr with { PayloadLength = ushort.MaxValue - 20 };
        var bytes = new byte[ushort.MaxValue];
        largest.Emit(bytes, Client, Server);
        Assert.Equal(largest, TcpRepr.Parse(TcpSegment.CreateUnchecked(bytes), Client, Server));
    }

    [Fact]
    public void Emit_and_parse_do_not_allocate()
    {
        var repr = new TcpRepr(1234, 80, 1, 2, TcpFlags.Ack, 100, 0, new TcpOptions { HasTimestamps = true, TimestampValue = 5 }, 100);
        TcpOptions options = repr.Options;
        options.AddSackBlock(new TcpSackBlock(10, 20));
        repr = repr with { Options = options };
        var bytes = new byte[repr.BufferLength];
        long allocated = 0;
        int matches = 0;
        for (int round = 0; round < 2; round++) // the first round warms up the JIT
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                repr.Emit(bytes, Client, Server);
                if (TcpSegment.TryCreate(bytes, out TcpSegment segment) == WireError.None
                    && TcpRepr.TryParse(segment, Client, Server, true, out TcpRepr parsed) == WireError.None
                    && parsed == repr)
                    matches++;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(200, matches);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ToString_names_every_flag_in_bit_order()
    {
        var repr = new TcpRepr(1, 2, 3, 4, (TcpFlags)0xFF, 5, 6, default, 0);
        Assert.Equal("TCP 1 > 2 [FIN, SYN, RST, PSH, ACK, URG, ECE, CWR] seq=3 ack=4 win=5 len=0 urg=6", repr.ToString());
        Assert.Equal("TCP 1 > 2 [] seq=3 ack=4 win=5 len=0", (repr with { Flags = TcpFlags.None }).ToString());
    }
}
