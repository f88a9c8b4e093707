using System;
using System.Buffers.Binary;
using CsCheck;
using NetKit.Drivers.Virtio;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Drivers.Tests.Virtio;

/// <summary>
/// <see cref="VirtioOffloads"/>: the transmit header a frame's offload state asks for, the offload state a received
/// header gives a frame (Linux's <c>virtio_net_hdr_from_skb</c> / <c>virtio_net_hdr_to_skb</c>), and completing a
/// partial checksum, checked against an independent RFC 1071 implementation.
/// </summary>
public sealed class VirtioOffloadsTests : IDisposable
{
    private readonly PacketBufferPool _pool = new(new PacketBufferPoolOptions { BufferSize = 2048, DefaultHeadroom = 128, MaxBuffers = 4096 });

    public void Dispose()
    {
        Assert.True(_pool.TryReleaseMemory(), "every buffer the test rented came home");
        _pool.Dispose();
    }

    private PacketBuffer Frame(Packets.Spec spec, ChecksumState state = ChecksumState.None, int segment = 0, int firstPiece = int.MaxValue)
    {
        var frame = Packets.Load(_pool, Packets.Build(spec), firstPiece);
        frame.ChecksumState = state;
        if (state == ChecksumState.Partial)
        {
            frame.ChecksumStart = Packets.TransportOffset(spec);
            frame.ChecksumOffset = Packets.ChecksumFieldOffset(spec.Protocol);
        }
        frame.SegmentationSize = segment;
        return frame;
    }

    // ---- TryDescribeTransmit ----

    [Fact]
    public void A_frame_without_offload_state_gets_an_empty_header()
    {
        var frame = Frame(new Packets.Spec { Payload = 100, Checksum = Packets.Sum.Complete });
        Assert.True(VirtioOffloads.TryDescribeTransmit(frame, out var header));
        Assert.Equal(default, header);
        frame.Free();
    }

