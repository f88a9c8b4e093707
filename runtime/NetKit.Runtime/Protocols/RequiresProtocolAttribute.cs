using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// States that a protocol runs over, or calls into, another one (TCP requires IPv4). A transport is
/// demultiplexed from the network protocols it requires, and option levels of a required protocol (IPPROTO_IP on a
/// TCP socket) reach that protocol's option table, as <c>tcp_ctloutput</c> hands IP-level options to
/// <c>ip_ctloutput</c>. A stack that lists a protocol must list what it requires.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RequiresProtocolAttribute : Attribute
{
    public RequiresProtocolAttribute(Type protocol) => Protocol = protocol;

    public Type Protocol { get; }
}
