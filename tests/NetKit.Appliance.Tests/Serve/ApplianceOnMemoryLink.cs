using System;
using System.IO;
using System.Threading.Tasks;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Impairments;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Sockets;
using NetKit.Runtime.Threading;

namespace NetKit.Appliance.Tests.Serve;

/// <summary>
/// The appliance (<see cref="ApplianceHost"/>, 10.0.0.2) and a client stack (10.0.0.1) on one in-memory link, each
/// with its own protocol threads, unpinned.
/// </summary>
public sealed class ApplianceOnMemoryLink : IDisposable
{
    public static readonly IPv4Address ServerAddress = IPv4Address.Parse("10.0.0.2");
    public static readonly IPv4Address ClientAddress = IPv4Address.Parse("10.0.0.1");
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public ApplianceOnMemoryLink(params ServiceSpec[] services)
        : this(2, services)
    {
    }

    public ApplianceOnMemoryLink(int cpus, params ServiceSpec[] services)
        : this(cpus, null, services)
    {
    }

    /// <summary>With <paramref name="impairments"/> on both interfaces' transmit paths (so both directions).</summary>
    public ApplianceOnMemoryLink(int cpus, ImpairmentOptions? impairments, params ServiceSpec[] services)
    {
        impairments ??= ImpairmentOptions.None;
        Link = new MemoryLink();
        ClientThreads = new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 2, PinThreads = false, NamePrefix = "client" }).Start();
        Client = new InetStack(ClientThreads);
        ClientDevice = new MemoryInterface(Link, "c0", new byte[] { 0x02, 0, 0, 0, 0, 0x01 }, new MemoryInterfaceOptions { Impairments = impairments });
        Client.AddInterface(ClientDevice, new InterfaceConfiguration(ClientAddress, 24));
        ServerDevice = new MemoryInterface(Link, "s0", new byte[] { 0x02, 0, 0, 0, 0, 0x02 }, new MemoryInterfaceOptions { Impairments = impairments });
        Options = new ServeOptions
        {
            Address = ServerAddress,
            PrefixLength = 24,
            Cpus = cpus,
            PinThreads = false,
            HardwareAddress = [0x02, 0, 0, 0, 0, 0x02],
            Services = services.Length > 0 ? services : ServiceSpec.Defaults(),
        };
        try
        {
            Host = ApplianceHost.Start(Options, ServerDevice, Log);
        }
        catch
        {
            ClientDevice.Dispose();
            ClientThreads.Dispose();
            throw;
        }
    }

    public MemoryLink Link { get; }
    public ProtocolThreadGroup ClientThreads { get; }
    public InetStack Client { get; }
    public MemoryInterface ClientDevice { get; }
    public MemoryInterface ServerDevice { get; }
    public ServeOptions Options { get; }
    public ApplianceHost Host { get; }
    public StringWriter Log { get; } = new();

    /// <summary>A TCP connection from the client stack to the appliance's <paramref name="port"/>.</summary>
    public async Task<NetKitSocket> ConnectAsync(ushort port)
    {
        var socket = NetKitSocket.Create(Client, SocketType.Stream);
        try
        {
            await socket.ConnectAsync(SockAddr.IPv4(ServerAddress.Value, port)).AsTask().WaitAsync(Limit);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (counters are updated by other threads).</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(10);
        }
        return true;
    }

    public void Dispose()
    {
        Host.Dispose();
        ClientDevice.Dispose();
        ClientThreads.Dispose();
    }
}
