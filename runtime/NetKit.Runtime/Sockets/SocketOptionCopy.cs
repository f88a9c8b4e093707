using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetKit.Runtime.Sockets;

/// <summary>
/// Copy-in / copy-out of socket option values on the caller's thread, before and after the option is dispatched to
/// the owner protocol thread (DragonFly since 2008: <c>sys_setsockopt</c>/<c>sys_getsockopt</c> copy, then
/// <c>so_pr_ctloutput</c> runs on a kernel buffer). The rules are DragonFly's (<c>kern_setsockopt</c>,
/// <c>soopt_to_kbuf</c>, <c>soopt_from_kbuf</c>); the source generator's option marshalling calls these.
/// </summary>
public static class SocketOptionCopy
{
    /// <summary>Largest option value accepted (<c>SOMAXOPT_SIZE</c>, 64 KiB).</summary>
    public const int MaxValueSize = 65536;

    /// <summary>
    /// Argument checks of a set: size above 64 KiB → EINVAL; no buffer with a nonzero size → EFAULT; a buffer with
    /// size 0 → EINVAL (<c>sys_setsockopt</c>, <c>kern_setsockopt</c>).
    /// </summary>
    public static Errno CheckSet(bool hasValue, int size)
    {
        if (size < 0 || size > MaxValueSize) return Errno.EINVAL;
        if (!hasValue && size != 0) return Errno.EFAULT;
        if (hasValue && size == 0) return Errno.EINVAL;
        return Errno.None;
    }

    /// <summary>Argument checks of a get: a buffer size above 64 KiB or negative → EINVAL.</summary>
    public static Errno CheckGet(int size) => size < 0 || size > MaxValueSize ? Errno.EINVAL : Errno.None;

    /// <summary>
    /// Copies a typed value in (<c>sooptcopyin</c>): shorter than the type → EINVAL, longer → the excess is ignored.
    /// </summary>
    public static Errno CopyIn<T>(ReadOnlySpan<byte> value, out T result) where T : unmanaged
    {
        if (value.Length < Unsafe.SizeOf<T>())
        {
            result = default;
            return Errno.EINVAL;
        }
        result = MemoryMarshal.Read<T>(value);
        return Errno.None;
    }

    /// <summary>A boolean option travels as a C int: nonzero is true (<c>so_options</c> flags).</summary>
    public static Errno CopyInBoolean(ReadOnlySpan<byte> value, out bool result)
    {
        var error = CopyIn(value, out int raw);
        result = raw != 0;
        return error;
    }

    /// <summary>
    /// Copies a typed value out (<c>sooptcopyout</c>): min(buffer, value) bytes, silently truncated; returns how many
    /// bytes were copied (the caller reports that as the option length).
    /// </summary>
    public static int CopyOut<T>(in T value, Span<byte> destination) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));
        int n = Math.Min(bytes.Length, destination.Length);
        bytes[..n].CopyTo(destination);
        return n;
    }

    /// <summary>Copies fixed-length bytes out: min(buffer, value) bytes; returns how many were copied.</summary>
    public static int CopyOutBytes(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        int n = Math.Min(value.Length, destination.Length);
        value[..n].CopyTo(destination);
        return n;
    }

    /// <summary>Copies a boolean out as a C int (1 or 0).</summary>
    public static int CopyOutBoolean(bool value, Span<byte> destination) => CopyOut(value ? 1 : 0, destination);

    /// <summary>Range check declared on an option attribute (e.g. <c>TCP_KEEPCNT</c> in [1, 127]) → EINVAL outside it.</summary>
    public static Errno CheckRange(long value, long minimum, long maximum) =>
        value < minimum || value > maximum ? Errno.EINVAL : Errno.None;
}
