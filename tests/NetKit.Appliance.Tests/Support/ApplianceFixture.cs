using System;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;
using Xunit;

namespace NetKit.Appliance.Tests.Support;

/// <summary>
/// One appliance (default services: tcp-echo:7, udp-echo:7, discard:9, http:80) and its peer namespace shared by the
/// tests of the "appliance" collection. At the end it is stopped with SIGTERM, and a clean exit with printed counters
/// is required (a failure here is reported by xunit as a collection clean-up failure).
/// </summary>
public sealed class ApplianceFixture : IAsyncLifetime
{
    private RunningAppliance? _host;

    /// <summary>The running appliance; throws with the reason when it could not be started.</summary>
    public RunningAppliance Host => _host ?? throw new InvalidOperationException(StartFailure ?? "the appliance is not running");

    public PeerNamespace Peer => Host.Peer;

    /// <summary>Scratch files for transfers (random inputs, received outputs).</summary>
    public ScratchDirectory Scratch { get; } = new();

    public string? StartFailure { get; private set; }

    public async Task InitializeAsync()
    {
        if (LinuxFactAttribute.SkipReason() is { } reason)
        {
            StartFailure = reason; // every test skips on its own attribute; nothing to start
            return;
        }
        _host = await RunningAppliance.StartAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_host is null) return;
            var exit = await _host.StopAsync();
            await _host.DisposeAsync();
            if (exit.ExitCode != 0 || exit.WasKilled || !ApplianceCounters.LookPrinted(exit.Counters))
                throw new InvalidOperationException($"the shared appliance did not stop cleanly on SIGTERM: {exit}");
        }
        finally
        {
            Scratch.Dispose();
        }
    }
}

/// <summary>The tests that share one <see cref="ApplianceFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ApplianceCollection : ICollectionFixture<ApplianceFixture>
{
    public const string Name = "appliance";
}
