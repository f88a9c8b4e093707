using System;
using System.Runtime.InteropServices;

namespace NetKit.Runtime.Diagnostics;

/// <summary>
/// CPU time consumed by the calling thread, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> (LibraryImport,
/// blittable <c>timespec</c>). What a benchmark or a protocol thread's statistics need to tell work from waiting:
/// wall time counts a thread preempted by another, CPU time does not.
/// </summary>
public static unsafe partial class CpuClock
{
    private const int ClockThreadCpuTimeId = 3; // <linux/time.h> CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;     // time_t on 64-bit Linux
        public long Nanoseconds; // long
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, TimeSpec* time);

    /// <summary>True where the thread CPU clock can be read (Linux).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Nanoseconds of CPU time the calling thread has used; −1 where unsupported.</summary>
    public static long CurrentThreadNanoseconds()
    {
        if (!IsSupported) return -1;
        TimeSpec time;
        return ClockGetTime(ClockThreadCpuTimeId, &time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : -1;
    }
}
