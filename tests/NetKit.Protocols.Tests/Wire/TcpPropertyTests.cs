using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.Wire;
using Xunit;

namespace NetKit.Protocols.Tests.Wire;

/// <summary>
/// Emit and parse agree on every repr, and any bytes are accepted or rejected without an exception and without
/// reading past the span: the same bytes followed by different garbage give the same answer.
/// </summary>
public sealed class TcpPropertyTests
{
    private const int Iterations = 20_000;

    // Option-shaped bytes: mostly known kinds with plausible lengths, so the parser's later checks are reached.
    private static readonly Gen<byte[]> OptionLike =
        Gen.OneOf(
            Gen.Byte.Array[0, 40],
            Gen.Select(Gen.OneOf<byte>(0, 1, 2, 3, 4, 5, 8, 30, 254), Gen.Byte[0, 12], Gen.Byte.Array[0, 10], (kind, length, data) =>
                {
                    var option = new byte[2 + data.Length];
                    option[0] = kind;
                    option[1] = length;
                    data.CopyTo(option, 2);
                    return option;
                })
                .Array[1, 8]
                .Select(parts =>
                {
                    var bytes = new List<byte>();
                    foreach (byte[] part in parts) bytes.AddRange(part);
                    return bytes.GetRange(0, Math.Min(bytes.Count, 40)).ToArray();
                }));

    // Random bytes, sometimes with a data offset that fits and options from above, so a segment reaches its options.
    private static readonly Gen<byte[]> SegmentLike =
        Gen.Select(WireGenerators.Bytes, OptionLike, Gen.Bool).Select((bytes, options, force) =>
        {
            if (!force || bytes.Length < TcpSegment.MinHeaderLength) return bytes;
            int headerLength = TcpSegment.MinHeaderLength + (options.Length + 3) / 4 * 4;
            var segment = new byte[Math.Max(bytes.Length, headerLength)];
            bytes.CopyTo(segment, 0);
            segment.AsSpan(TcpSegment.MinHeaderLength, headerLength - TcpSegment.MinHeaderLength).Clear();
            options.CopyTo(segment, TcpSegment.MinHeaderLength);
            segment[12] = (byte)(headerLength / 4 << 4);
            return segment;
        });

    [Fact]
    public void Repr_round_trips_through_emit_and_parse()
    {
        Gen.Select(TcpGenerators.Repr, WireGenerators.IPv4, WireGenerators.IPv4, Gen.Int).Sample((repr, source, destination, seed) =>
        {
            byte[] payload = TcpGenerators.Payload(repr.PayloadLength, seed);
            byte[] bytes = TcpGenerators.Emit(repr, payload, source, destination);
            Assert.Equal(WireError.None, TcpSegment.TryCreate(bytes, out TcpSegment segment));
            Assert.Equal(repr.HeaderLength, segment.HeaderLength);
            Assert.Equal(WireError.None, TcpRepr.TryParse(segment, source, destination, true, out TcpRepr parsed));
            Assert.Equal(repr, parsed);
            Assert.Equal(payload, segment.Payload.ToArray());
        }, iter: 5000);
    }

    [Fact]
    public void Emit_keeps_the_sack_blocks_that_fit()
    {
        Gen.Select(TcpGenerators.Repr, TcpGenerators.AnyOptions, WireGenerators.IPv4, WireGenerators.IPv4).Sample((repr, options, source, destination) =>
        {
            repr = repr with { Options = options, PayloadLength = repr.PayloadLength % 16 };
            byte[] bytes = TcpGenerators.Emit(repr, new byte[repr.PayloadLength], source, destination);
            TcpRepr parsed = TcpRepr.Parse(TcpSegment.CreateUnchecked(bytes), source, destination);
            Assert.Equal(repr with { Options = TcpGenerators.Fitted(options) }, parsed);
        }, iter: 5000);
    }

    [Fact]
    public void Segment_parsing_never_throws_nor_reads_past_the_span()
    {
        Gen.Select(SegmentLike, WireGenerators.IPv4, WireGenerators.IPv4).Sample((bytes, source, destination) =>
        {
            (WireError, TcpRepr) first = Inspect(WithTrailer(bytes, 0x00), bytes.Length, source, destination);
            (WireError, TcpRepr) second = Inspect(WithTrailer(bytes, 0xFF), bytes.Length, source, destination);
            Assert.Equal(first, second);
        }, iter: Iterations);
    }

    [Fact]
    public void Option_parsing_never_throws_nor_reads_past_the_span()
    {
        OptionLike.Sample(bytes =>
        {
            WireError first = TcpOptions.TryParse(WithTrailer(bytes, 0x02).AsSpan(0, bytes.Length), out TcpOptions a);
            WireError second = TcpOptions.TryParse(WithTrailer(bytes, 0x05).AsSpan(0, bytes.Length), out TcpOptions b);
            Assert.True(first is WireError.None or WireError.BadOptions);
            Assert.Equal(first, second);
            Assert.Equal(a, b);
            if (first != WireError.None) Assert.Equal(default, a);
            else
            {
                Assert.InRange(a.SackBlockCount, 0, TcpOptions.MaxSackBlocks);
                Assert.InRange(a.WindowScale, 0, TcpOptions.MaxWindowScale);
                _ = a.ToString();
            }
        }, iter: Iterations);
    }

    // The bytes in a larger array whose tail is `fill`: a parser that looks past the span would see the fill.
    private static byte[] WithTrailer(byte[] bytes, byte fill)
    {
        var buffer = new byte[bytes.Length + 64];
        buffer.AsSpan().Fill(fill);
        bytes.CopyTo(buffer, 0);
        return buffer;
    }

    // Everything a caller could read of the segment; the error includes the checksum verdict.
    private static (WireError, TcpRepr) Inspect(byte[] buffer, int length, IPv4Address source, IPv4Address destination)
    {
        Span<byte> bytes = buffer.AsSpan(0, length);
        WireError error = TcpSegment.TryCreate(bytes, out TcpSegment segment);
        _ = TcpSegment.CreateUnchecked(bytes).ToString();
        if (error != WireError.None)
        {
            Assert.Equal(error, TcpRepr.TryParse(TcpSegment.CreateUnchecked(bytes), source, destination, false, out _));
            return (error, default);
        }
        Assert.InRange(segment.HeaderLength, TcpSegment.MinHeaderLength, Math.Min(length, TcpSegment.MaxHeaderLength));
        Assert.Equal(length, segment.Header.Length + segment.Payload.Length);
        _ = segment.Options.Length + segment.SourcePort + segment.DestinationPort + segment.SequenceNumber
            + segment.AcknowledgmentNumber + (int)segment.Flags + segment.WindowSize + segment.UrgentPointer;
        bool valid = segment.VerifyChecksum(source, destination);
        WireError parsed = TcpRepr.TryParse(segment, source, destination, false, out TcpRepr repr);
        Assert.True(parsed is WireError.None or WireError.BadOptions);
        Assert.Equal(parsed, TcpOptions.TryParse(segment.Options, out _));
        if (parsed != WireError.None) return (parsed, repr);
        Assert.Equal(segment.Payload.Length, repr.PayloadLength);
        _ = repr.ToString();
        WireError verified = TcpRepr.TryParse(segment, source, destination, true, out _);
        Assert.Equal(valid ? WireError.None : WireError.BadChecksum, verified);
        return (verified, repr);
    }
}
