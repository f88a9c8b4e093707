using NetKit.Runtime.Devices;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Interfaces;

/// <summary>Bringing interfaces up on a stack.</summary>
public static class StackInterfaceExtensions
{
    /// <summary>
    /// Adds <paramref name="device"/> to <paramref name="stack"/> with <paramref name="configuration"/>, starts its
    /// receive path and announces the address with a gratuitous ARP (sent from protocol thread 0). Start the
    /// stack's protocol threads first.
    /// </summary>
    public static NetInterface AddInterface(this NetStack stack, ILinkDevice device, InterfaceConfiguration configuration)
    {
        var nic = stack.State<InterfaceTable>().Add(device, configuration);
        device.Start(stack, nic.Index);
        if (device.IsUp) Arp.Arp.Announce(stack, nic);
        return nic;
    }

    /// <summary>The stack's interface table.</summary>
    public static InterfaceTable Interfaces(this NetStack stack) => stack.State<InterfaceTable>();
}
