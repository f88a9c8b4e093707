using System;
using NetKit.Protocols.Udp;
using NetKit.Runtime.Hashing;
using Xunit;

namespace NetKit.Protocols.Tests.Udp;

public sealed class UdpPcbTableTests
{
    private const uint Local = 0x0A000001, Other = 0x0A000009, Peer = 0x0A000002;

    private static UdpPcb Bound(uint address, ushort port, bool reusePort = false, int groupIndex = -1) =>
        new(null) { LocalAddress = address, LocalPort = port, ReusePort = reusePort, LocalGroupIndex = groupIndex };

    [Fact]
    public void ConnectedBeatsReusePortGroupBeatsWildcardAndSpecificBeatsAny()
    {
        var table = new UdpPcbTable();
        var any = Bound(0, 53);
        var specific = Bound(Local, 53);
        Assert.True(table.InsertWildcard(any));
        Assert.True(table.InsertWildcard(specific));
        Assert.Same(specific, table.Lookup(Peer, 4000, Local, 53, 0));
        Assert.Same(any, table.Lookup(Peer, 4000, Other, 53, 0));

        var connected = new UdpPcb(null) { LocalAddress = Local, LocalPort = 53, ForeignAddress = Peer, ForeignPort = 4000 };
        Assert.True(table.InsertConnected(connected));
        Assert.False(table.InsertConnected(new UdpPcb(null) { LocalAddress = Local, LocalPort = 53, ForeignAddress = Peer, ForeignPort = 4000 }));
        Assert.Same(connected, table.Lookup(Peer, 4000, Local, 53, 0));
        Assert.Same(specific, table.Lookup(Peer, 4001, Local, 53, 0));

        Assert.True(table.RemoveConnected(connected));
        Assert.False(table.RemoveConnected(connected));
        Assert.True(table.RemoveWildcard(specific));
        Assert.Same(any, table.Lookup(Peer, 4000, Local, 53, 0));
        Assert.True(table.RemoveWildcard(any));
        Assert.Null(table.Lookup(Peer, 4000, Local, 53, 0));
        Assert.Equal(0, table.WildcardCount);
    }

    [Fact]
    public void AReusePortGroupGivesMemberIToTheFlowsHashedToThreadI()
    {
        const int threads = 2;
        var table = new UdpPcbTable();
        var members = new[] { Bound(0, 53, true, 0), Bound(0, 53, true, 1) };
        Assert.True(table.InsertWildcard(members[1]));
        Assert.True(table.InsertWildcard(members[0]));
        Assert.False(table.InsertWildcard(members[0]));
        for (ushort port = 1000; port < 1200; port++)
        {
            uint hash = FlowHash.IPv4FourTuple(Peer, Local, port, 53);
            Assert.Same(members[FlowHash.CpuOf(hash, threads)], table.Lookup(Peer, port, Local, 53, hash));
        }
        Assert.True(table.RemoveWildcard(members[0]));
        Assert.Same(members[1], table.Lookup(Peer, 1000, Local, 53, 0));
        Assert.True(table.RemoveWildcard(members[1]));
        Assert.Equal(0, table.GroupCount);
    }

    [Fact]
    public void UnboundOrConnectedPcbsAreNotWildcards()
    {
        var table = new UdpPcbTable();
        Assert.False(table.InsertWildcard(new UdpPcb(null)));
        Assert.False(table.InsertWildcard(new UdpPcb(null) { LocalPort = 5, ForeignPort = 6 }));
        Assert.False(table.InsertConnected(Bound(0, 5)));
    }

    [Fact]
    public void LookupsAllocateNothing()
    {
        var table = new UdpPcbTable();
        table.InsertWildcard(Bound(0, 53));
        table.InsertWildcard(Bound(0, 80, true, 0));
        table.InsertConnected(new UdpPcb(null) { LocalAddress = Local, LocalPort = 9, ForeignAddress = Peer, ForeignPort = 9 });
        table.Lookup(Peer, 1, Local, 53, 1); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            table.Lookup(Peer, (ushort)i, Local, 53, (uint)i);
            table.Lookup(Peer, (ushort)i, Local, 80, (uint)i);
            table.Lookup(Peer, 9, Local, 9, (uint)i);
            table.Lookup(Peer, 9, Local, 7, (uint)i);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
