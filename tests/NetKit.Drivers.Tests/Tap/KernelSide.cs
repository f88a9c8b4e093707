using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Tap;
using NetKit.Drivers.Tests.Support;
using NetKit.Drivers.Tests.Virtio;
using NetKit.Runtime.Buffers;
using NetKit.Runtime.Threading;
using Xunit;

namespace NetKit.Drivers.Tests.Tap;

/// <summary>The kernel's side of a TAP interface, seen through sysfs and <c>ip</c>.</summary>
internal static class KernelSide
{
    public const int IFF_UP = 0x1;
    public const int IFF_TAP = 0x2;
    public const int IFF_MULTI_QUEUE = 0x100;
    public const int IFF_PERSIST = 0x800;
    public const int IFF_NO_PI = 0x1000;
    public const int IFF_VNET_HDR = 0x4000;

    /// <summary>A name no interface has: "nkd" and 8 hex digits (11 bytes).</summary>
    public static string UniqueName() => "nkd" + RandomNumberGenerator.GetHexString(8, lowercase: true);

    public static string SysPath(string name) => Path.Combine("/sys/class/net", name);

    public static bool Exists(string name) => Directory.Exists(SysPath(name));

    public static string Read(string name, string attribute) => File.ReadAllText(Path.Combine(SysPath(name), attribute)).Trim();

    /// <summary>A sysfs number, decimal or 0x hex.</summary>
    public static long ReadNumber(string name, string attribute)
    {
        string text = Read(name, attribute);
        return text.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(text, CultureInfo.InvariantCulture);
    }

    public static byte[] Address(string name) => Convert.FromHexString(Read(name, "address").Replace(":", ""));

    public static long RxPackets(string name) => ReadNumber(name, "statistics/rx_packets");

    /// <summary>Runs <c>ip</c>, failing the test with its output when it fails.</summary>
    public static void Ip(string arguments)
    {
        var result = Run("ip", arguments);
        Assert.True(result.ExitCode == 0, $"ip {arguments}: exit {result.ExitCode}: {result.Output}");
    }

    public static CCompiler.Result Run(string tool, string arguments) =>
        CCompiler.Run(ToolFactAttribute.Find(tool) ?? throw new InvalidOperationException($"{tool} is not on PATH"), arguments, "/");

    /// <summary>A random S of 10.250.S.0/24 that no interface of this host uses yet.</summary>
    public static int FreeSubnet()
    {
        string used = ToolFactAttribute.Find("ip") is null ? "" : Run("ip", "-4 -o addr show").Output;
        int subnet;
        do subnet = RandomNumberGenerator.GetInt32(1, 255);
        while (used.Contains($" 10.250.{subnet}.", StringComparison.Ordinal));
        return subnet;
    }

    /// <summary>Deletes the interface if it is still there (a leftover of a failed test).</summary>
    public static void Remove(string name)
    {
        if (!Exists(name) || ToolFactAttribute.Find("ip") is null) return;
        Run("ip", $"link del {name}");
    }

    /// <summary>Waits (briefly) until the interface is gone.</summary>
    public static bool WaitGone(string name, int milliseconds = 2000)
    {
        var deadline = Environment.TickCount64 + milliseconds;
        while (Exists(name))
        {
            if (Environment.TickCount64 > deadline) return false;
            System.Threading.Thread.Sleep(5);
        }
        return true;
    }
}

/// <summary>
/// A fact that needs to create TAP interfaces (Linux, /dev/net/tun, root) and optionally tools on PATH; skipped with
/// the reason otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TapFactAttribute : FactAttribute
{
    public TapFactAttribute(params string[] tools)
    {
        if (TapTheoryAttribute.Unavailable(tools) is { } reason) Skip = reason;
    }
}

/// <summary>A theory with the requirements of <see cref="TapFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TapTheoryAttribute : TheoryAttribute
{
    public TapTheoryAttribute(params string[] tools)
    {
        if (Unavailable(tools) is { } reason) Skip = reason;
    }

    internal static string? Unavailable(string[] tools)
    {
        if (!TapDevice.IsAvailable(out string reason)) return reason;
        if (!Environment.IsPrivilegedProcess) return "creating TAP interfaces needs root (CAP_NET_ADMIN)";
        foreach (var tool in tools)
            if (ToolFactAttribute.Find(tool) is null) return $"{tool} is not on PATH";
        return null;
    }
}

/// <summary>Records every frame passing a TAP device, whole chains, with the offload state it had at the tap.</summary>
internal sealed class TapCapture : IFrameCapture
{
    public readonly record struct Frame(CaptureDirection Direction, byte[] Bytes, ChecksumState State, int SegmentationSize, int FirstBufferLength, int Buffers, int Thread);

    public ConcurrentQueue<Frame> Frames { get; } = new();

    public void Capture(CaptureDirection direction, PacketBuffer frame)
    {
        int buffers = 0;
        for (var b = frame; b is not null; b = b.Next) buffers++;
        Frames.Enqueue(new Frame(direction, Packets.Bytes(frame), frame.ChecksumState, frame.SegmentationSize, frame.Length, buffers, ProtocolThread.Current?.Index ?? -1));
    }

    public Frame[] Received => Frames.Where(f => f.Direction == CaptureDirection.Receive).ToArray();

    public Frame[] Transmitted => Frames.Where(f => f.Direction == CaptureDirection.Transmit).ToArray();
}
