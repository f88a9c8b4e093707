using System;
using System.Threading;
using NetKit.Protocols.Wire;
using NetKit.Runtime.Devices;

namespace NetKit.Protocols.Interfaces;

/// <summary>
/// One interface of a stack (BSD <c>struct ifnet</c> with its IPv4 address): the device it sends through, its MAC,
/// and its current <see cref="InterfaceConfiguration"/>, swapped atomically so readers on any protocol thread see
/// either the old or the new configuration, never a mix.
/// </summary>
public sealed class NetInterface
{
    private InterfaceConfiguration _configuration;

    public NetInterface(int index, ILinkDevice device, InterfaceConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (configuration.Validate() is { } problem) throw new ArgumentException(problem, nameof(configuration));
        if (device.HardwareAddress.Length != MacAddress.Length)
            throw new ArgumentException($"device {device.Name} has a {device.HardwareAddress.Length}-byte hardware address; Ethernet needs 6", nameof(device));
        Index = index;
        Device = device;
        Mac = MacAddress.Read(device.HardwareAddress);
        _configuration = configuration;
    }

    /// <summary>Position in its stack's interface table (stamped on received packets as <c>InterfaceIndex</c>).</summary>
    public int Index { get; }

    public ILinkDevice Device { get; }

    public string Name => Device.Name;

    public MacAddress Mac { get; }

    public InterfaceConfiguration Configuration => Volatile.Read(ref _configuration);

    /// <summary>IP MTU: the configured MTU, never above what the device carries.</summary>
    public int Mtu => Math.Min(Configuration.Mtu, Device.Mtu);

    /// <summary>Replaces the configuration (address, prefix, gateway, MTU).</summary>
    public void Reconfigure(InterfaceConfiguration configuration)
    {
        if (configuration.Validate() is { } problem) throw new ArgumentException(problem, nameof(configuration));
        Volatile.Write(ref _configuration, configuration);
    }

    public override string ToString()
    {
        var c = Configuration;
        return $"{Name} {Mac} {c.Address}/{c.PrefixLength} gw {c.Gateway} mtu {Mtu}";
    }
}
