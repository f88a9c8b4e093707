using System;
using System.IO;
using NetKit.Drivers.Tap.Interop;

namespace NetKit.Drivers.Tap;

/// <summary>
/// Creating and configuring a TAP interface: <c>/dev/net/tun</c> ioctls on a queue's descriptor, and interface ioctls
/// (MTU, flags) on a throwaway datagram socket, as <c>ip link</c> does. Every failure becomes an
/// <see cref="IOException"/> naming the call and the C library's reason.
/// </summary>
internal static unsafe class TapControl
{
    public const string DevicePath = "/dev/net/tun";

    /// <summary>Opens a descriptor on /dev/net/tun (non-blocking, close-on-exec), or returns the errno.</summary>
    public static int TryOpenDevice(out int errno)
    {
        int fd = LibC.Open(DevicePath, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        errno = fd < 0 ? LibC.LastError : 0;
        return fd;
    }

    /// <summary>The IFF_* flags this kernel's TUN driver supports (TUNGETFEATURES).</summary>
    public static int Features(int fd)
    {
        uint features = 0;
        if (LibC.IoControl(fd, TunConstants.TUNGETFEATURES, &features) < 0) return TunConstants.IFF_TAP | TunConstants.IFF_NO_PI;
        return (int)features;
    }

    /// <summary>
    /// Attaches <paramref name="fd"/> to interface <paramref name="name"/> as a queue (TUNSETIFF), creating it when
    /// absent; returns the interface's name (the kernel resolves a <c>%d</c> template).
    /// </summary>
    public static string Attach(int fd, string name, short flags)
    {
        if (!TryAttach(fd, name, flags, out string actual, out int errno)) throw Failure($"TUNSETIFF {name}", errno);
        return actual;
    }

    public static bool TryAttach(int fd, string name, short flags, out string actual, out int errno)
    {
        var request = InterfaceRequest.For(name);
        request.Flags = flags;
        if (LibC.IoControl(fd, TunConstants.TUNSETIFF, &request) < 0)
        {
            errno = LibC.LastError;
            actual = name;
            return false;
        }
        errno = 0;
        actual = request.GetName();
        return true;
    }

    public static bool TrySetHeaderSize(int fd, int size)
    {
        int value = size;
        return LibC.IoControl(fd, TunConstants.TUNSETVNETHDRSZ, &value) == 0;
    }

    /// <summary>TUNSETOFFLOAD; false when the kernel refuses that set.</summary>
    public static bool TrySetOffload(int fd, uint flags) => LibC.IoControl(fd, TunConstants.TUNSETOFFLOAD, (void*)flags) == 0;

    public static void SetMtu(string name, int mtu)
    {
        var request = InterfaceRequest.For(name);
        request.Value = mtu;
        InterfaceIoctl(TunConstants.SIOCSIFMTU, ref request, $"SIOCSIFMTU {name} {mtu}");
    }

    /// <summary>Sets IFF_UP on the kernel side (read-modify-write of the flags).</summary>
    public static void SetUp(string name)
    {
        var request = InterfaceRequest.For(name);
        InterfaceIoctl(TunConstants.SIOCGIFFLAGS, ref request, $"SIOCGIFFLAGS {name}");
        request.Flags |= TunConstants.IFF_UP;
        InterfaceIoctl(TunConstants.SIOCSIFFLAGS, ref request, $"SIOCSIFFLAGS {name}");
    }

    /// <summary>The kernel side's MAC address (SIOCGIFHWADDR).</summary>
    public static byte[] KernelHardwareAddress(string name)
    {
        var request = InterfaceRequest.For(name);
        InterfaceIoctl(TunConstants.SIOCGIFHWADDR, ref request, $"SIOCGIFHWADDR {name}");
        var mac = new byte[6];
        for (int i = 0; i < 6; i++) mac[i] = request.AddressData[i];
        return mac;
    }

    private static void InterfaceIoctl(uint call, ref InterfaceRequest request, string what)
    {
        int socket = LibC.Socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (socket < 0) throw Failure("socket(AF_INET, SOCK_DGRAM)", LibC.LastError);
        try
        {
            fixed (InterfaceRequest* pointer = &request)
            {
                if (LibC.IoControl(socket, call, pointer) < 0) throw Failure(what, LibC.LastError);
            }
        }
        finally
        {
            LibC.Close(socket);
        }
    }

    public static IOException Failure(string what, int errno) => new($"{what}: {LibC.Describe(errno)} (errno {errno})");
}
