using System;
using System.Runtime.InteropServices;
using System.Text;

namespace NetKit.Drivers.Tap.Interop;

/// <summary>
/// <c>struct ifreq</c> (<c>linux/if.h</c>): a 16-byte interface name and a 24-byte union (sockaddr, flags, int values,
/// <c>struct ifmap</c>, a pointer), 40 bytes on 64-bit Linux. Only the members NetKit uses are spelled out.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct InterfaceRequest
{
    public const int NameSize = 16; // IFNAMSIZ

    [FieldOffset(0)] public fixed byte Name[NameSize];
    /// <summary><c>ifr_flags</c>: TUNSETIFF flags, or IFF_UP and friends.</summary>
    [FieldOffset(16)] public short Flags;
    /// <summary><c>ifr_mtu</c> / <c>ifr_ifindex</c>.</summary>
    [FieldOffset(16)] public int Value;
    /// <summary><c>ifr_hwaddr.sa_family</c>.</summary>
    [FieldOffset(16)] public ushort AddressFamily;
    /// <summary><c>ifr_hwaddr.sa_data</c> (14 bytes; a MAC address takes the first 6).</summary>
    [FieldOffset(18)] public fixed byte AddressData[14];

    public static InterfaceRequest For(string name)
    {
        var request = default(InterfaceRequest);
        request.SetName(name);
        return request;
    }

    public void SetName(string name)
    {
        Span<byte> bytes = stackalloc byte[NameSize];
        bytes.Clear();
        int length = Encoding.UTF8.GetBytes(name, bytes);
        if (length >= NameSize) throw new ArgumentException($"interface name '{name}' is longer than 15 bytes.", nameof(name));
        fixed (byte* target = Name) bytes.CopyTo(new Span<byte>(target, NameSize));
    }

    public readonly string GetName()
    {
        fixed (byte* source = Name)
        {
            var bytes = new ReadOnlySpan<byte>(source, NameSize);
            int end = bytes.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
        }
    }
}
