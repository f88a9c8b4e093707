using System.Runtime.InteropServices;

namespace NetKit.Runtime.Sockets;

/// <summary><c>struct linger</c> as SO_LINGER carries it (two C ints).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Linger
{
    public int OnOff;
    public int Seconds;
}
