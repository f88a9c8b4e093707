using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Declares a stack: a <c>sealed partial class</c> listing the protocol and socket-option-table types it contains.
/// The generator makes the class a <see cref="NetStack"/> and emits, from this list only, the ethertype and
/// IP-protocol demultiplexing, the flow routing, the socket requests and the option dispatch. A protocol not
/// listed is never referenced, so a trimmed NativeAOT image leaves it out.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NetworkStackAttribute : Attribute
{
    public NetworkStackAttribute(params Type[] protocols) => Protocols = protocols;

    public Type[] Protocols { get; }
}
