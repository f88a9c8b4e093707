using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using NetKit.Appliance.LinuxPeer;

namespace NetKit.Appliance.Tests.Support;

/// <summary>How the appliance process ended.</summary>
public sealed record ApplianceExit(int ExitCode, bool WasKilled, string StandardOutput, string StandardError)
{
    /// <summary>What it printed after its <c>ready</c> line: the counters.</summary>
    public string Counters
    {
        get
        {
            int ready = StandardOutput.IndexOf("ready\n", StringComparison.Ordinal);
            return ready < 0 ? "" : StandardOutput[(ready + "ready\n".Length)..];
        }
    }

    public override string ToString() =>
        $"exit code {ExitCode}{(WasKilled ? " (killed after SIGTERM timed out)" : "")}; stdout: {StandardOutput.Trim()}; stderr: {StandardError.Trim()}";
}

/// <summary>
/// The appliance as a separate process (<c>dotnet NetKit.Appliance.dll serve --tap ...</c>) on a TAP whose kernel side
/// was moved into a private namespace: appliance 10.77.X.1/24, namespace 10.77.X.2/24 (X random). Stopping sends
/// SIGTERM and waits; SIGKILL only when it does not exit. Disposal removes the namespace whatever happened before.
/// </summary>
public sealed class RunningAppliance : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private ApplianceExit? _exit;

    private RunningAppliance(int subnet, string tapName, PeerProcess process)
    {
        Subnet = subnet;
        TapName = tapName;
        Process = process;
    }

    public int Subnet { get; }
    public string TapName { get; }
    public string ApplianceAddress => $"10.77.{Subnet}.1";
    public string PeerAddress => $"10.77.{Subnet}.2";
    public PeerProcess Process { get; }

    /// <summary>The namespace holding the TAP's kernel side: the Linux peer.</summary>
    public PeerNamespace Peer { get; private set; } = null!;

    /// <summary>
    /// Starts <c>serve</c> with the TAP, the address, the namespace as its gateway and <paramref name="extraArguments"/>,
    /// waits for <c>ready</c>, then moves the TAP into a new namespace and configures the peer side.
    /// </summary>
    public static async Task<RunningAppliance> StartAsync(params string[] extraArguments)
    {
        int subnet = Random.Shared.Next(1, 255);
        string tap = $"nkt{Random.Shared.Next(0x1000000):x6}";
        var arguments = new List<string>
        {
            DotnetHost(), ApplianceDll(), "serve", "--tap", tap, "--address", $"10.77.{subnet}.1/24", "--gateway", $"10.77.{subnet}.2",
        };
        arguments.AddRange(extraArguments);
        var host = new RunningAppliance(subnet, tap, PeerProcess.Start(arguments));
        try
        {
            var ready = await host.Process.WaitForLineAsync(line => line == "ready", ReadyTimeout);
            if (ready is null)
            {
                await host.Process.WaitForExitAsync(TimeSpan.FromSeconds(5)); // for its exit code and last words
                throw new InvalidOperationException($"the appliance did not print 'ready' within {ReadyTimeout.TotalSeconds} s: {host.Process}");
            }
            host.Peer = PeerNamespace.Create();
            host.Peer.AdoptLink(tap, $"{host.PeerAddress}/24");
            await host.WaitReachableAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the appliance (SIGTERM) and reports how it ended; later calls return the same result.</summary>
    public async Task<ApplianceExit> StopAsync()
    {
        if (_exit is not null) return _exit;
        int code = await Process.StopAsync(StopTimeout);
        return _exit = new ApplianceExit(code, Process.WasKilled, Process.StandardOutput, Process.StandardError);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Process.Dispose();
            Peer?.Dispose();
        }
    }

    /// <summary>Waits (bounded) until the appliance answers a ping, so that the first test does not measure ARP start-up.</summary>
    private async Task WaitReachableAsync()
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var result = await Peer.RunAsync(["ping", "-c", "1", "-W", "1", ApplianceAddress], TimeSpan.FromSeconds(5));
            if (result.Succeeded) return;
        }
        // Not fatal here: the tests say what does not work.
    }

    public static string ApplianceDll()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "NetKit.Appliance.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("the appliance is not in the test output directory", path);
    }

    /// <summary>The dotnet host running this test (so the appliance runs on the same runtime).</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        if (Tool.Find("dotnet") is { } onPath) return onPath;
        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Path.Combine(root, "dotnet");
    }
}
