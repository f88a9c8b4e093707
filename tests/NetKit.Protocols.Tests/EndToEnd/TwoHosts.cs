using System;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Threading;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>Two <see cref="InetStack"/> hosts, A (10.0.0.1) and B (10.0.0.2), on one in-memory link, each with its own protocol threads.</summary>
public sealed class TwoHosts : IDisposable
{
    public static readonly IPv4Address AddressA = IPv4Address.Parse("10.0.0.1");
    public static readonly IPv4Address AddressB = IPv4Address.Parse("10.0.0.2");

    public TwoHosts(int threads = 2, NetKit.Drivers.Impairments.ImpairmentOptions? impairA = null,
        NetKit.Drivers.Impairments.ImpairmentOptions? impairB = null, int mtu = 1500,
        bool checksumOffloadA = true, bool checksumOffloadB = true)
    {
        Link = new MemoryLink();
        ThreadsA = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = threads, PinThreads = false, NamePrefix = "hostA" }).Start();
        ThreadsB = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = threads, PinThreads = false, NamePrefix = "hostB" }).Start();
        A = new InetStack(ThreadsA);
        B = new InetStack(ThreadsB);
        DeviceA = new MemoryInterface(Link, "a0", new byte[] { 0x02, 0, 0, 0, 0, 0x01 },
            new MemoryInterfaceOptions { Impairments = impairA ?? NetKit.Drivers.Impairments.ImpairmentOptions.None, Mtu = mtu, ChecksumOffload = checksumOffloadA });
        DeviceB = new MemoryInterface(Link, "b0", new byte[] { 0x02, 0, 0, 0, 0, 0x02 },
            new MemoryInterfaceOptions { Impairments = impairB ?? NetKit.Drivers.Impairments.ImpairmentOptions.None, Mtu = mtu, ChecksumOffload = checksumOffloadB });
        InterfaceA = A.AddInterface(DeviceA, new InterfaceConfiguration(AddressA, 24, Mtu: mtu));
        InterfaceB = B.AddInterface(DeviceB, new InterfaceConfiguration(AddressB, 24, Mtu: mtu));
    }

    public MemoryLink Link { get; }
    public ProtocolThreadGroup ThreadsA { get; }
    public ProtocolThreadGroup ThreadsB { get; }
    public InetStack A { get; }
    public InetStack B { get; }
    public MemoryInterface DeviceA { get; }
    public MemoryInterface DeviceB { get; }
    public NetInterface InterfaceA { get; }
    public NetInterface InterfaceB { get; }

    public void Dispose()
    {
        // Devices first, while the threads still run: they hand their queued frames back on the owner threads.
        DeviceA.Dispose();
        DeviceB.Dispose();
        ThreadsA.Dispose();
        ThreadsB.Dispose();
    }
}
