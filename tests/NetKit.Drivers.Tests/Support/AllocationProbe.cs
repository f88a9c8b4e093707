using System;
using NetKit.Runtime;
using NetKit.Runtime.Messaging;
using NetKit.Runtime.Threading;

namespace NetKit.Drivers.Tests.Support;

/// <summary>
/// Reads how many bytes a protocol thread has allocated, on that thread. Counting per thread keeps the test runner's
/// own background work (result reporting) out of an allocation measurement.
/// </summary>
internal sealed unsafe class AllocationProbe : NetMsg
{
    private long _bytes;

    public AllocationProbe() : base(&Run) { }

    /// <summary>Total bytes allocated so far by the threads of <paramref name="groups"/>.</summary>
    public long Measure(params ProtocolThreadGroup[] groups)
    {
        long total = 0;
        foreach (var group in groups)
        {
            for (int i = 0; i < group.Count; i++)
            {
                if (group[i].Port.Do(this) != Errno.None) throw new InvalidOperationException("probe failed");
                total += _bytes;
            }
        }
        return total;
    }

    private static void Run(NetMsg msg)
    {
        ((AllocationProbe)msg)._bytes = GC.GetAllocatedBytesForCurrentThread();
        msg.Reply();
    }
}
