using System.Globalization;
using System.IO;
using NetKit.Appliance.Serve;
using NetKit.Drivers.Tap;
using NetKit.Protocols.Ethernet;
using NetKit.Protocols.Icmp;
using NetKit.Protocols.Tcp;
using NetKit.Protocols.Udp;
using IPv4Counter = NetKit.Protocols.IPv4.IPv4Counter;
using IPv4State = NetKit.Protocols.IPv4.IPv4State;

namespace NetKit.Appliance.Tour;

/// <summary>
/// The appliance's counters after the tour, one line per layer and per service: the few that tell what the exchange
/// did (<c>serve</c> prints every counter; <see cref="ApplianceHost.WriteCounters"/>).
/// </summary>
public static class TourCounters
{
    public static void Write(TextWriter output, ApplianceHost host)
    {
        var stack = host.Stack;
        var device = host.Device;
        var ethernet = stack.State<EthernetState>().Counters;
        var ipv4 = stack.State<IPv4State>().Counters;
        var icmp = stack.State<IcmpState>().Counters;
        var udp = stack.State<UdpState>().Counters;
        var tcp = stack.State<TcpState>().Counters;
        output.WriteLine("appliance counters");
        Line(output, $"device {device.Name}", $"frames in {device.ReceivedFrames}, out {device.TransmittedFrames}; " +
            $"drops in {device.ReceiveDrops}, out {device.TransmitDrops}" +
            (device is TapDevice tap ? $"; write errors {tap.WriteErrors}, buffer shortages {tap.ReceiveBufferShortages}" : ""));
        Line(output, "ethernet", $"received {ethernet[EthernetCounter.Received]}, sent {ethernet[EthernetCounter.Sent]}");
        Line(output, "ipv4", $"received {ipv4[IPv4Counter.Received]}, sent {ipv4[IPv4Counter.Sent]}; reassembled {ipv4[IPv4Counter.Reassembled]}, " +
            $"fragmented {ipv4[IPv4Counter.Fragmented]} into {ipv4[IPv4Counter.FragmentsCreated]}");
        Line(output, "icmp", $"echo requests {icmp[IcmpCounter.EchoRequests]}, replies {icmp[IcmpCounter.EchoReplies]}");
        Line(output, "udp", $"received {udp[UdpCounter.Received]}, sent {udp[UdpCounter.Sent]}");
        Line(output, "tcp", $"segments in {tcp[TcpCounter.SegmentsReceived]}, out {tcp[TcpCounter.SegmentsSent]}; " +
            $"connections {tcp[TcpCounter.PassiveOpens]}; retransmits {tcp[TcpCounter.Retransmits]}; " +
            $"bytes in {tcp[TcpCounter.BytesReceived]}, out {tcp[TcpCounter.BytesSent]}");
        foreach (var service in host.Services)
        {
            var counters = service.Counters;
            Line(output, service.Spec.ToString(), $"connections {counters.Connections}, requests {counters.Requests}, " +
                $"bytes in {counters.BytesIn}, out {counters.BytesOut}, errors {counters.Errors}");
        }
        output.Flush();
    }

    private static void Line(TextWriter output, string name, string values) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-20} {values}"));
}
