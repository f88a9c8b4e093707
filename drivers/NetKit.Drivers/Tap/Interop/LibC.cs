using System.Runtime.InteropServices;

namespace NetKit.Drivers.Tap.Interop;

/// <summary>The glibc calls the TAP driver makes (LibraryImport, blittable arguments; errno via SetLastError).</summary>
internal static unsafe partial class LibC
{
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;
    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int EPERM = 1;
    /// <summary>EBADFD: the queue was detached from its interface (the interface was deleted, e.g. with its namespace).</summary>
    public const int EBADFD = 77;
    public const int ENOENT = 2;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);

    /// <summary><c>ioctl(fd, request, arg)</c>: the variadic argument is always a pointer here.</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoControl(int descriptor, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "readv", SetLastError = true)]
    public static partial nint ReadVector(int descriptor, IoVector* vectors, int count);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteVector(int descriptor, IoVector* vectors, int count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventDescriptor(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial byte* StrError(int errno);

    /// <summary>The C library's text for <paramref name="errno"/> ("Operation not permitted").</summary>
    public static string Describe(int errno) => Marshal.PtrToStringUTF8((nint)StrError(errno)) ?? $"errno {errno}";

    public static int LastError => Marshal.GetLastPInvokeError();
}
