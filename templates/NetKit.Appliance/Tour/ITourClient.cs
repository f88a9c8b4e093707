using System;
using System.Threading.Tasks;

namespace NetKit.Appliance.Tour;

/// <summary>The kinds of exchange the tour makes; a client may lack what one needs (a Linux tool).</summary>
public enum TourStep
{
    Ping,
    Http,
    Upload,
    UdpEcho,
}

/// <summary>Echo requests sent and answered, with the mean round trip of the answered ones.</summary>
public sealed record PingResult(int Sent, int Received, double? AverageMilliseconds);

/// <summary>An HTTP GET as the client saw it: status, body length, the body's SHA-256, and its own timing.</summary>
public sealed record HttpResult(int Status, long Bytes, byte[] Sha256, double Seconds);

/// <summary>Bytes sent into discard, timed until the appliance closed its side (it had read them all).</summary>
public sealed record UploadResult(long Bytes, double Seconds);

/// <summary>One datagram to udp-echo: whether the same bytes came back, else what went wrong.</summary>
public sealed record UdpEchoResult(bool Matched, int Bytes, string? Problem);

/// <summary>
/// The other end of the tour's exchange: Linux inside a namespace (ping, curl, socat) or a NetKit client stack on the
/// in-memory link. A failure that makes a figure meaningless throws <see cref="TourStepException"/>.
/// </summary>
public interface ITourClient
{
    /// <summary>Why <paramref name="step"/> cannot run with this client (a missing tool), or null.</summary>
    string? SkipReason(TourStep step);

    /// <summary>
    /// Before anything is timed: makes the appliance reachable (ARP on both sides) and sends one small and one
    /// fragmenting echo, so that no round trip includes ARP or a first run through reassembly.
    /// </summary>
    Task WarmUpAsync();

    Task<PingResult> PingAsync(int dataBytes, int count);

    Task<HttpResult> GetAsync(string target);

    Task<UploadResult> UploadAsync(long bytes);

    Task<UdpEchoResult> UdpEchoAsync(string message);
}

/// <summary>A step that could not produce its figure; the message says why (it becomes the FAIL line).</summary>
public sealed class TourStepException(string message, Exception? inner = null) : Exception(message, inner);
