using NetKit.Protocols.Common;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using NetKit.Protocols.Udp;
using Xunit;

namespace NetKit.Protocols.Tests.Udp;

public sealed class PortShardTests
{
    [Fact]
    public void EphemeralPortsBelongToTheShardAndAreUniqueUntilExhausted()
    {
        var shard = new PortShard(thread: 1, threadCount: 2, firstEphemeral: 60000, lastEphemeral: 60009);
        var ports = new List<ushort>();
        for (ushort p; (p = shard.BindEphemeral()) != 0;) ports.Add(p);
        Assert.Equal(new ushort[] { 60001, 60003, 60005, 60007, 60009 }, ports.OrderBy(p => p));
        Assert.Equal(0, shard.BindEphemeral()); // exhausted: EADDRNOTAVAIL
        Assert.True(shard.Release(60005));
        Assert.Equal(60005, shard.BindEphemeral());
    }

    [Fact]
    public void APortIsSharedOnlyWhenEveryBinderAllowsIt()
    {
        var shard = new PortShard(0, 2);
        Assert.False(shard.TryBind(53, false, false)); // odd port: thread 1's shard
        Assert.True(shard.TryBind(54, false, false));
        Assert.False(shard.TryBind(54, true, true));   // exclusive first binder: EADDRINUSE
        Assert.True(shard.TryBind(56, true, false));
        Assert.True(shard.TryBind(56, true, false));   // SO_REUSEPORT on both
        Assert.False(shard.TryBind(56, false, true));  // a third without SO_REUSEPORT
        Assert.True(shard.TryBind(58, false, true));
        Assert.True(shard.TryBind(58, false, true));   // SO_REUSEADDR on both
        Assert.True(shard.Release(56));
        Assert.True(shard.Release(56));
        Assert.True(shard.TryBind(56, false, false));  // free again
        Assert.False(shard.Release(1000));
    }

    [Fact]
    public void ShardOfMatchesDragonFlysLportCpu()
    {
        Assert.Equal(1, PortShard.ShardOf(53, 2));
        Assert.Equal(0, PortShard.ShardOf(5353, 1));
        Assert.Equal(5353 % 3, PortShard.ShardOf(5353, 3));
    }

    [Fact]
    public void NoSequenceOfBindsAndReleasesHandsOutAPortTwice()
    {
        Gen.Select(Gen.Int[1, 4], Gen.Bool.Array[1, 300]).Sample((threads, operations) =>
        {
            var shards = Enumerable.Range(0, threads).Select(t => new PortShard(t, threads, 65000, 65100)).ToArray();
            var held = new HashSet<ushort>();
            int turn = 0;
            foreach (bool bind in operations)
            {
                var shard = shards[turn++ % threads];
                if (bind)
                {
                    ushort port = shard.BindEphemeral();
                    if (port == 0) continue;
                    if (!held.Add(port) || port % threads != shard.Thread) return false;
                }
                else
                {
                    var mine = held.FirstOrDefault(p => p % threads == shard.Thread);
                    if (mine != 0 && (!shard.Release(mine) || !held.Remove(mine))) return false;
                }
            }
            return true;
        });
    }
}
