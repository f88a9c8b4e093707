using System.Runtime.InteropServices;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>The few libc calls the peer tooling needs (LibraryImport: blittable, AOT-safe).</summary>
internal static partial class LinuxNative
{
    /// <summary>setns(2) nstype for a network namespace.</summary>
    public const int CloneNewNet = 0x40000000;

    public const int SigTerm = 15;
    public const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
