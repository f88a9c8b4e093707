using System.Runtime.InteropServices;

namespace NetKit.Drivers.Tap.Interop;

/// <summary><c>struct pollfd</c> (<c>poll.h</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollDescriptor
{
    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public int Descriptor;
    public short Events;
    public short ReturnedEvents;
}
