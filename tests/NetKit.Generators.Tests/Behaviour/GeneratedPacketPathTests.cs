using System;
using System.Buffers.Binary;
using NetKit.Generators.TestProtocols;
using NetKit.Runtime;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Hashing;
using NetKit.Runtime.Protocols;
using Xunit;

namespace NetKit.Generators.Tests.Behaviour;

/// <summary>
/// The generated receive path: frames are classified to their flow's thread, demultiplexed link → network →
/// transport by direct calls there, and whatever no listed protocol claims is counted and freed.
/// </summary>
public sealed class GeneratedPacketPathTests : IClassFixture<StackFixture>, IDisposable
{
    private readonly StackFixture _fixture;
    private readonly PacketBufferPool _pool = new();

    public GeneratedPacketPathTests(StackFixture fixture) => _fixture = fixture;

    private TestStack Stack => _fixture.Stack;

    public void Dispose() => _pool.Dispose();

    private PacketBuffer Frame(int etherType, int ipProtocol, uint source, uint destination, ushort sourcePort, ushort destinationPort)
    {
        var frame = _pool.TryRent()!;
        var data = frame.Append(TestLink.HeaderLength + TestNetwork.HeaderLength + 8);
        data.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(data[12..], (ushort)etherType);
        var ip = data[TestLink.HeaderLength..];
        ip[9] = (byte)ipProtocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        var ports = ip[TestNetwork.HeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(ports, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ports[2..], destinationPort);
        return frame;
    }

    [Fact]
    public void FramesAreHashedByTheTransportsKindAndInputRunsOnThatThread()
    {
        bool[] seen = new bool[2];
        for (ushort port = 1000; port < 1064; port++)
        {
            var frame = Frame(0x0800, 17, 0x0A000002, 0x0A000001, port, 53);
            int expected = FlowHash.CpuOf(FlowHash.IPv4FourTuple(0x0A000002, 0x0A000001, port, 53), 2);
            int before = TestTransport.PacketsReceived;
            Stack.Receive(frame);
            Assert.Equal(Errno.None, _fixture.Threads.Sync());
            Assert.Equal(before + 1, TestTransport.PacketsReceived);
            Assert.Equal(expected, TestTransport.LastPacketThread);
            Assert.Equal(FlowHash.IPv4FourTuple(0x0A000002, 0x0A000001, port, 53), frame.FlowHash);
            Assert.False(frame.IsOwned);
            seen[expected] = true;
        }
        Assert.True(seen[0] && seen[1], "64 flows should spread over both threads");
    }

    [Fact]
    public void UnclaimedFramesAreCountedAndFreed()
    {
        long network = Stack.UnknownNetworkDrops, transport = Stack.UnknownTransportDrops;
        var arp = Frame(0x0806, 0, 0, 0, 0, 0);
        var tcp = Frame(0x0800, 6, 0x0A000002, 0x0A000001, 1, 2);
        Stack.Receive(arp);
        Stack.Receive(tcp);
        Assert.Equal(Errno.None, _fixture.Threads.Sync());
        Assert.Equal(network + 1, Stack.UnknownNetworkDrops);
        Assert.Equal(transport + 1, Stack.UnknownTransportDrops);
        Assert.False(arp.IsOwned);
        Assert.False(tcp.IsOwned);
    }

    [Fact]
    public void TruncatedFramesGoToThreadZeroAndAreDroppedByTheLink()
    {
        var runt = _pool.TryRent()!;
        runt.Append(10).Clear();
        Assert.Equal(0, Stack.SelectThread(runt));
        int before = TestTransport.PacketsReceived;
        Stack.Receive(runt);
        Assert.Equal(Errno.None, _fixture.Threads.Sync());
        Assert.False(runt.IsOwned);
        Assert.Equal(before, TestTransport.PacketsReceived);
    }

    [Fact]
    public void AReinjectedNetworkPacketIsRehashedByItsTransportAndDelivered()
    {
        // After reassembly (ip_rehashm): the datagram starts at its IP header and goes to its 4-tuple's thread.
        for (ushort port = 3000; port < 3016; port++)
        {
            var packet = _pool.TryRent()!;
            var ip = packet.Append(TestNetwork.HeaderLength + 8);
            ip.Clear();
            ip[9] = 17;
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0A000002);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0x0A000001);
            BinaryPrimitives.WriteUInt16BigEndian(ip[20..], port);
            BinaryPrimitives.WriteUInt16BigEndian(ip[22..], 53);
            uint hash = FlowHash.IPv4FourTuple(0x0A000002, 0x0A000001, port, 53);
            int before = TestTransport.PacketsReceived;
            Stack.Reinject(0x0800, packet, 0);
            Assert.Equal(Errno.None, _fixture.Threads.Sync());
            Assert.Equal(before + 1, TestTransport.PacketsReceived);
            Assert.Equal(FlowHash.CpuOf(hash, 2), TestTransport.LastPacketThread);
            Assert.Equal(hash, packet.FlowHash);
            Assert.False(packet.IsOwned);
        }
        long unknown = Stack.UnknownNetworkDrops;
        var other = _pool.TryRent()!;
        other.Append(40).Clear();
        Stack.Reinject(0x86DD, other, 0);
        Assert.Equal(unknown + 1, Stack.UnknownNetworkDrops);
        Assert.False(other.IsOwned);
    }

    [Fact]
    public void ControlInputRunsOnTheThreadOwningTheQuotedFlow()
    {
        // An ICMP-style error: some outer bytes, then the quoted IP header and ports of a flow we sent.
        const int quoted = 28;
        for (ushort port = 2000; port < 2016; port++)
        {
            var packet = _pool.TryRent()!;
            var data = packet.Append(quoted + TestNetwork.HeaderLength + 8);
            data.Clear();
            var ip = data[quoted..];
            ip[9] = 17;
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], 0x0A000001);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], 0x0A000002);
            BinaryPrimitives.WriteUInt16BigEndian(ip[20..], port);
            BinaryPrimitives.WriteUInt16BigEndian(ip[22..], 53);
            int expected = FlowHash.CpuOf(FlowHash.IPv4FourTuple(0x0A000001, 0x0A000002, port, 53), 2);
            int before = TestTransport.ControlsReceived;

            Stack.ControlInput(0x0800, ControlCommand.PortUnreachable, packet, quoted);
            Assert.Equal(Errno.None, _fixture.Threads.Sync());
            Assert.Equal(before + 1, TestTransport.ControlsReceived);
            Assert.Equal(ControlCommand.PortUnreachable, TestTransport.LastControl);
            Assert.Equal(expected, TestTransport.LastControlThread);
            Assert.False(packet.IsOwned);
        }
    }

    [Fact]
    public void ControlInputForAnUnknownNetworkIsCountedAndFreed()
    {
        long before = Stack.UnclassifiedControlDrops;
        var packet = _pool.TryRent()!;
        packet.Append(40).Clear();
        Stack.ControlInput(0x86DD, ControlCommand.HostUnreachable, packet, 0);
        Assert.Equal(before + 1, Stack.UnclassifiedControlDrops);
        Assert.False(packet.IsOwned);
    }
}
