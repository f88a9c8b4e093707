using System;
using System.Diagnostics;
using System.Threading;
using NetKit.Runtime.Diagnostics;
using Xunit;

namespace NetKit.Runtime.Tests.Diagnostics;

public sealed class CpuClockTests
{
    [Fact]
    public void ThreadCpuTimeGrowsWithWorkAndNotWithSleep()
    {
        Assert.True(CpuClock.IsSupported); // the test machines are 64-bit Linux
        long start = CpuClock.CurrentThreadNanoseconds();
        var watch = Stopwatch.StartNew();
        ulong x = 1;
        while (watch.ElapsedMilliseconds < 50) x = x * 6364136223846793005 + 1;
        GC.KeepAlive(x);
        long afterWork = CpuClock.CurrentThreadNanoseconds();
        Thread.Sleep(100);
        long afterSleep = CpuClock.CurrentThreadNanoseconds();

        Assert.InRange(afterWork - start, 10_000_000, 10_000_000_000); // busy 50 ms: at least 10 ms of CPU even if preempted
        Assert.InRange(afterSleep - afterWork, 0, 50_000_000);          // asleep 100 ms: far less CPU than wall time
    }
}
