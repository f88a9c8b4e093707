using System;

namespace NetKit.Runtime.Protocols;

/// <summary>
/// Marks a <c>static</c> method as the handler of one socket option, at one level and name, for set or get. The
/// generator copies the caller's bytes in on the caller's thread, checks size and range, sends the typed value to
/// the socket's owner thread, calls the handler there and copies the result out after the reply (DragonFly's
/// <c>sosetopt</c>/<c>sogetopt</c> with <c>sooptcopyin</c>/<c>sooptcopyout</c>).
/// <para>Shapes, with <c>T</c> one of int, uint, long, ulong, short, ushort, byte, sbyte, bool (a C int on the
/// wire), an enum, or a blittable struct (linger, timeval, ip_mreq):</para>
/// <list type="bullet">
/// <item>set: <c>Errno (NetSocket socket, T value)</c> or <c>(NetSocket socket, in T value)</c>;</item>
/// <item>get: <c>Errno (NetSocket socket, out T value)</c>;</item>
/// <item>fixed-length bytes (<see cref="Length"/> required): set <c>(NetSocket socket, ReadOnlySpan&lt;byte&gt; value)</c>,
/// get <c>(NetSocket socket, Span&lt;byte&gt; value)</c>.</item>
/// </list>
/// In a <see cref="ProtocolAttribute"/> class the handler runs on the owner protocol thread; in a
/// <see cref="SocketOptionTableAttribute"/> class (socket level) it runs on the caller's thread and the protocol is
/// then notified through its <see cref="UserRequestKind.ControlOutput"/> handler.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SockOptAttribute : Attribute
{
    /// <summary>Value of <see cref="Minimum"/>/<see cref="Maximum"/> meaning "no bound".</summary>
    public const long Unbounded = long.MinValue;

    public SockOptAttribute(int level, int name, SockOptAccess access)
    {
        Level = level;
        Name = name;
        Access = access;
    }

    public int Level { get; }

    public int Name { get; }

    public SockOptAccess Access { get; }

    /// <summary>Smallest accepted value of an integer or enum option on set (EINVAL below it).</summary>
    public long Minimum { get; set; } = Unbounded;

    /// <summary>Largest accepted value of an integer or enum option on set (EINVAL above it).</summary>
    public long Maximum { get; set; } = Unbounded;

    /// <summary>Exact byte length of a fixed-length byte option (1..<see cref="Sockets.SocketRequest.InlineValueCapacity"/>).</summary>
    public int Length { get; set; }
}
