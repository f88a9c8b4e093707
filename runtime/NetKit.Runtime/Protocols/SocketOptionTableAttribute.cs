using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Declares a <c>static partial class</c> of socket-level (<c>SOL_SOCKET</c>) <see cref="SockOptAttribute"/>
/// handlers. They run in the caller's context, as DragonFly's <c>sosetopt</c> handles <c>SOL_SOCKET</c> before
/// calling <c>so_pr_ctloutput</c>; after a successful set the socket's protocol is notified through its
/// <see cref="UserRequestKind.ControlOutput"/> handler on its owner thread and its answer is ignored.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SocketOptionTableAttribute : Attribute
{
}
