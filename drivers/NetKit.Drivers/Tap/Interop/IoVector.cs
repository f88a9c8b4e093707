using System.Runtime.InteropServices;

namespace NetKit.Drivers.Tap.Interop;

/// <summary><c>struct iovec</c> (<c>sys/uio.h</c>): one piece of a scatter-gather read or write.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public void* Base;
    public nuint Length;

    public IoVector(void* start, int length)
    {
        Base = start;
        Length = (nuint)length;
    }
}
