using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Marks a protocol's packet input (<c>pr_input</c>), run on the packet's owner protocol thread.
/// <list type="bullet">
/// <item>Link and network protocols: <c>int (NetStack stack, ref PacketBuffer packet, ref int offset)</c>. Return
/// the next protocol's number (ethertype, IP protocol) with <c>offset</c> at its header, or
/// <see cref="InputResult.Consumed"/> once the packet is kept or freed. The generated stack then calls the next
/// protocol directly, as <c>ip_input</c> calls through <c>ip_protox</c>.</item>
/// <item>Transports: <c>void (NetStack stack, PacketBuffer packet, int offset)</c>, with <c>offset</c> at the
/// transport header and the network header still in front of it; the transport owns the packet.</item>
/// </list>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class PacketInputAttribute : Attribute
{
}
