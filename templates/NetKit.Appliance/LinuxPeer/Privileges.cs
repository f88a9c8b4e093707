using System;
using System.IO;

namespace NetKit.Appliance.LinuxPeer;

/// <summary>Whether this process may create TAP devices and network namespaces.</summary>
public static class Privileges
{
    /// <summary>True when the effective user is root (namespaces, links and nftables need CAP_NET_ADMIN).</summary>
    public static bool IsRoot => OperatingSystem.IsLinux() && LinuxNative.GetEffectiveUserId() == 0;

    /// <summary>True when we are root on Linux and <c>/dev/net/tun</c> opens read-write; otherwise why not.</summary>
    public static bool IsTapAvailable(out string reason)
    {
        if (!OperatingSystem.IsLinux()) { reason = "not Linux: TAP devices and network namespaces are Linux features"; return false; }
        if (!IsRoot)
        {
            reason = $"not root (euid {LinuxNative.GetEffectiveUserId()}): TAP devices and network namespaces need CAP_NET_ADMIN";
            return false;
        }
        const string tun = "/dev/net/tun";
        if (!File.Exists(tun)) { reason = $"{tun} does not exist (no tun driver, or a container without the device)"; return false; }
        try
        {
            using var handle = File.OpenHandle(tun, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"{tun} does not open read-write: {e.Message}";
            return false;
        }
        reason = "";
        return true;
    }
}
