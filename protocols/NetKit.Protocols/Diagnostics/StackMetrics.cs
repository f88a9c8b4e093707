using System.Diagnostics.Metrics;
using NetKit.Protocols.Arp;
using NetKit.Protocols.Ethernet;
using NetKit.Protocols.Icmp;
using NetKit.Protocols.IPv4;
using NetKit.Protocols.Udp;
using NetKit.Runtime.Protocols;

namespace NetKit.Protocols.Diagnostics;

/// <summary>
/// Publishes a stack's per-protocol, per-CPU counters (<c>netstat -s</c>) through
/// <see cref="System.Diagnostics.Metrics"/>: observable counters named <c>netkit.{protocol}.{counter}</c> with
/// <c>cpu</c> and <c>stack</c> tags, read by dotnet-counters, OpenTelemetry or a <see cref="MeterListener"/>.
/// Reading them sums nothing on the data path: each observation reads the per-CPU rows.
/// </summary>
public static class StackMetrics
{
    /// <summary>The meter name every NetKit stack publishes under.</summary>
    public const string MeterName = "NetKit";

    /// <summary>Creates a meter for <paramref name="stack"/> and publishes its counters on it; dispose it to stop.</summary>
    public static Meter Publish(NetStack stack, string name)
    {
        var meter = new Meter(MeterName);
        stack.State<EthernetState>().Counters.Publish(meter, name);
        stack.State<ArpState>().Counters.Publish(meter, name);
        stack.State<IPv4State>().Counters.Publish(meter, name);
        stack.State<IcmpState>().Counters.Publish(meter, name);
        stack.State<UdpState>().Counters.Publish(meter, name);
        return meter;
    }
}
