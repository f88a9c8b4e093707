using System;
using System.Buffers.Binary;
using NetKit.Protocols.Ethernet;
using NetKit.Protocols.IPv4;
using NetKit.Protocols.Udp;
using NetKit.Protocols.Wire;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>Bad frames fed to a running stack's receive path: each is dropped and counted where it fails, and freed.</summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly TwoHosts _hosts = new();

    public void Dispose() => _hosts.Dispose();

    private static readonly MacAddress Ours = MacAddress.Read(new byte[] { 0x02, 0, 0, 0, 0, 0x02 });

    /// <summary>A valid Ethernet + IPv4 + UDP frame to host B's port <paramref name="port"/>, for the tests to break.</summary>
    private static byte[] Frame(ushort port = 7, int payload = 8)
    {
        var frame = new byte[14 + 20 + 8 + payload];
        new EthernetRepr(MacAddress.Read(new byte[] { 0x02, 0, 0, 0, 0, 0x01 }), Ours, EtherType.IPv4).Emit(frame);
        var ip = new IPv4Repr(TwoHosts.AddressA, TwoHosts.AddressB, IpProtocol.Udp, 8 + payload);
        ip.Emit(frame.AsSpan(14));
        new UdpRepr(1234, port, payload).Emit(frame.AsSpan(34), TwoHosts.AddressA, TwoHosts.AddressB);
        return frame;
    }

    private PacketBuffer Input(byte[] bytes)
    {
        var buffer = _hosts.ThreadsB[0].Buffers.TryRent()!;
        bytes.CopyTo(buffer.Append(bytes.Length));
        buffer.InterfaceIndex = 0;
        Assert.Equal(Errno.None, OnThread.Do(_hosts.ThreadsB, 0, () =>
        {
            _hosts.B.InputFrame(buffer);
            return Errno.None;
        }));
        return buffer;
    }

    private void AssertCounted(byte[] frame, Func<long> counter)
    {
        long before = counter();
        var buffer = Input(frame);
        Assert.Equal(before + 1, counter());
        Assert.False(buffer.IsOwned);
    }

    [Fact]
    public void EthernetDropsWhatIsNotForUs()
    {
        var ethernet = _hosts.B.State<EthernetState>().Counters;
        var notForUs = Frame();
        notForUs[5] = 0x77;
        AssertCounted(notForUs, () => ethernet[EthernetCounter.NotForUs]);
        var multicast = Frame();
        multicast[0] = 0x01;
        AssertCounted(multicast, () => ethernet[EthernetCounter.Multicast]);
        var vlan = Frame();
        BinaryPrimitives.WriteUInt16BigEndian(vlan.AsSpan(12), 0x8100);
        AssertCounted(vlan, () => ethernet[EthernetCounter.VlanTagged]);
        AssertCounted(new byte[10], () => ethernet[EthernetCounter.Truncated]);
        var unknown = Frame();
        BinaryPrimitives.WriteUInt16BigEndian(unknown.AsSpan(12), 0x88B5);
        AssertCounted(unknown, () => _hosts.B.UnknownNetworkDrops);
    }

    [Fact]
    public void IPv4ValidatesEveryFieldBeforeUse()
    {
        var ip = _hosts.B.State<IPv4State>().Counters;
        var badVersion = Frame();
        badVersion[14] = 0x65;
        AssertCounted(badVersion, () => ip[IPv4Counter.BadVersion] + ip[IPv4Counter.Truncated]);
        var badChecksum = Frame();
        badChecksum[14 + 10] ^= 0xFF;
        AssertCounted(badChecksum, () => ip[IPv4Counter.BadChecksum]);
        var shortHeader = Frame();
        shortHeader[14] = 0x44; // IHL 4
        AssertCounted(shortHeader, () => ip[IPv4Counter.BadHeaderLength]);
        var longTotal = Frame();
        BinaryPrimitives.WriteUInt16BigEndian(longTotal.AsSpan(16), 1000);
        AssertCounted(longTotal, () => ip[IPv4Counter.Truncated] + ip[IPv4Counter.BadTotalLength]);
        var optionsPastData = Frame();
        optionsPastData[14] = 0x4F; // IHL 15: 60 bytes of header in a 36-byte packet
        AssertCounted(optionsPastData, () => ip[IPv4Counter.Truncated] + ip[IPv4Counter.BadHeaderLength]);
        var notOurs = Frame();
        BinaryPrimitives.WriteUInt32BigEndian(notOurs.AsSpan(14 + 16), 0x0A000063);
        var fixedUp = IPv4Packet.CreateUnchecked(notOurs.AsSpan(14));
        fixedUp.FillChecksum();
        AssertCounted(notOurs, () => ip[IPv4Counter.NotForUs]);
        var ttlZero = Frame();
        var zero = IPv4Packet.CreateUnchecked(ttlZero.AsSpan(14));
        zero.TimeToLive = 0;
        zero.FillChecksum();
        // TTL 0 is delivered, not dropped: a host must not discard for TTL < 2 (RFC 1122 §3.2.1.7).
        AssertCounted(ttlZero, () => ip[IPv4Counter.Delivered]);
    }

    [Fact]
    public void UdpValidatesLengthAndChecksumAndAnswersClosedPorts()
    {
        var udp = _hosts.B.State<UdpState>().Counters;
        var badChecksum = Frame();
        badChecksum[^1] ^= 0x55;
        AssertCounted(badChecksum, () => udp[UdpCounter.BadChecksum]);
        var badLength = Frame();
        BinaryPrimitives.WriteUInt16BigEndian(badLength.AsSpan(34 + 4), 4000);
        AssertCounted(badLength, () => udp[UdpCounter.BadLength]);
        AssertCounted(Frame(port: 4444), () => udp[UdpCounter.NoPort]);
    }

    [Fact]
    public void RandomGarbageNeverCrashesTheStack()
    {
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            var frame = Frame(payload: random.Next(0, 64));
            // Flip a few random bytes after the Ethernet addresses.
            for (int flips = random.Next(1, 4); flips > 0; flips--) frame[random.Next(12, frame.Length)] = (byte)random.Next(256);
            var buffer = Input(frame[..random.Next(12, frame.Length + 1)]);
            Assert.False(buffer.IsOwned);
        }
    }
}
