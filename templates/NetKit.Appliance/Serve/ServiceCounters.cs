namespace NetKit.Appliance.Serve;

/// <summary>What one service has done, as a snapshot.</summary>
/// <param name="Connections">TCP connections accepted (0 for udp-echo).</param>
/// <param name="BytesIn">Payload bytes received.</param>
/// <param name="BytesOut">Payload bytes sent.</param>
/// <param name="Requests">HTTP requests answered, or datagrams echoed; the stream services count none.</param>
/// <param name="Errors">Connections ended by a fault in the service (an exception), or echoes that could not be sent.</param>
public readonly record struct ServiceCounters(long Connections, long BytesIn, long BytesOut, long Requests, long Errors)
{
    public static ServiceCounters operator +(ServiceCounters a, ServiceCounters b) => new(
        a.Connections + b.Connections, a.BytesIn + b.BytesIn, a.BytesOut + b.BytesOut, a.Requests + b.Requests, a.Errors + b.Errors);
}
