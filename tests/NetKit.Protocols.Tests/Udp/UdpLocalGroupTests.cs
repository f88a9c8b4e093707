using NetKit.Protocols.Common;
using NetKit.Protocols.Udp;
using Xunit;

namespace NetKit.Protocols.Tests.Udp;

public sealed class UdpLocalGroupTests
{
    [Fact]
    public void MembersStaySortedByIndexAndTheGroupGrows()
    {
        var group = new UdpLocalGroup(new LocalEndpointKey(0, 53));
        for (int i = 19; i >= 0; i -= 2) Assert.True(group.Add(new UdpPcb(null) { LocalGroupIndex = i }));
        Assert.Equal(10, group.Count);
        for (int i = 1; i < group.Count; i++) Assert.True(group[i - 1].LocalGroupIndex < group[i].LocalGroupIndex);
        Assert.Equal(0, group.NextFreeIndex());
        var zero = new UdpPcb(null) { LocalGroupIndex = 0 };
        Assert.True(group.Add(zero));
        Assert.False(group.Add(zero));
        Assert.Equal(2, group.NextFreeIndex());
        Assert.True(group.Remove(zero));
        Assert.False(group.Remove(zero));
        Assert.Equal(0, group.NextFreeIndex());
    }

    [Fact]
    public void SelectUsesTheLowSevenBitsModuloTheCount()
    {
        var group = new UdpLocalGroup(new LocalEndpointKey(0, 53));
        Assert.Null(group.Select(5));
        var a = new UdpPcb(null) { LocalGroupIndex = 0 };
        var b = new UdpPcb(null) { LocalGroupIndex = 1 };
        var c = new UdpPcb(null) { LocalGroupIndex = 2 };
        group.Add(a);
        group.Add(b);
        group.Add(c);
        Assert.Same(a, group.Select(0));
        Assert.Same(b, group.Select(1));
        Assert.Same(c, group.Select(2));
        Assert.Same(a, group.Select(128 + 3)); // (131 & 127) % 3 = 0
    }
}
