using System;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Attributes;
using NetKit.Appliance.LinuxPeer;

namespace NetKit.Benchmarks.Linux;

/// <summary>
/// Bulk TCP between a Linux client in a namespace and a server (<see cref="ServerKind"/>), 256 MiB per operation, one
/// stream: Linux → server with <c>socat</c> into the discard service, server → Linux with <c>curl</c> from
/// <c>/bytes/N</c>. Linux → Linux over veth is the reference measured in the same run. Gbit/s = 2.147 / mean (s).
/// </summary>
[Config(typeof(LinuxBenchmarkConfig))]
public class TapBulkBenchmarks
{
    public const long Bytes = 256L << 20;

    private LinuxPeerRig? _rig;
    private string _file = "";

    [Params(ServerKind.LinuxVeth, ServerKind.NetKitTap, ServerKind.NetKitTapOneThread, ServerKind.NetKitTapReaderThread, ServerKind.NetKitTapNoOffloads)]
    public ServerKind Server { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rig = LinuxPeerRig.Start(Server, Bytes);
        _file = Path.Combine("/dev/shm", $"nk-bench-{Environment.ProcessId}");
        using var file = File.Create(_file);
        file.SetLength(Bytes);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rig?.Dispose();
        File.Delete(_file);
    }

    [Benchmark(Description = "Linux -> server, 256 MiB")]
    public void LinuxToServer() =>
        _rig!.Client.Run(["socat", "-b", "262144", "-u", $"FILE:{_file}", $"TCP:{LinuxPeerRig.ServerAddress}:9"], TimeSpan.FromMinutes(2)).EnsureSuccess();

    [Benchmark(Description = "server -> Linux, 256 MiB")]
    public void ServerToLinux()
    {
        var result = _rig!.Client.Run(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}",
            $"http://{LinuxPeerRig.ServerAddress}/bytes/{Bytes}"], TimeSpan.FromMinutes(2)).EnsureSuccess();
        if (long.Parse(result.StandardOutput.Trim(), CultureInfo.InvariantCulture) != Bytes)
            throw new InvalidOperationException($"curl received {result.StandardOutput} bytes, not {Bytes}.");
    }
}
