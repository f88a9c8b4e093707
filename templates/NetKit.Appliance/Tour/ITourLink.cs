using System;
using NetKit.Appliance.Serve;

namespace NetKit.Appliance.Tour;

/// <summary>
/// Where the tour runs: the appliance on a link, and a client at the other end. Dispose removes everything it set up
/// (threads, devices, namespace, files), and is safe after a failure midway.
/// </summary>
public interface ITourLink : IDisposable
{
    /// <summary>"tap" or "memory".</summary>
    string Kind { get; }

    ApplianceHost Host { get; }

    ITourClient Client { get; }

    /// <summary>Writes the facts lines: the link, the offloads, the client.</summary>
    void Describe(TourReport report);
}
