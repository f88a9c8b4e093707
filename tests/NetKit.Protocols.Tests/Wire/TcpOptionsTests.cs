using System;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

public sealed class TcpOptionsTests
{
    private static TcpOptions Parse(string hex)
    {
        Assert.Equal(WireError.None, TcpOptions.TryParse(Convert.FromHexString(hex), out TcpOptions options));
        return options;
    }

    private static WireError Error(string hex) => TcpOptions.TryParse(Convert.FromHexString(hex), out _);

    private static string EmitHex(TcpOptions options)
    {
        var bytes = new byte[TcpOptions.MaxLength];
        int written = options.Emit(bytes);
        Assert.Equal(options.EmittedLength, written);
        return Convert.ToHexString(bytes, 0, written);
    }

    [Fact]
    public void No_options_parse_as_none()
    {
        TcpOptions options = Parse("");
        Assert.Equal(default, options);
        Assert.Equal(0, options.EmittedLength);
        Assert.Equal("", EmitHex(options));
        Assert.Equal("none", options.ToString());
    }

    [Fact]
    public void Each_known_option_parses()
    {
        Assert.Equal(new TcpOptions { MaxSegmentSize = 1460 }, Parse("020405B4"));
        Assert.Equal(new TcpOptions { HasWindowScale = true, WindowScale = 7 }, Parse("030307"));
        Assert.Equal(new TcpOptions { HasWindowScale = true, WindowScale = 0 }, Parse("030300"));
        Assert.Equal(new TcpOptions { SackPermitted = true }, Parse("0402"));
        Assert.Equal(new TcpOptions { HasTimestamps = true, TimestampValue = 0x01020304, TimestampEcho = 0xFFFFFFFE }, Parse("080A01020304FFFFFFFE"));
        TcpOptions sack = Parse("050A0000000100000002");
        Assert.Equal(1, sack.SackBlockCount);
        Assert.Equal(new TcpSackBlock(1, 2), sack.GetSackBlock(0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Sack_carries_one_to_four_blocks(int blocks)
    {
        var bytes = new byte[2 + 8 * blocks];
        bytes[0] = 5;
        bytes[1] = (byte)bytes.Length;
        for (int i = 0; i < blocks * 2; i++) bytes[2 + 4 * i + 3] = (byte)(i + 1);
        Assert.Equal(WireError.None, TcpOptions.TryParse(bytes, out TcpOptions options));
        Assert.Equal(blocks, options.SackBlockCount);
        for (int i = 0; i < blocks; i++) Assert.Equal(new TcpSackBlock((uint)(2 * i + 1), (uint)(2 * i + 2)), options.GetSackBlock(i));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.GetSackBlock(blocks));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.GetSackBlock(-1));
    }

    [Fact]
    public void A_linux_SYN_parses()
    {
        TcpOptions options = Parse("020405B40402080A0000006400000000" + "01030307");
        Assert.Equal(new TcpOptions { MaxSegmentSize = 1460, SackPermitted = true, HasTimestamps = true, TimestampValue = 100, HasWindowScale = true, WindowScale = 7 }, options);
        Assert.Equal("mss=1460 sackOK ts=100/0 ws=7", options.ToString());
    }

    [Fact]
    public void End_of_list_stops_parsing()
    {
        // After end-of-list comes padding (RFC 9293 §3.2): even bytes that would be malformed are not read.
        Assert.Equal(new TcpOptions { MaxSegmentSize = 536 }, Parse("02040218" + "00" + "0200FF"));
        Assert.Equal(default, Parse("00020405B4"));
        Assert.Equal(default, Parse("00000000"));
    }

    [Fact]
    public void No_operation_is_one_byte_of_padding()
    {
        Assert.Equal(new TcpOptions { HasWindowScale = true, WindowScale = 2 }, Parse("01030302"));
        Assert.Equal(new TcpOptions { SackPermitted = true }, Parse("01010402"));
        Assert.Equal(default, Parse("01010101"));
        Assert.Equal(new TcpOptions { MaxSegmentSize = 9000 }, Parse("0101010102042328"));
    }

    [Theory]
    [InlineData("0200")] // zero length
    [InlineData("0201")] // length below 2 cannot cover kind and length
    [InlineData("FE00")] // unknown kinds too
    [InlineData("FE01")]
    [InlineData("0104")] // a kind with no room for its length octet
    [InlineData("02")]
    [InlineData("020405")] // MSS running past the end
    [InlineData("FE06000000")] // unknown option running past the end
    [InlineData("01010402080A00000001")] // timestamps cut short
    [InlineData("050A00000001000000")] // SACK cut short
    public void Malformed_option_framing_is_bad_options(string hex) => Assert.Equal(WireError.BadOptions, Error(hex));

    [Theory]
    [InlineData(TcpOptionKind.MaxSegmentSize, 2)]
    [InlineData(TcpOptionKind.MaxSegmentSize, 3)]
    [InlineData(TcpOptionKind.MaxSegmentSize, 5)]
    [InlineData(TcpOptionKind.WindowScale, 2)]
    [InlineData(TcpOptionKind.WindowScale, 4)]
    [InlineData(TcpOptionKind.SackPermitted, 3)]
    [InlineData(TcpOptionKind.SackPermitted, 4)]
    [InlineData(TcpOptionKind.Timestamps, 9)]
    [InlineData(TcpOptionKind.Timestamps, 11)]
    [InlineData(TcpOptionKind.Sack, 2)] // no block
    [InlineData(TcpOptionKind.Sack, 3)]
    [InlineData(TcpOptionKind.Sack, 9)]
    [InlineData(TcpOptionKind.Sack, 17)]
    [InlineData(TcpOptionKind.Sack, 40)]
    public void A_known_kind_with_the_wrong_length_is_bad_options(TcpOptionKind kind, byte length)
    {
        // The option lies inside the area, so only its length for its kind is wrong.
        var bytes = new byte[40];
        bytes[0] = (byte)kind;
        bytes[1] = length;
        Assert.Equal(WireError.BadOptions, TcpOptions.TryParse(bytes, out _));
    }

    [Fact]
    public void Sack_with_five_blocks_is_bad_options()
    {
        // 2 + 40 bytes cannot fit a TCP header, but the parser must still refuse it from a larger span.
        var bytes = new byte[42];
        bytes[0] = 5;
        bytes[1] = 42;
        Assert.Equal(WireError.BadOptions, TcpOptions.TryParse(bytes, out _));
    }

    [Fact]
    public void Unknown_options_are_skipped_by_their_length()
    {
        // Kind 30 (MPTCP) and kind 34 (TFO) carrying data, then MSS.
        Assert.Equal(new TcpOptions { MaxSegmentSize = 1400 }, Parse("1E0400FF" + "2202" + "02040578"));
        Assert.Equal(new TcpOptions { MaxSegmentSize = 1400 }, Parse("FE06AABBCCDD02040578"));
        // Echo (kind 6) and echo reply (kind 7) are obsolete and skipped too.
        Assert.Equal(default, Parse("060600000000070600000000"));
    }

    [Theory]
    [InlineData(14, 14)]
    [InlineData(15, 14)]
    [InlineData(255, 14)]
    public void Window_scale_above_14_is_clamped(byte sent, byte used)
    {
        TcpOptions options = Parse($"0303{sent:X2}");
        Assert.True(options.HasWindowScale);
        Assert.Equal(used, options.WindowScale);
    }

    [Fact]
    public void A_repeated_option_replaces_the_earlier_one()
    {
        Assert.Equal(new TcpOptions { MaxSegmentSize = 2 }, Parse("0204000102040002"));
        TcpOptions options = Parse("050A0000000100000002" + "050A0000000300000004");
        Assert.Equal(1, options.SackBlockCount);
        Assert.Equal(new TcpSackBlock(3, 4), options.GetSackBlock(0));
    }

    [Fact]
    public void Emits_the_usual_layouts()
    {
        Assert.Equal("020405B4" + "0402080A0000006400000000" + "01030307",
                     EmitHex(new TcpOptions { MaxSegmentSize = 1460, SackPermitted = true, HasTimestamps = true, TimestampValue = 100, HasWindowScale = true, WindowScale = 7 }));
        Assert.Equal("0101080A000000C800000064", EmitHex(new TcpOptions { HasTimestamps = true, TimestampValue = 200, TimestampEcho = 100 }));
        Assert.Equal("020405B401010402", EmitHex(new TcpOptions { MaxSegmentSize = 1460, SackPermitted = true }));
        Assert.Equal("01030300", EmitHex(new TcpOptions { HasWindowScale = true }));
        var sack = new TcpOptions { HasTimestamps = true, TimestampValue = 1, TimestampEcho = 2 };
        sack.AddSackBlock(new TcpSackBlock(10, 20));
        sack.AddSackBlock(new TcpSackBlock(30, 40));
        Assert.Equal("0101080A0000000100000002" + "01010512" + "0000000A00000014" + "0000001E00000028", EmitHex(sack));
        Assert.Equal("ts=1/2 sack=10-20,30-40", sack.ToString());
    }

    [Fact]
    public void Sack_blocks_that_do_not_fit_are_left_out()
    {
        var options = new TcpOptions();
        for (uint i = 0; i < 6; i++) options.AddSackBlock(new TcpSackBlock(i, i + 1));
        Assert.Equal(TcpOptions.MaxSackBlocks, options.SackBlockCount); // the fifth and sixth are ignored
        Assert.Equal(36, options.EmittedLength);

        // RFC 2018 §3: with timestamps only three blocks fit in 40 bytes.
        options.HasTimestamps = true;
        Assert.Equal(40, options.EmittedLength);
        Assert.Equal(WireError.None, TcpOptions.TryParse(Convert.FromHexString(EmitHex(options)), out TcpOptions parsed));
        Assert.Equal(3, parsed.SackBlockCount);
        for (int i = 0; i < 3; i++) Assert.Equal(options.GetSackBlock(i), parsed.GetSackBlock(i));

        // MSS, timestamps with SACK-permitted and window scale take 20, leaving room for two.
        options.MaxSegmentSize = 1;
        options.SackPermitted = true;
        options.HasWindowScale = true;
        Assert.Equal(40, options.EmittedLength);
        Assert.Equal(WireError.None, TcpOptions.TryParse(Convert.FromHexString(EmitHex(options)), out parsed));
        Assert.Equal(2, parsed.SackBlockCount);

        options.ClearSackBlocks();
        Assert.Equal(0, options.SackBlockCount);
        Assert.Equal(20, options.EmittedLength);
    }

    [Fact]
    public void Emit_refuses_a_short_destination()
    {
        var options = new TcpOptions { MaxSegmentSize = 1460, HasWindowScale = true };
        Assert.Throws<ArgumentException>(() => options.Emit(new byte[7]));
        Assert.Equal(8, options.Emit(new byte[8]));
    }

    [Fact]
    public void Equality_ignores_values_whose_option_is_absent()
    {
        Assert.Equal(new TcpOptions(), new TcpOptions { WindowScale = 5, TimestampValue = 1, TimestampEcho = 2 });
        Assert.Equal(new TcpOptions().GetHashCode(), new TcpOptions { WindowScale = 5, TimestampValue = 1 }.GetHashCode());
        Assert.NotEqual(new TcpOptions { HasWindowScale = true }, new TcpOptions { HasWindowScale = true, WindowScale = 5 });
        var a = new TcpOptions();
        var b = new TcpOptions();
        a.AddSackBlock(new TcpSackBlock(1, 2));
        Assert.True(a != b);
        b.AddSackBlock(new TcpSackBlock(1, 2));
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        // Slots past the count do not count.
        a.AddSackBlock(new TcpSackBlock(3, 4));
        a.ClearSackBlocks();
        b.ClearSackBlocks();
        Assert.Equal(a, b);
        Assert.False(a.Equals((object)"options"));
    }

    [Fact]
    public void Emit_then_parse_round_trips()
    {
        TcpGenerators.AnyOptions.Sample(options =>
        {
            var bytes = new byte[TcpOptions.MaxLength];
            int written = options.Emit(bytes);
            Assert.Equal(WireError.None, TcpOptions.TryParse(bytes.AsSpan(0, written), out TcpOptions parsed));
            Assert.Equal(TcpGenerators.Fitted(options), parsed);
        }, iter: 5000);
    }

    [Fact]
    public void Emitted_length_is_whole_words_within_40_bytes()
    {
        TcpGenerators.AnyOptions.Sample(options =>
        {
            int length = options.EmittedLength;
            Assert.Equal(0, length % 4);
            Assert.InRange(length, 0, TcpOptions.MaxLength);
            var bytes = new byte[TcpOptions.MaxLength + 8];
            bytes.AsSpan().Fill(0xCC);
            Assert.Equal(length, options.Emit(bytes));
            Assert.All(bytes[length..], b => Assert.Equal(0xCC, b)); // nothing written past the length
        }, iter: 5000);
    }

    [Fact]
    public void Any_options_that_parse_survive_emit_and_parse_again()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            if (TcpOptions.TryParse(bytes, out TcpOptions parsed) != WireError.None) return;
            var emitted = new byte[TcpOptions.MaxLength];
            int written = parsed.Emit(emitted);
            Assert.Equal(WireError.None, TcpOptions.TryParse(emitted.AsSpan(0, written), out TcpOptions again));
            Assert.Equal(TcpGenerators.Fitted(parsed), again);
        }, iter: 20_000);
    }
}
