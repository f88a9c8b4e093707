using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Marks a <c>static</c> method of a <see cref="ProtocolAttribute"/> class as its handler for one user request.
/// The handler runs on the socket's owner protocol thread and returns the errno the caller sees; its parameters
/// follow the shape documented on each <see cref="UserRequestKind"/> member.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class UserRequestAttribute : Attribute
{
    public UserRequestAttribute(UserRequestKind kind) => Kind = kind;

    public UserRequestKind Kind { get; }
}
