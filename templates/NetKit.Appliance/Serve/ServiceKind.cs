using System;

namespace NetKit.Appliance.Serve;

/// <summary>The services the appliance can run (<c>--service KIND:PORT</c>).</summary>
public enum ServiceKind
{
    /// <summary><c>tcp-echo</c>: every byte received on a connection is sent back (RFC 862 over TCP).</summary>
    TcpEcho,

    /// <summary><c>udp-echo</c>: every datagram is sent back, answered on the protocol thread that received it.</summary>
    UdpEcho,

    /// <summary><c>discard</c>: connections are read and counted, nothing is sent (RFC 863 over TCP).</summary>
    Discard,

    /// <summary><c>http</c>: HTTP/1.1 with keep-alive and pipelining: a page, <c>/bytes/N</c>, errors.</summary>
    Http,
}

/// <summary>Names, transports and standard ports of <see cref="ServiceKind"/>.</summary>
public static class ServiceKinds
{
    /// <summary>Every kind, in the order the default configuration starts them.</summary>
    public static ReadOnlySpan<ServiceKind> All => [ServiceKind.TcpEcho, ServiceKind.UdpEcho, ServiceKind.Discard, ServiceKind.Http];

    /// <summary>The command-line name (<c>tcp-echo</c>, <c>udp-echo</c>, <c>discard</c>, <c>http</c>).</summary>
    public static string Name(this ServiceKind kind) => kind switch
    {
        ServiceKind.TcpEcho => "tcp-echo",
        ServiceKind.UdpEcho => "udp-echo",
        ServiceKind.Discard => "discard",
        ServiceKind.Http => "http",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The well-known port used when no <c>--service</c> is given.</summary>
    public static ushort StandardPort(this ServiceKind kind) => kind switch
    {
        ServiceKind.TcpEcho or ServiceKind.UdpEcho => 7,
        ServiceKind.Discard => 9,
        ServiceKind.Http => 80,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>True for the services that listen on TCP (they share the TCP port space).</summary>
    public static bool IsTcp(this ServiceKind kind) => kind != ServiceKind.UdpEcho;

    /// <summary>Parses a command-line name (exact, lower case).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out ServiceKind kind)
    {
        foreach (var candidate in All)
        {
            if (name.SequenceEqual(candidate.Name()))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
