using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace NetKit.Runtime.Interop;

/// <summary>
/// CPU affinity through glibc's <c>sched_getaffinity</c>/<c>sched_setaffinity</c> (LibraryImport, blittable
/// <c>cpu_set_t</c> of 1024 bits as in glibc's <c>__CPU_SETSIZE</c>).
/// </summary>
internal static unsafe partial class LinuxScheduling
{
    private const int CpuSetWords = 1024 / 64;

    [StructLayout(LayoutKind.Sequential)]
    private struct CpuSet
    {
        public fixed ulong Bits[CpuSetWords];
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint cpuSetSize, CpuSet* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int SchedGetAffinity(int pid, nuint cpuSetSize, CpuSet* mask);

    private static int[]? s_processCpus;

    /// <summary>
    /// The CPUs this process may run on, in ascending order (all of 0..ProcessorCount-1 off Linux). Read once, at the
    /// first call: affinity is per thread, so a later read from a thread that pinned itself would see only its CPU.
    /// </summary>
    internal static int[] AllowedCpus() => (int[])(s_processCpus ??= ReadAllowedCpus()).Clone();

    private static int[] ReadAllowedCpus()
    {
        if (OperatingSystem.IsLinux())
        {
            CpuSet set;
            if (SchedGetAffinity(0, (nuint)sizeof(CpuSet), &set) == 0)
            {
                var cpus = new List<int>();
                for (int cpu = 0; cpu < CpuSetWords * 64; cpu++)
                    if ((set.Bits[cpu >> 6] & (1UL << (cpu & 63))) != 0) cpus.Add(cpu);
                if (cpus.Count > 0) return [.. cpus];
            }
        }
        var all = new int[Environment.ProcessorCount];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        return all;
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>. Returns 0 or the errno.</summary>
    internal static int PinCurrentThread(int cpu)
    {
        if (!OperatingSystem.IsLinux()) return (int)Errno.EOPNOTSUPP;
        if (cpu < 0 || cpu >= CpuSetWords * 64) return (int)Errno.EINVAL;
        CpuSet set = default;
        set.Bits[cpu >> 6] = 1UL << (cpu & 63);
        // pid 0 = the calling thread.
        return SchedSetAffinity(0, (nuint)sizeof(CpuSet), &set) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
