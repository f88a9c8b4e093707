using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NetKit.Drivers.Tap;
using NetKit.Drivers.Tap.Interop;
using NetKit.Drivers.Tests.Virtio;
using NetKit.Drivers.Virtio;
using NetKit.Runtime.Buffers;
using Xunit;

namespace NetKit.Drivers.Tests.Tap;

/// <summary>
/// <see cref="VirtioOffloads"/> against headers the kernel really writes: a bare TAP queue opened with the driver's
/// interop (no <see cref="TapDevice"/>, no reader thread) is read directly, so the test sees the virtio-net header the
/// kernel put in front of a frame before anything resolves it.
/// </summary>
public sealed unsafe class KernelVirtioHeaderTests : IDisposable
{
    private readonly string _name = KernelSide.UniqueName();
    private readonly PacketBufferPool _pool = new(new PacketBufferPoolOptions { BufferSize = 2048, DefaultHeadroom = 0, MaxBuffers = 256 });
    private int _fd = -1;

    public void Dispose()
    {
        if (_fd >= 0) LibC.Close(_fd);
        KernelSide.WaitGone(_name);
        KernelSide.Remove(_name);
        Assert.True(_pool.TryReleaseMemory(), "every buffer came home");
    }

    [TapFact("ip")]
    public void The_kernel_leaves_UDP_checksums_partial_and_VirtioOffloads_completes_them()
    {
        _fd = TapControl.TryOpenDevice(out int errno);
        Assert.True(_fd >= 0, $"open: errno {errno}");
        TapControl.Attach(_fd, _name, TunConstants.IFF_TAP | TunConstants.IFF_NO_PI | TunConstants.IFF_VNET_HDR);
        Assert.True(TapControl.TrySetHeaderSize(_fd, VirtioNetHeader.Size));
        Assert.True(TapControl.TrySetOffload(_fd, TunConstants.TUN_F_CSUM | TunConstants.TUN_F_TSO4 | TunConstants.TUN_F_TSO6));
        TapControl.SetMtu(_name, 9000);
        TapControl.SetUp(_name);
        int subnet = KernelSide.FreeSubnet();
        string kernelIp = $"10.250.{subnet}.1", peerIp = $"10.250.{subnet}.2";
        KernelSide.Ip($"addr add {kernelIp}/24 dev {_name}");
        KernelSide.Ip($"neigh replace {peerIp} lladdr 02:00:00:00:00:02 dev {_name} nud permanent");

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(kernelIp), 0));
        var payload = RandomNumberGenerator.GetBytes(5000);
        socket.SendTo(payload, new IPEndPoint(IPAddress.Parse(peerIp), 9999));

        var (header, frameBytes) = ReadUdpFrame(9999);

        // What the kernel says: the checksum is left to us, from the UDP header, field at +6.
        Assert.True(header.NeedsChecksum, header.ToString());
        Assert.Equal(34, header.ChecksumStart);
        Assert.Equal(6, header.ChecksumOffset);
        Assert.Equal(VirtioNetHeader.GsoNone, header.GsoType);
        Assert.Equal(payload, frameBytes[42..]);

        // As the TAP reader lays it out: 1984 bytes in a first buffer, the rest chained.
        var frame = Packets.Load(_pool, frameBytes, firstPiece: 1984);
        try
        {
            Assert.True(VirtioOffloads.TryApplyReceive(header, frame));
            Assert.Equal(ChecksumState.Partial, frame.ChecksumState);
            VirtioOffloads.ResolvePartial(frame, complete: true);
            Assert.Equal(ChecksumState.Verified, frame.ChecksumState);
            Assert.True(Packets.TransportChecksumValid(Packets.Bytes(frame), out string detail), detail);
        }
        finally
        {
            frame.Free();
        }
    }

    /// <summary>Reads frames from the queue until a UDP one to <paramref name="port"/> comes (5 s at most).</summary>
    private (VirtioNetHeader Header, byte[] Frame) ReadUdpFrame(ushort port)
    {
        var buffer = new byte[VirtioNetHeader.Size + 65_600];
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 5000)
        {
            var poll = new PollDescriptor { Descriptor = _fd, Events = PollDescriptor.POLLIN };
            if (LibC.Poll(&poll, 1, 100) <= 0) continue;
            nint read;
            fixed (byte* p = buffer) read = LibC.Read(_fd, p, (nuint)buffer.Length);
            if (read < VirtioNetHeader.Size + 42) continue;
            var header = MemoryMarshal.Read<VirtioNetHeader>(buffer);
            var frame = buffer.AsSpan(VirtioNetHeader.Size, (int)read - VirtioNetHeader.Size);
            if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == 0x0800 && frame[23] == 17
                && BinaryPrimitives.ReadUInt16BigEndian(frame[36..]) == port)
                return (header, frame.ToArray());
        }
        throw new Xunit.Sdk.XunitException($"no UDP frame to port {port} came out of {_name} within 5 s");
    }
}
