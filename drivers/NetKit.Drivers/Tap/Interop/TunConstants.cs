namespace NetKit.Drivers.Tap.Interop;

/// <summary>
/// ioctl numbers and flags of Linux's TUN/TAP driver (<c>linux/if_tun.h</c>, <c>linux/sockios.h</c>, <c>linux/if.h</c>).
/// The values are checked against the system's C headers by a test when a C compiler is present.
/// </summary>
internal static class TunConstants
{
    // _IOW('T', 202, int) and friends from linux/if_tun.h.
    public const uint TUNSETIFF = 0x400454CA;
    public const uint TUNSETPERSIST = 0x400454CB;
    public const uint TUNGETFEATURES = 0x800454CF;
    public const uint TUNSETOFFLOAD = 0x400454D0;
    public const uint TUNGETIFF = 0x800454D2;
    public const uint TUNSETVNETHDRSZ = 0x400454D8;
    public const uint TUNSETQUEUE = 0x400454D9;

    // ifr_flags for TUNSETIFF.
    public const short IFF_TUN = 0x0001;
    public const short IFF_TAP = 0x0002;
    public const short IFF_MULTI_QUEUE = 0x0100;
    public const short IFF_ATTACH_QUEUE = 0x0200;
    public const short IFF_DETACH_QUEUE = 0x0400;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;

    // TUNSETOFFLOAD: what user space can take from the kernel (the kernel always accepts them from user space).
    public const uint TUN_F_CSUM = 0x01;
    public const uint TUN_F_TSO4 = 0x02;
    public const uint TUN_F_TSO6 = 0x04;

    // Socket ioctls on interfaces (linux/sockios.h).
    public const uint SIOCGIFFLAGS = 0x8913;
    public const uint SIOCSIFFLAGS = 0x8914;
    public const uint SIOCSIFMTU = 0x8922;
    public const uint SIOCGIFHWADDR = 0x8927;

    // Interface flags (linux/if.h).
    public const short IFF_UP = 0x1;
    public const short IFF_RUNNING = 0x40;
}
