using System;
using System.Collections.Generic;
using CsCheck;
using NetKit.Protocols.IPv4.Fragmentation;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Protocols.Tests.IPv4;

public sealed class IPv4FragmenterTests
{
    private static readonly Gen<int> s_headerLength = Gen.Int[5, 15].Select(words => words * 4);

    [Fact]
    public void FragmentsCoverThePayloadExactlyWithinTheMtuOnEightByteBoundaries()
    {
        Gen.Select(Gen.Int[0, 65515], s_headerLength, s_headerLength, Gen.Int[68, 9000], Gen.Bool).Sample((payload, h1, h2, mtu, df) =>
        {
            int first = Math.Max(h1, h2), later = Math.Min(h1, h2);   // later fragments carry only copied options
            var fragments = new FragmentDescriptor[70_000 / 8];
            var result = IPv4Fragmenter.Plan(payload, first, later, mtu, df, fragments, out int count);
            if (payload + first > IPv4Fragmenter.MaxDatagramLength)
            {
                Assert.Equal(FragmentationResult.DatagramTooLong, result);
                Assert.Equal(Errno.EMSGSIZE, result.ToErrno());
                return;
            }
            if (payload + first <= mtu)
            {
                Assert.Equal(FragmentationResult.Success, result);
                Assert.Equal(1, count);
                Assert.Equal(new FragmentDescriptor(0, payload, false), fragments[0]);
                return;
            }
            if (df)
            {
                Assert.Equal(FragmentationResult.MessageTooLong, result);
                Assert.Equal(Errno.EMSGSIZE, result.ToErrno());
                return;
            }
            Assert.Equal(FragmentationResult.Success, result);
            Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Count(payload, first, later, mtu, false, out int counted));
            Assert.Equal(counted, count);
            Assert.True(count >= 2);
            int offset = 0;
            for (int i = 0; i < count; i++)
            {
                var f = fragments[i];
                int header = i == 0 ? first : later;
                Assert.Equal(offset, f.Offset);
                Assert.Equal(0, f.Offset % 8);
                Assert.True(f.Length > 0);
                Assert.True(header + f.Length <= mtu, "a fragment exceeds the MTU");
                Assert.Equal(i < count - 1, f.MoreFragments);
                if (f.MoreFragments)
                {
                    Assert.Equal(0, f.Length % 8);
                    Assert.Equal(IPv4Fragmenter.MaxFragmentPayload(header, mtu), f.Length);   // as full as allowed
                }
                offset += f.Length;
            }
            Assert.Equal(payload, offset);
        });
    }

    [Fact]
    public void BadArgumentsAreRefusedWithoutThrowing()
    {
        var fragments = new FragmentDescriptor[8];
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Plan(100, 20, 27, false, fragments, out _));   // 7 bytes of room
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Plan(100, 22, 1500, false, fragments, out _)); // not whole words
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Plan(-1, 20, 1500, false, fragments, out _));
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Plan(100, 20, 0, false, fragments, out _));
        Assert.Equal(FragmentationResult.DestinationTooSmall, IPv4Fragmenter.Plan(4000, 20, 1500, false, fragments.AsSpan(0, 2), out int count));
        Assert.Equal(3, count);
        Assert.Equal(Errno.EINVAL, FragmentationResult.DestinationTooSmall.ToErrno());
        Assert.Equal(Errno.ENOBUFS, FragmentationResult.NoBuffers.ToErrno());
        Assert.Equal(Errno.None, FragmentationResult.Success.ToErrno());
    }

    [Fact]
    public void DontFragmentRefusesAnOversizedDatagramWithEmsgsize()
    {
        var fragments = new FragmentDescriptor[4];
        Assert.Equal(FragmentationResult.MessageTooLong, IPv4Fragmenter.Plan(1481, 20, 1500, true, fragments, out int count));
        Assert.Equal(0, count);
        Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Plan(1480, 20, 1500, true, fragments, out count));
        Assert.Equal(1, count);
    }

    [Fact]
    public void SplitCutsThePayloadIntoOneChainPerFragmentWithHeadroom()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[0, 20_000], Gen.Int[68, 9000], Gen.Int[0, 2], Gen.Int[0, 120], Gen.Int[0, 60], Gen.Int).Sample(
            (length, mtu, size, payloadHeadroom, headroom, seed) =>
        {
            int bufferSize = size switch { 0 => 128, 1 => 512, _ => 2048 };
            payloadHeadroom = Math.Min(payloadHeadroom, bufferSize - 1);
            var pool = FragmentBuffers.Pool(bufferSize, maxBuffers: 16384, headroom: Math.Min(48, bufferSize - 1));
            var bytes = FragmentBuffers.RandomBytes(length, seed);
            var payload = FragmentBuffers.Payload(pool, bytes, payloadHeadroom);
            bool singleBuffer = payload.Next is null;
            var fragments = new FragmentDescriptor[length / 8 + 2];
            Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Plan(length, 20, mtu, false, fragments, out int count));
            var output = new PacketBuffer?[count];
            Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Split(payload, fragments.AsSpan(0, count), pool, headroom, output));
            for (int i = 0; i < count; i++)
            {
                var chain = output[i]!;
                Assert.True(FragmentBuffers.IsLive(chain));
                Assert.True(chain.Headroom >= headroom);
                Assert.Equal(bytes.AsSpan(fragments[i].Offset, fragments[i].Length).ToArray(), FragmentBuffers.ToArray(chain));
            }
            // Zero copy where it can be: the first fragment keeps a single-buffer payload's own buffer.
            if (singleBuffer && payloadHeadroom >= headroom) Assert.Same(payload, output[0]);
            foreach (var chain in output) chain!.Free();
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        });
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }

    [Fact]
    public void SplitFreesEverythingWhenThePoolRunsOut()
    {
        var pool = FragmentBuffers.Pool(bufferSize: 2048, maxBuffers: 3, headroom: 128);
        var bytes = FragmentBuffers.RandomBytes(4000, 3);
        var payload = FragmentBuffers.Payload(pool, bytes, 128);   // two buffers
        Span<FragmentDescriptor> fragments = stackalloc FragmentDescriptor[3];
        Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Plan(4000, 20, 1500, false, fragments, out _));
        var output = new PacketBuffer?[3];
        // The first fragment keeps the payload's buffer, the second copies into the third buffer, the third finds none.
        Assert.Equal(FragmentationResult.NoBuffers, IPv4Fragmenter.Split(payload, fragments, pool, 64, output));
        Assert.All(output, Assert.Null);
        Assert.True(FragmentBuffers.AllHome(pool));
    }

    [Fact]
    public void SplitRefusesDescriptorsThatDoNotTileThePayload()
    {
        var pool = FragmentBuffers.Pool();
        var output = new PacketBuffer?[2];
        var payload = FragmentBuffers.Payload(pool, new byte[100], 48);
        FragmentDescriptor[] gap = [new(0, 48, true), new(56, 44, false)];
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Split(payload, gap, pool, 20, output));
        payload = FragmentBuffers.Payload(pool, new byte[100], 48);
        FragmentDescriptor[] shortOf = [new(0, 48, true), new(48, 44, false)];
        Assert.Equal(FragmentationResult.InvalidArguments, IPv4Fragmenter.Split(payload, shortOf, pool, 20, output));
        payload = FragmentBuffers.Payload(pool, new byte[100], 48);
        Assert.Equal(FragmentationResult.DestinationTooSmall, IPv4Fragmenter.Split(payload, [new(0, 48, true), new(48, 52, false)], pool, 20, output.AsSpan(0, 1)));
        Assert.True(FragmentBuffers.AllHome(pool));   // the payload is taken over (freed) on every refusal
    }

    /// <summary>What the fragmenter sends, the reassembler puts back together, in any order.</summary>
    [Fact]
    public void FragmentedOutputReassemblesInAnyOrder()
    {
        long doubleFrees = FragmentBuffers.DoubleFrees;
        Gen.Select(Gen.Int[1, 65515], Gen.Int[68, 9000], Gen.Int).Sample((length, mtu, seed) =>
        {
            var rng = new Random(seed);
            var pool = FragmentBuffers.Pool(2048, maxBuffers: 16384, headroom: 64);
            var bytes = FragmentBuffers.RandomBytes(length, seed);
            var fragments = new FragmentDescriptor[length / 8 + 2];
            Assert.Equal(FragmentationResult.Success, IPv4Fragmenter.Plan(length, 20, mtu, false, fragments, out int count));
            var output = new PacketBuffer?[count];
            Assert.Equal(FragmentationResult.Success,
                IPv4Fragmenter.Split(FragmentBuffers.Payload(pool, bytes, 64), fragments.AsSpan(0, count), pool, 20, output));

            var order = new List<int>();
            for (int i = 0; i < count; i++) order.Add(i);
            FragmentRanges.Shuffle(order, rng);
            var reassembler = new IPv4Reassembler(new IPv4ReassemblyOptions { MaxFragmentsPerDatagram = 8192, MaxBytes = 1L << 30 });
            var key = new FragmentKey(0x0A000001, 0x0A000002, 17, (ushort)seed);
            for (int n = 0; n < count; n++)
            {
                int i = order[n];
                var packet = output[i]!;
                packet.Prepend(20).Clear();   // the header the caller would write
                var result = reassembler.Offer(key, fragments[i].Offset, fragments[i].MoreFragments, packet, 20, fragments[i].Length, 0, out var datagram);
                if (n < count - 1)
                {
                    Assert.Equal(ReassemblyResult.Queued, result);
                    continue;
                }
                Assert.Equal(ReassemblyResult.Completed, result);
                Assert.Equal(bytes, FragmentBuffers.ToArray(datagram!));
                datagram!.Free();
            }
            Assert.True(FragmentBuffers.AllHome(pool), "a buffer leaked");
        });
        Assert.Equal(doubleFrees, FragmentBuffers.DoubleFrees);
    }
}
