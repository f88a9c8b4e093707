using System;
using System.Collections.Generic;
using System.IO;
using NetKit.Drivers.Capture;
using NetKit.Drivers.Memory;
using NetKit.Drivers.Tap;
using NetKit.Protocols.Interfaces;
using NetKit.Protocols.Stacks;
using NetKit.Runtime.Devices;
using NetKit.Runtime.Threading;
using ArpState = NetKit.Protocols.Arp.ArpState;
using EthernetState = NetKit.Protocols.Ethernet.EthernetState;
using IcmpState = NetKit.Protocols.Icmp.IcmpState;
using IPv4State = NetKit.Protocols.IPv4.IPv4State;
using TcpState = NetKit.Protocols.Tcp.TcpState;
using UdpState = NetKit.Protocols.Udp.UdpState;

namespace NetKit.Appliance.Serve;

/// <summary>
/// The appliance itself, on any link: protocol threads, an <see cref="InetStack"/> with one interface on
/// <paramref name="device"/>, and the services of <see cref="ServeOptions.Services"/>. <c>serve</c> runs it on a TAP;
/// tests and the memory-link fallback run it on a <see cref="MemoryInterface"/>.
/// </summary>
public sealed class ApplianceHost : IDisposable
{
    private readonly PcapCapture? _capture;
    private readonly List<ApplianceService> _services;
    private bool _servicesStopped, _disposed;

    private ApplianceHost(ServeOptions options, ProtocolThreadGroup threads, InetStack stack, ILinkDevice device,
        NetInterface nic, PcapCapture? capture, List<ApplianceService> services)
    {
        Options = options;
        Threads = threads;
        Stack = stack;
        Device = device;
        Interface = nic;
        _capture = capture;
        _services = services;
    }

    public ServeOptions Options { get; }

    public ProtocolThreadGroup Threads { get; }

    public InetStack Stack { get; }

    /// <summary>The link device; the host owns it and disposes it.</summary>
    public ILinkDevice Device { get; }

    public NetInterface Interface { get; }

    /// <summary>The running services, in the order of <see cref="ServeOptions.Services"/>.</summary>
    public IReadOnlyList<ApplianceService> Services => _services;

    /// <summary>The service for <paramref name="spec"/>, or null.</summary>
    public ApplianceService? Service(ServiceSpec spec) => _services.Find(s => s.Spec == spec);

    /// <summary>
    /// Starts threads, stack and services on <paramref name="device"/>, which the host then owns (it is disposed
    /// on failure too). Throws <see cref="ServiceStartException"/> when a service cannot bind, and the I/O exception
    /// when the pcap file cannot be created. Writes one line per service to <paramref name="log"/> once all run.
    /// </summary>
    public static ApplianceHost Start(ServeOptions options, ILinkDevice device, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(log);
        var configuration = options.InterfaceConfiguration;
        if (configuration.Validate() is { } problem)
        {
            device.Dispose();
            throw new ArgumentException(problem, nameof(options));
        }

        ProtocolThreadGroup? threads = null;
        PcapCapture? capture = null;
        var services = new List<ApplianceService>();
        try
        {
            threads = new ProtocolThreadGroup(new ProtocolThreadOptions
            {
                ThreadCount = options.Cpus,
                // One thread per CPU at most: more threads than CPUs pinned would share CPUs by construction.
                PinThreads = options.PinThreads && options.Cpus <= Environment.ProcessorCount,
            }).Start();
            if (options.PcapPath is { } path)
            {
                capture = PcapCapture.ToFile(path);
                AttachCapture(device, capture);
            }
            var stack = new InetStack(threads);
            var nic = stack.AddInterface(device, configuration);
            foreach (var spec in options.Services)
            {
                var service = ApplianceService.Create(spec);
                service.Start(stack, options.Address); // throws ServiceStartException
                services.Add(service);
            }
            foreach (var service in services) log.WriteLine($"serving {service.Spec} on {options.Address}:{service.Spec.Port}");
            return new ApplianceHost(options, threads, stack, device, nic, capture, services);
        }
        catch
        {
            foreach (var service in services) service.Stop();
            device.Dispose(); // while the threads run: it hands queued frames back on their owner threads
            threads?.Dispose();
            capture?.Dispose();
            throw;
        }
    }

    // The capture hook is not part of ILinkDevice; the drivers that have one expose it the same way.
    private static void AttachCapture(ILinkDevice device, IFrameCapture capture)
    {
        switch (device)
        {
            case TapDevice tap:
                tap.Capture = capture;
                break;
            case MemoryInterface memory:
                memory.Capture = capture;
                break;
            default:
                throw new NotSupportedException($"{device.Name} ({device.GetType().Name}) has no capture hook for --pcap");
        }
    }

    /// <summary>Stops every service: listeners closed, connections closed, datagram sockets closed. Idempotent.</summary>
    public void StopServices()
    {
        if (_servicesStopped) return;
        _servicesStopped = true;
        // In reverse, so a later service never outlives one it was started after.
        for (int i = _services.Count - 1; i >= 0; i--) _services[i].Stop();
    }

    /// <summary>
    /// Writes the counter blocks: Ethernet, ARP, IPv4, ICMP, UDP, TCP (summed over the protocol threads), one block per
    /// service, and the device's.
    /// </summary>
    public void WriteCounters(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        CounterReport.Write(output, "ethernet", Stack.State<EthernetState>().Counters);
        CounterReport.Write(output, "arp", Stack.State<ArpState>().Counters);
        CounterReport.Write(output, "ipv4", Stack.State<IPv4State>().Counters);
        CounterReport.Write(output, "icmp", Stack.State<IcmpState>().Counters);
        CounterReport.Write(output, "udp", Stack.State<UdpState>().Counters);
        CounterReport.Write(output, "tcp", Stack.State<TcpState>().Counters);
        foreach (var service in _services) CounterReport.Write(output, service.Spec, service.Counters);
        output.WriteLine($"device {Device.Name}:");
        CounterReport.Line(output, "FramesReceived", Device.ReceivedFrames);
        CounterReport.Line(output, "FramesTransmitted", Device.TransmittedFrames);
        CounterReport.Line(output, "ReceiveDrops", Device.ReceiveDrops);
        CounterReport.Line(output, "TransmitDrops", Device.TransmitDrops);
        switch (Device)
        {
            case TapDevice tap:
                CounterReport.Line(output, "WriteErrors", tap.WriteErrors);
                CounterReport.Line(output, "ReceiveBufferShortages", tap.ReceiveBufferShortages);
                CounterReport.Line(output, "FramesHandedOver", tap.FramesHandedOver);
                if (!Options.Impairments.Receive.IsPassThrough) CounterReport.Write(output, "RxImpair", tap.ReceiveImpairmentCounters);
                if (!Options.Impairments.Transmit.IsPassThrough) CounterReport.Write(output, "TxImpair", tap.TransmitImpairmentCounters);
                break;
            case MemoryInterface memory:
                CounterReport.Write(output, "TxImpair", memory.ImpairmentCounters);
                break;
        }
        if (_capture is not null) CounterReport.Line(output, "FramesCaptured", _capture.Frames);
        output.Flush();
    }

    /// <summary>Stops the services, then the device (while the threads still run), then the threads; closes the capture.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        StopServices();
        Device.Dispose(); // frames still queued go back on their owner threads, which must still run
        Threads.Dispose();
        _capture?.Dispose();
    }
}
