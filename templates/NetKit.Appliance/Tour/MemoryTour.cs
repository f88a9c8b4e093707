using System;
using System.IO;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Memory;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Runtime.Threading;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The tour without privileges: the appliance (<see cref="ApplianceHost"/>) and a NetKit client stack, each with its
/// own protocol threads, on one <see cref="MemoryLink"/> in this process.
/// </summary>
public sealed class MemoryTour : ITourLink
{
    private readonly MemoryInterface _clientDevice;
    private readonly ProtocolThreadGroup _clientThreads;

    private MemoryTour(ApplianceHost host, ProtocolThreadGroup clientThreads, InetStack client, MemoryInterface clientDevice)
    {
        Host = host;
        _clientThreads = clientThreads;
        _clientDevice = clientDevice;
        Client = new NetKitClient(client, clientThreads);
    }

    public string Kind => "memory";

    public ApplianceHost Host { get; }

    public ITourClient Client { get; }

    public static MemoryTour Start()
    {
        var link = new MemoryLink("tour");
        var options = TourNetwork.ApplianceOptions(pinThreads: false);
        var clientThreads = new ProtocolThreadGroup(new ProtocolThreadOptions
        {
            ThreadCount = options.Cpus,
            PinThreads = false,
            NamePrefix = "client",
        }).Start();
        MemoryInterface? clientDevice = null;
        try
        {
            var client = new InetStack(clientThreads);
            clientDevice = new MemoryInterface(link, "client0", ServeOptions.RandomHardwareAddress());
            client.AddInterface(clientDevice, new InterfaceConfiguration(TourNetwork.ClientAddress, TourNetwork.PrefixLength));
            var device = new MemoryInterface(link, "appliance0", options.HardwareAddress);
            var host = ApplianceHost.Start(options, device, TextWriter.Null); // owns the device from here
            return new MemoryTour(host, clientThreads, client, clientDevice);
        }
        catch
        {
            clientDevice?.Dispose(); // while its threads run: queued frames go back on their owner threads
            clientThreads.Dispose();
            throw;
        }
    }

    public void Describe(TourReport report)
    {
        report.Fact("link", $"in-memory link: appliance {TourNetwork.ApplianceAddress}/{TourNetwork.PrefixLength} " +
            $"({Host.Threads.Count} protocol threads) <-> NetKit client {TourNetwork.ClientAddress}/{TourNetwork.PrefixLength} " +
            $"({_clientThreads.Count} protocol threads)");
        report.Fact("offloads", $"{Host.Device.Offloads} (in-memory link: nothing to negotiate)");
        report.Fact("services", string.Join(' ', Host.Options.Services));
        report.Fact("clients", "the NetKit client stack: ICMP echo from its protocol thread, NetKitSocket for TCP and UDP");
    }

    public void Dispose()
    {
        Host.Dispose();
        _clientDevice.Dispose();
        _clientThreads.Dispose();
    }
}
