using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NetKit.Benchmarks.Linux;

/// <summary>
/// HTTP/1.1 keep-alive requests per second with <c>wrk</c> (1 thread, 32 connections, 3 s, 1 KiB responses) from a
/// client namespace: nginx with one worker over veth against the NetKit http service over TAP, in the same run. Each
/// iteration is one wrk run; the Req/s column is the median of wrk's own figure over the runs.
/// </summary>
[Config(typeof(Config))]
public class HttpKeepAliveBenchmarks
{
    private const int ResponseBytes = 1024;
    private LinuxPeerRig? _rig;

    [Params(ServerKind.LinuxVeth, ServerKind.NetKitTap, ServerKind.NetKitTapReaderThread, ServerKind.NetKitTapOneThread)]
    public ServerKind Server { get; set; }

    [GlobalSetup]
    public void Setup() => _rig = LinuxPeerRig.Start(Server, ResponseBytes);

    [GlobalCleanup]
    public void Cleanup() => _rig?.Dispose();

    [Benchmark(Description = "wrk 3 s, 32 connections, 1 KiB")]
    public void Wrk()
    {
        var result = _rig!.Client.Run(["wrk", "-t1", "-c32", "-d3s", $"http://{LinuxPeerRig.ServerAddress}/bytes/{ResponseBytes}"],
            TimeSpan.FromSeconds(30)).EnsureSuccess();
        var match = Regex.Match(result.StandardOutput, @"Requests/sec:\s+([0-9.]+)");
        if (!match.Success) throw new InvalidOperationException($"no Requests/sec in wrk's output:\n{result.StandardOutput}");
        if (result.StandardOutput.Contains("Non-2xx", StringComparison.Ordinal) || result.StandardOutput.Contains("Socket errors", StringComparison.Ordinal))
            throw new InvalidOperationException($"wrk saw errors:\n{result.StandardOutput}");
        RequestsPerSecond.Record(Server, double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            Add(new LinuxBenchmarkConfig());
            AddColumn(new RequestsPerSecond());
        }
    }

    /// <summary>wrk's Requests/sec, median over the iterations (in process, so the benchmark and the column share it).</summary>
    private sealed class RequestsPerSecond : IColumn
    {
        private static readonly ConcurrentDictionary<ServerKind, List<double>> s_samples = new();

        public static void Record(ServerKind server, double value)
        {
            var list = s_samples.GetOrAdd(server, _ => []);
            lock (list) list.Add(value);
        }

        public string Id => "RequestsPerSecond";
        public string ColumnName => "Req/s (wrk)";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "wrk's Requests/sec, median over every wrk run (the warm-up run included)";
        public bool IsAvailable(Summary summary) => true;
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var server = (ServerKind)benchmarkCase.Parameters["Server"];
            if (!s_samples.TryGetValue(server, out var list)) return "-";
            double[] values;
            lock (list) values = list.OrderBy(v => v).ToArray();
            return values.Length == 0 ? "-" : values[values.Length / 2].ToString("N0", CultureInfo.InvariantCulture);
        }
    }
}
