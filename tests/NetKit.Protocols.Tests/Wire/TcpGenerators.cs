using System;
using CsCheck;
using NetKit.Protocols.Wire;

namespace NetKit.Protocols.Tests.Wire;

/// <summary>CsCheck generators for the TCP wire-format tests: flags, options and reprs.</summary>
internal static class TcpGenerators
{
    public static readonly Gen<TcpFlags> Flags = Gen.Byte.Select(b => (TcpFlags)b);

    public static readonly Gen<TcpSackBlock> SackBlock = Gen.Select(Gen.UInt, Gen.UInt, (left, right) => new TcpSackBlock(left, right));

    /// <summary>Any subset of the options, with up to four SACK blocks whether or not they all fit.</summary>
    public static readonly Gen<TcpOptions> AnyOptions =
        Gen.Select(Gen.Bool, Gen.UShort[1, ushort.MaxValue], Gen.Bool, Gen.Byte[0, TcpOptions.MaxWindowScale], Gen.Bool,
                   Gen.Bool, Gen.UInt, Gen.UInt, SackBlock.Array[0, TcpOptions.MaxSackBlocks],
                   (hasMss, mss, hasWs, ws, sackOk, hasTs, tsVal, tsEcr, blocks) =>
                   {
                       var options = new TcpOptions
                       {
                           MaxSegmentSize = hasMss ? mss : (ushort)0,
                           HasWindowScale = hasWs,
                           WindowScale = hasWs ? ws : (byte)0,
                           SackPermitted = sackOk,
                           HasTimestamps = hasTs,
                           TimestampValue = hasTs ? tsVal : 0,
                           TimestampEcho = hasTs ? tsEcr : 0,
                       };
                       foreach (TcpSackBlock block in blocks) options.AddSackBlock(block);
                       return options;
                   });

    /// <summary>Options whose SACK blocks all fit, so they survive an emit and parse unchanged.</summary>
    public static readonly Gen<TcpOptions> Options = AnyOptions.Select(Fitted);

    /// <summary>A repr with fitting options and any flags, fields and payload length.</summary>
    public static readonly Gen<TcpRepr> Repr =
        Gen.Select(Gen.UShort, Gen.UShort, Gen.UInt, Gen.UInt, Flags, Gen.UShort, Gen.UShort, Options, Gen.Int[0, 1460],
                   (sourcePort, destinationPort, seq, ack, flags, window, urgent, options, payloadLength) =>
                       new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, options, payloadLength));

    /// <summary>
    /// What <see cref="TcpOptions.Emit"/> should keep of <paramref name="options"/>, worked out apart from it: MSS takes
    /// 4 bytes, timestamps 12 (SACK-permitted rides in their NOPs), SACK-permitted alone 4, window scale 4, and a SACK
    /// option NOP, NOP, kind, length and 8 bytes a block, all within 40.
    /// </summary>
    public static TcpOptions Fitted(TcpOptions options)
    {
        int used = (options.MaxSegmentSize != 0 ? 4 : 0) + (options.HasTimestamps ? 12 : options.SackPermitted ? 4 : 0) + (options.HasWindowScale ? 4 : 0);
        int fit = Math.Min(options.SackBlockCount, (40 - used - 4) / 8);
        TcpOptions fitted = options;
        fitted.ClearSackBlocks();
        for (int i = 0; i < fit; i++) fitted.AddSackBlock(options.GetSackBlock(i));
        return fitted;
    }

    /// <summary>A payload of <paramref name="length"/> bytes from <paramref name="seed"/>.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    /// <summary>Emits <paramref name="repr"/> with <paramref name="payload"/> into a new array sized exactly to the segment.</summary>
    public static byte[] Emit(TcpRepr repr, ReadOnlySpan<byte> payload, IPv4Address source, IPv4Address destination)
    {
        var bytes = new byte[repr.BufferLength];
        repr.Emit(bytes, payload, source, destination);
        return bytes;
    }
}
