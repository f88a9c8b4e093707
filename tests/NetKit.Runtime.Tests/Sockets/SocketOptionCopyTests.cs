using System;
using System.Runtime.InteropServices;
using CsCheck;
using NetKit.Runtime.Sockets;
using Xunit;

namespace NetKit.Runtime.Tests.Sockets;

public sealed class SocketOptionCopyTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Linger
    {
        public int OnOff;
        public int Seconds;
    }

    [Theory]
    [InlineData(true, 4, Errno.None)]
    [InlineData(false, 0, Errno.None)]
    [InlineData(false, 4, Errno.EFAULT)]   // null value with a nonzero size
    [InlineData(true, 0, Errno.EINVAL)]    // a value with size 0
    [InlineData(true, 65536, Errno.None)]
    [InlineData(true, 65537, Errno.EINVAL)] // above SOMAXOPT_SIZE
    [InlineData(true, -1, Errno.EINVAL)]
    public void Set_arguments_follow_DragonFly(bool hasValue, int size, Errno expected)
        => Assert.Equal(expected, SocketOptionCopy.CheckSet(hasValue, size));

    [Fact]
    public void Get_buffer_size_is_capped_at_64_KiB()
    {
        Assert.Equal(Errno.None, SocketOptionCopy.CheckGet(65536));
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CheckGet(65537));
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CheckGet(-1));
    }

    [Fact]
    public void Copy_in_rejects_short_values_and_truncates_long_ones()
    {
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CopyIn(new byte[3], out int _));
        var longer = new byte[16];
        BitConverter.TryWriteBytes(longer, 1234);
        Assert.Equal(Errno.None, SocketOptionCopy.CopyIn(longer, out int value));
        Assert.Equal(1234, value);
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CopyIn(new byte[7], out Linger _));
    }

    [Fact]
    public void Copy_out_copies_at_most_the_buffer_and_reports_the_length()
    {
        var linger = new Linger { OnOff = 1, Seconds = 30 };
        var small = new byte[6];
        Assert.Equal(6, SocketOptionCopy.CopyOut(linger, small));
        Assert.Equal(1, BitConverter.ToInt32(small));
        var big = new byte[32];
        Assert.Equal(8, SocketOptionCopy.CopyOut(linger, big));
        Assert.Equal(30, BitConverter.ToInt32(big, 4));
        Assert.Equal(0, SocketOptionCopy.CopyOut(linger, Span<byte>.Empty));
    }

    [Fact]
    public void Booleans_travel_as_C_ints()
    {
        Assert.Equal(Errno.None, SocketOptionCopy.CopyInBoolean(BitConverter.GetBytes(7), out bool on));
        Assert.True(on);
        var buffer = new byte[4];
        Assert.Equal(4, SocketOptionCopy.CopyOutBoolean(true, buffer));
        Assert.Equal(1, BitConverter.ToInt32(buffer));
    }

    [Fact]
    public void Typed_values_round_trip_through_copy_out_and_copy_in()
    {
        Gen.Select(Gen.Int, Gen.Int).Sample((a, b) =>
        {
            var buffer = new byte[8];
            SocketOptionCopy.CopyOut(new Linger { OnOff = a, Seconds = b }, buffer);
            return SocketOptionCopy.CopyIn(buffer, out Linger back) == Errno.None && back.OnOff == a && back.Seconds == b;
        });
    }

    [Fact]
    public void Range_checks()
    {
        Assert.Equal(Errno.None, SocketOptionCopy.CheckRange(127, 1, 127));
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CheckRange(0, 1, 127));
        Assert.Equal(Errno.EINVAL, SocketOptionCopy.CheckRange(128, 1, 127));
    }
}