    [Theory]
    [InlineData(Packets.Tcp, 0, 34, 16)]
    [InlineData(Packets.Tcp, 8, 42, 16)]
    [InlineData(Packets.Udp, 0, 34, 6)]
    public void A_partial_checksum_asks_for_NEEDS_CSUM_with_its_start_and_offset(byte protocol, int ipOptions, int start, int offset)
    {
        var frame = Frame(new Packets.Spec { Protocol = protocol, IPOptions = ipOptions, Payload = 300 }, ChecksumState.Partial);
        Assert.True(VirtioOffloads.TryDescribeTransmit(frame, out var header));
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, header.Flags);
        Assert.Equal(start, header.ChecksumStart);
        Assert.Equal(offset, header.ChecksumOffset);
        Assert.Equal(VirtioNetHeader.GsoNone, header.GsoType);
        Assert.Equal(0, header.GsoSize);
        Assert.Equal(0, header.HeaderLength);
        Assert.Equal(0, header.BufferCount);
        frame.Free();
    }

    [Theory]
    [InlineData(0, 0, 4000, 1448, int.MaxValue)]
    [InlineData(0, 12, 10_000, 1448, 54 + 12)]      // headers alone in the first buffer, payload chained
    [InlineData(4, 12, 30_000, 1000, 300)]
    [InlineData(40, 40, 3000, 536, int.MaxValue)]   // maximal IPv4 and TCP options
    [InlineData(0, 0, 65_495, 8948, int.MaxValue)]  // the largest IPv4 packet
    public void A_TSO_frame_larger_than_one_segment_asks_for_TCPV4(int ipOptions, int tcpOptions, int payload, int segment, int firstPiece)
    {
        var spec = new Packets.Spec { IPOptions = ipOptions, TcpOptions = tcpOptions, Payload = payload };
        var frame = Frame(spec, ChecksumState.Partial, segment, firstPiece);
        Assert.True(VirtioOffloads.TryDescribeTransmit(frame, out var header));
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, header.Flags);
        Assert.Equal(VirtioNetHeader.GsoTcpV4, header.GsoType);
        Assert.Equal(segment, header.GsoSize);
        Assert.Equal(14 + 20 + ipOptions + 20 + tcpOptions, header.HeaderLength);
        Assert.Equal(14 + 20 + ipOptions, header.ChecksumStart);
        Assert.Equal(16, header.ChecksumOffset);
        Assert.Equal(0, header.BufferCount);
        frame.Free();
    }

    [Theory]
    [InlineData(1448, 1448, false)] // exactly one segment: nothing to cut
    [InlineData(1449, 1448, true)]  // one byte more: two segments
    [InlineData(100, 1448, false)]
    [InlineData(0, 1448, false)]    // a bare ACK
    public void A_TSO_frame_that_fits_one_segment_asks_for_no_segmentation(int payload, int segment, bool gso)
    {
        var frame = Frame(new Packets.Spec { Payload = payload, TcpOptions = 12 }, ChecksumState.Partial, segment);
        Assert.True(VirtioOffloads.TryDescribeTransmit(frame, out var header));
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, header.Flags);
        Assert.Equal(34, header.ChecksumStart); // TCP options do not move the TCP header
        Assert.Equal(gso ? VirtioNetHeader.GsoTcpV4 : VirtioNetHeader.GsoNone, header.GsoType);
        Assert.Equal(gso ? segment : 0, header.GsoSize);
        Assert.Equal(gso ? 66 : 0, header.HeaderLength);
        frame.Free();
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("ipv6-ethertype")]
    [InlineData("vlan-tagged")]
    [InlineData("checksum-not-partial")]
    [InlineData("checksum-verified")]
    [InlineData("headers-beyond-first-buffer")]
    [InlineData("ip-header-length-below-20")]
    [InlineData("tcp-data-offset-below-20")]
    [InlineData("tcp-header-beyond-first-buffer")]
    [InlineData("runt")]
    public void Segmentation_it_cannot_get_is_refused(string kind)
    {
        var spec = new Packets.Spec { Payload = 5000, TcpOptions = 20 };
        var state = ChecksumState.Partial;
        int firstPiece = int.MaxValue, truncate = int.MaxValue;
        Action<byte[]>? patch = null;
        switch (kind)
        {
            case "udp": spec = spec with { Protocol = Packets.Udp }; break;
            case "ipv6-ethertype": patch = b => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), 0x86DD); break;
            case "vlan-tagged": patch = b => BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(12), 0x8100); break;
            case "checksum-not-partial": state = ChecksumState.None; break;
            case "checksum-verified": state = ChecksumState.Verified; break;
            case "headers-beyond-first-buffer": firstPiece = 40; break;
            case "ip-header-length-below-20": patch = b => b[14] = 0x44; break;
            case "tcp-data-offset-below-20": patch = b => b[34 + 12] = 0x40; break;
            case "tcp-header-beyond-first-buffer": firstPiece = 60; break; // 14 + 20 + 20 fit, the 40-byte TCP header does not
            case "runt": spec = spec with { Payload = 0, TcpOptions = 0 }; truncate = 50; break; // 14 + 20 + 16 of a TCP header
        }
        var bytes = Packets.Build(spec);
        patch?.Invoke(bytes);
        var frame = Packets.Load(_pool, bytes.AsSpan(0, Math.Min(bytes.Length, truncate)), firstPiece);
        frame.ChecksumState = state;
        frame.ChecksumStart = Packets.TransportOffset(spec);
        frame.ChecksumOffset = Packets.ChecksumFieldOffset(spec.Protocol);
        frame.SegmentationSize = 1448;
        Assert.False(VirtioOffloads.TryDescribeTransmit(frame, out _), kind);
        frame.Free();
    }

    // ---- TryApplyReceive ----

    [Fact]
    public void An_empty_header_leaves_the_frame_alone()
    {
        var frame = Frame(new Packets.Spec { Payload = 64, Checksum = Packets.Sum.Complete });
        Assert.True(VirtioOffloads.TryApplyReceive(default, frame));
        Assert.Equal(ChecksumState.None, frame.ChecksumState);
        Assert.Equal(0, frame.SegmentationSize);
        frame.Free();
    }

    [Fact]
    public void DATA_VALID_marks_the_checksum_verified()
    {
        var frame = Frame(new Packets.Spec { Payload = 64, Checksum = Packets.Sum.Complete });
        Assert.True(VirtioOffloads.TryApplyReceive(new VirtioNetHeader { Flags = VirtioNetHeader.FlagDataValid }, frame));
        Assert.Equal(ChecksumState.Verified, frame.ChecksumState);
        Assert.Equal(0, frame.SegmentationSize);
        frame.Free();
    }

    [Theory]
    [InlineData(VirtioNetHeader.FlagNeedsChecksum)]
    [InlineData(VirtioNetHeader.FlagNeedsChecksum | VirtioNetHeader.FlagDataValid)] // NEEDS_CSUM wins, as in Linux
    public void NEEDS_CSUM_makes_the_checksum_partial_with_the_header_fields(byte flags)
    {
        var frame = Frame(new Packets.Spec { Payload = 64, IPOptions = 4 });
        var header = new VirtioNetHeader { Flags = flags, ChecksumStart = 38, ChecksumOffset = 16 };
        Assert.True(VirtioOffloads.TryApplyReceive(header, frame));
        Assert.Equal(ChecksumState.Partial, frame.ChecksumState);
        Assert.Equal(38, frame.ChecksumStart);
        Assert.Equal(16, frame.ChecksumOffset);
        frame.Free();
    }

    [Theory]
    [InlineData(34, 16, 54, true)]     // field at 50..51 of 54 bytes
    [InlineData(34, 18, 54, true)]     // the field's last byte is the frame's last byte
    [InlineData(34, 19, 54, false)]    // one byte past the end
    [InlineData(54, 0, 54, false)]
    [InlineData(60, 0, 54, false)]
    [InlineData(65535, 65535, 100, false)] // no overflow
    [InlineData(0, 65535, 100, false)]
    public void NEEDS_CSUM_with_the_field_outside_the_frame_is_refused(int start, int offset, int length, bool accepted)
    {
        var bytes = Packets.Build(new Packets.Spec { Payload = 2000 });
        var frame = Packets.Load(_pool, bytes.AsSpan(0, length));
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, ChecksumStart = (ushort)start, ChecksumOffset = (ushort)offset };
        Assert.Equal(accepted, VirtioOffloads.TryApplyReceive(header, frame));
        frame.Free();
    }

    [Fact]
    public void NEEDS_CSUM_with_the_field_beyond_the_first_buffer_is_refused()
    {
        // The frame holds the field, but in its second buffer, where the stack does not read headers.
        var frame = Frame(new Packets.Spec { Payload = 500 }, firstPiece: 40);
        Assert.NotNull(frame.Next);
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, ChecksumStart = 34, ChecksumOffset = 16 };
        Assert.False(VirtioOffloads.TryApplyReceive(header, frame));
        frame.Free();

        var whole = Frame(new Packets.Spec { Payload = 500 }, firstPiece: 52);
        Assert.True(VirtioOffloads.TryApplyReceive(header, whole)); // 50..51 is in the first 52 bytes
        whole.Free();
    }

    [Theory]
    [InlineData(VirtioNetHeader.GsoTcpV4)]
    [InlineData(VirtioNetHeader.GsoTcpV6)]
    [InlineData(VirtioNetHeader.GsoUdp)]
    [InlineData(VirtioNetHeader.GsoTcpV4 | VirtioNetHeader.GsoEcn)]
    [InlineData(VirtioNetHeader.GsoTcpV6 | VirtioNetHeader.GsoEcn)]
    public void A_GSO_type_sets_the_segmentation_size(byte gso)
    {
        var frame = Frame(new Packets.Spec { Payload = 5000 });
        var header = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.FlagNeedsChecksum, GsoType = gso, GsoSize = 1448, HeaderLength = 54, ChecksumStart = 34, ChecksumOffset = 16,
        };
        Assert.True(VirtioOffloads.TryApplyReceive(header, frame));
        Assert.Equal(1448, frame.SegmentationSize);
        Assert.Equal(ChecksumState.Partial, frame.ChecksumState);
        frame.Free();
    }

    [Theory]
    [InlineData(2, 1448)]     // not a GSO type
    [InlineData(5, 1448)]     // VIRTIO_NET_HDR_GSO_UDP_L4: never offered (TUN_F_USO4 is not set)
    [InlineData(0x7F, 1448)]
    [InlineData(0x85, 1448)]
    [InlineData(VirtioNetHeader.GsoTcpV4, 0)]
    [InlineData(VirtioNetHeader.GsoTcpV6, 0)]
    [InlineData(VirtioNetHeader.GsoUdp, 0)]
    public void An_unknown_GSO_type_or_a_zero_gso_size_is_refused(byte gso, ushort size)
    {
        var frame = Frame(new Packets.Spec { Payload = 5000 });
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, GsoType = gso, GsoSize = size, ChecksumStart = 34, ChecksumOffset = 16 };
        Assert.False(VirtioOffloads.TryApplyReceive(header, frame));
        frame.Free();
    }

    /// <summary>
    /// Linux's <c>virtio_net_hdr_to_skb</c> refuses <c>gso_type</c> 0x80 (the ECN bit without a GSO type: "default:
    /// return -EINVAL"); the ECN bit only qualifies a TCP type.
    /// </summary>
    [Fact]
    public void The_ECN_bit_without_a_GSO_type_is_refused()
    {
        var frame = Frame(new Packets.Spec { Payload = 100 });
        var header = new VirtioNetHeader { GsoType = VirtioNetHeader.GsoEcn, GsoSize = 1448 };
        bool accepted = VirtioOffloads.TryApplyReceive(header, frame);
        frame.Free();
        Assert.False(accepted, "gso_type 0x80 (the ECN bit alone) was accepted as 'no GSO'");
    }

    // ---- ResolvePartial ----

    [Theory]
    [InlineData(Packets.Tcp, 100, int.MaxValue)]
    [InlineData(Packets.Tcp, 1001, int.MaxValue)] // odd length
    [InlineData(Packets.Tcp, 5000, 55)]           // chained, odd first piece (a word straddles two buffers)
    [InlineData(Packets.Tcp, 65_000, 1984)]       // a receive GSO frame as the TAP reader lays it out
    [InlineData(Packets.Udp, 777, 43)]
    public void ResolvePartial_with_complete_computes_a_correct_checksum(byte protocol, int payload, int firstPiece)
    {
        var spec = new Packets.Spec { Protocol = protocol, Payload = payload, TcpOptions = protocol == Packets.Tcp ? 12 : 0, Seed = payload };
        var frame = Frame(spec, ChecksumState.Partial, firstPiece: firstPiece);
        var before = Packets.Bytes(frame);
        Assert.False(Packets.TransportChecksumValid(before, out _), "the partial checksum is not yet valid");

        VirtioOffloads.ResolvePartial(frame, complete: true);

        Assert.Equal(ChecksumState.Verified, frame.ChecksumState);
        var after = Packets.Bytes(frame);
        Assert.True(Packets.TransportChecksumValid(after, out string detail), detail);
        // Only the checksum field changed, and it now equals the independently computed complete checksum.
        var complete = Packets.Build(spec with { Checksum = Packets.Sum.Complete });
        Assert.Equal(complete, after);
        frame.Free();
    }

    [Fact]
    public void ResolvePartial_without_complete_trusts_the_frame_as_it_stands()
    {
        var frame = Frame(new Packets.Spec { Payload = 200 }, ChecksumState.Partial);
        var before = Packets.Bytes(frame);
        VirtioOffloads.ResolvePartial(frame, complete: false);
        Assert.Equal(ChecksumState.Verified, frame.ChecksumState);
        Assert.Equal(before, Packets.Bytes(frame));
        frame.Free();
    }

    [Theory]
    [InlineData(ChecksumState.None, true)]
    [InlineData(ChecksumState.None, false)]
    [InlineData(ChecksumState.Verified, true)]
    public void ResolvePartial_leaves_a_frame_without_a_partial_checksum_alone(ChecksumState state, bool complete)
    {
        var frame = Frame(new Packets.Spec { Payload = 200, Checksum = Packets.Sum.Zero }, state);
        frame.ChecksumStart = 34;
        frame.ChecksumOffset = 16;
        var before = Packets.Bytes(frame);
        VirtioOffloads.ResolvePartial(frame, complete);
        Assert.Equal(state, frame.ChecksumState);
        Assert.Equal(before, Packets.Bytes(frame));
        frame.Free();
    }

    // ---- properties ----

    /// <summary>
    /// Any header on any frame: <see cref="VirtioOffloads.TryApplyReceive"/> never throws, accepts exactly the headers
    /// that fit (the checksum field inside the first buffer, a known GSO type with a size), leaves the bytes alone, and
    /// when it accepts, the frame's offload state is the header's.
    /// </summary>
    [Fact]
    public void TryApplyReceive_on_random_headers_and_frames_never_throws_and_leaves_a_consistent_state()
    {
        var small = Gen.UShort[0, 140];
        var header = Gen.Select(
            Gen.Byte,
            Gen.OneOf(Gen.Byte, Gen.OneOf<byte>(0, 1, 3, 4, 0x81, 0x84)),
            Gen.OneOf(Gen.UShort, Gen.UShort[0, 2]),
            Gen.OneOf(small, Gen.UShort),
            Gen.OneOf(small, Gen.UShort),
            Gen.UShort,
            (flags, gso, size, start, offset, buffers) => new VirtioNetHeader
            {
                Flags = flags, GsoType = gso, GsoSize = size, ChecksumStart = start, ChecksumOffset = offset, BufferCount = buffers,
                HeaderLength = (ushort)(start + 20),
            });
        var frame = Gen.Int[0, 3000].SelectMany(length => Gen.Select(Gen.Byte.Array[length], Gen.Int[0, length + 1]));
        Gen.Select(header, frame).Sample((h, f) =>
        {
            var (bytes, firstPiece) = f;
            var buffer = Packets.Load(_pool, bytes, firstPiece);
            try
            {
                int firstLength = buffer.Length;
                bool accepted = VirtioOffloads.TryApplyReceive(h, buffer);

                Assert.Equal(bytes, Packets.Bytes(buffer));
                Assert.Equal(firstLength, buffer.Length);
                byte type = (byte)(h.GsoType & 0x7F);
                bool fieldFits = (h.Flags & 1) == 0 || h.ChecksumStart + h.ChecksumOffset + 2 <= firstLength;
                bool gsoFits = type == 0 || (type is 1 or 3 or 4 && h.GsoSize > 0);
                if (h.GsoType != VirtioNetHeader.GsoEcn) // the ECN bit alone has its own test
                    Assert.True(accepted == (fieldFits && gsoFits), $"accepted={accepted} for {h} on {bytes.Length} bytes ({firstLength} in the first buffer)");
                if (!accepted) return;
                if ((h.Flags & VirtioNetHeader.FlagNeedsChecksum) != 0)
                {
                    Assert.Equal(ChecksumState.Partial, buffer.ChecksumState);
                    Assert.Equal(h.ChecksumStart, buffer.ChecksumStart);
                    Assert.Equal(h.ChecksumOffset, buffer.ChecksumOffset);
                    Assert.True(buffer.ChecksumStart + buffer.ChecksumOffset + 2 <= buffer.Length);
                }
                else
                {
                    Assert.Equal((h.Flags & VirtioNetHeader.FlagDataValid) != 0 ? ChecksumState.Verified : ChecksumState.None, buffer.ChecksumState);
                }
                Assert.Equal(type == 0 ? 0 : h.GsoSize, buffer.SegmentationSize);
            }
            finally
            {
                buffer.Free();
            }
        }, iter: 3000, threads: 1);
    }

    /// <summary>What <see cref="VirtioOffloads.TryDescribeTransmit"/> writes, <see cref="VirtioOffloads.TryApplyReceive"/> reads back to the same offload state.</summary>
    [Fact]
    public void A_transmit_header_applied_on_receive_gives_back_the_offload_state()
    {
        Gen.Select(Gen.Int[0, 10].Select(i => i * 4), Gen.Int[0, 10].Select(i => i * 4), Gen.Int[0, 20_000], Gen.Int[536, 9000], Gen.Int[54 + 80, 4000])
            .Sample((ipOptions, tcpOptions, payload, segment, firstPiece) =>
            {
                var spec = new Packets.Spec { IPOptions = ipOptions, TcpOptions = tcpOptions, Payload = payload };
                var sent = Frame(spec, ChecksumState.Partial, segment, firstPiece);
                var received = Packets.Load(_pool, Packets.Bytes(sent), firstPiece);
                try
                {
                    Assert.True(VirtioOffloads.TryDescribeTransmit(sent, out var header));
                    Assert.True(VirtioOffloads.TryApplyReceive(header, received), header.ToString());
                    Assert.Equal(ChecksumState.Partial, received.ChecksumState);
                    Assert.Equal(sent.ChecksumStart, received.ChecksumStart);
                    Assert.Equal(sent.ChecksumOffset, received.ChecksumOffset);
                    Assert.Equal(payload > segment ? segment : 0, received.SegmentationSize);
                    if (header.GsoType != VirtioNetHeader.GsoNone)
                    {
                        // Every segment the kernel cuts carries the headers plus at most gso_size bytes, and the last one the rest.
                        Assert.Equal(Packets.HeadersLength(spec), header.HeaderLength);
                        Assert.True(sent.ChainLength - header.HeaderLength > header.GsoSize);
                    }
                }
                finally
                {
                    sent.Free();
                    received.Free();
                }
            }, iter: 300, threads: 1);
    }
}
