using System.Runtime.InteropServices;

namespace NetKit.Runtime.Interop;

/// <summary>
/// What a protocol thread needs to sleep on file descriptors: <c>eventfd</c> (its wake-up doorbell) and <c>poll</c>
/// (LibraryImport, blittable <c>struct pollfd</c>).
/// </summary>
internal static unsafe partial class LinuxWait
{
    public const short POLLIN = 0x1;
    private const int EFD_NONBLOCK = 0x800;
    private const int EFD_CLOEXEC = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);

    /// <summary>A non-blocking eventfd, or -1.</summary>
    public static int CreateEvent() => EventFd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    public static void Signal(int eventDescriptor)
    {
        ulong one = 1;
        Write(eventDescriptor, &one, sizeof(ulong));
    }

    /// <summary>Resets the eventfd's counter (a non-blocking read; nothing to read is fine).</summary>
    public static void Drain(int eventDescriptor)
    {
        ulong value;
        Read(eventDescriptor, &value, sizeof(ulong));
    }
}
