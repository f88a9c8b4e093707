using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Marks a transport's control input (<c>pr_ctlinput</c>): an ICMP error about one of its flows.
/// Shape: <c>void (NetStack stack, ControlCommand command, PacketBuffer packet, int offset)</c>, with
/// <c>offset</c> at the network header quoted inside the error. The caller still owns the packet. The generated
/// stack routes it to the thread that owns the quoted flow (DragonFly <c>tcp_ctlport</c>/<c>udp_ctlport</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ControlInputAttribute : Attribute
{
}
