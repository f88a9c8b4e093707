using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Marks a link or network protocol's flow classifier, used to pick a packet's owner thread before any protocol
/// thread touches it (DragonFly <c>ether_characterize</c> and <c>ip_hashfn</c>). Shape:
/// <c>int (ReadOnlySpan&lt;byte&gt; packet, ref int offset, ref FlowKey key)</c>: read the header at
/// <c>offset</c>, fill the address part of <see cref="FlowKey"/>, advance <c>offset</c> to the next header and return
/// the next protocol's number, or -1 when the packet cannot be classified further (it then goes by this protocol's
/// own flow-hash kind). It must validate every length it reads.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class FlowClassifierAttribute : Attribute
{
}
