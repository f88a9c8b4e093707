using NetKit.Runtime.Interop;

namespace NetKit.Runtime.Threading;

/// <summary>
/// CPU placement for threads that are not protocol threads (application threads, drivers, benchmarks): an
/// appliance that pins its protocol threads should keep its own busy threads off their CPUs.
/// </summary>
public static class CpuAffinity
{
    /// <summary>CPUs this process may run on, ascending (as read the first time NetKit asked, before any pinning).</summary>
    public static int[] AllowedCpus() => LinuxScheduling.AllowedCpus();

    /// <summary>Pins the calling thread to <paramref name="cpu"/>. Returns 0, or the errno when the kernel refused.</summary>
    public static int PinCurrentThread(int cpu) => LinuxScheduling.PinCurrentThread(cpu);
}
