using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using NetKit.Drivers.Impairments;
using NetKit.Protocols.Tcp;
using Xunit;
using Xunit.Abstractions;
using TcpStateOf = NetKit.Protocols.Tcp.TcpState;

namespace NetKit.Protocols.Tests.EndToEnd;

/// <summary>
/// The TCP impairment matrix (issue: loss 0/1/5/10 %, reordering 0/25 %, delay 0/10 ms, with 1 % duplication and
/// 0.1 % corruption in every cell): each cell moves 64 MiB each way at once over the memory link at MTU 1500 with
/// both hosts' transmit sides impaired, checks SHA-256 at both ends, and reports its goodput — the table in
/// docs/PERFORMANCE.md (as smoltcp's netsim table). <c>NETKIT_MATRIX_MIB</c> shrinks the cells for a quick local run.
/// The four rows below run in parallel (xunit runs classes concurrently), and so do the cells of a row.
/// </summary>
internal static class TcpImpairmentMatrix
{
    public const double Duplication = 0.01;
    public const double Corruption = 0.001;

    public static int Bytes => (int.TryParse(Environment.GetEnvironmentVariable("NETKIT_MATRIX_MIB"), out int mib) && mib > 0 ? mib : 64) << 20;

    /// <summary>How long a cell may take before it fails with both stacks' state (<c>NETKIT_MATRIX_LIMIT_S</c> overrides).</summary>
    private static TimeSpan Limit => TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("NETKIT_MATRIX_LIMIT_S"), out int s) && s > 0 ? s : 40 * 60);
    private static readonly object FileLock = new();

    public static readonly int[] LossPercents = { 0, 1, 5, 10 };

    /// <summary>
    /// One row of the matrix: its four loss rates at once, each on its own pair of hosts. The cells wait on delays
    /// and timers far more than they compute, so running them together bounds the suite by its slowest cell.
    /// </summary>
    public static async Task RunRowAsync(ITestOutputHelper output, int reorderPercent, int delayMs, ushort basePort)
    {
        var cells = new Task[LossPercents.Length];
        for (int i = 0; i < cells.Length; i++)
            cells[i] = RunCellAsync(output, LossPercents[i], reorderPercent, delayMs, (ushort)(basePort + LossPercents[i]));
        await Task.WhenAll(cells);
    }

    /// <summary>One host's impairments for a cell (each host gets its own seed).</summary>
    public static ImpairmentOptions Impairments(double loss, double reorder, double duplicate, double corrupt, int delayMs, ulong seed) => new()
    {
        LossProbability = loss,
        ReorderProbability = reorder,
        DuplicationProbability = duplicate,
        CorruptionProbability = corrupt,
        Delay = TimeSpan.FromMilliseconds(delayMs),
        Seed = seed,
    };

    public static async Task RunCellAsync(ITestOutputHelper output, int lossPercent, int reorderPercent, int delayMs, ushort port)
    {
        double loss = lossPercent / 100.0, reorder = reorderPercent / 100.0;
        ImpairmentOptions Impair(ulong seed) => Impairments(loss, reorder, Duplication, Corruption, delayMs, seed);
        int bytes = Bytes;
        using var hosts = new TwoHosts(impairA: Impair(0xA000 + (ulong)port), impairB: Impair(0xB000 + (ulong)port));
        using var pair = await TcpPair.ConnectAsync(hosts, port).WaitAsync(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var result = await TcpPair.Within(pair.TransferBothWaysAsync(bytes), hosts, Limit);
        double seconds = clock.Elapsed.TotalSeconds;

        var a = hosts.A.State<TcpStateOf>().Counters;
        var b = hosts.B.State<TcpStateOf>().Counters;
        var impaired = hosts.DeviceA.ImpairmentCounters + hosts.DeviceB.ImpairmentCounters;
        long Sum(TcpCounter c) => a[c] + b[c];
        // Goodput: application bytes delivered per second, each direction (they run at once).
        double goodput = bytes / seconds / (1 << 20);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"| {lossPercent}% | {reorderPercent}% | {delayMs} ms | {bytes >> 20} MiB | {seconds:F1} s | {goodput:F2} MiB/s | " +
            $"{Sum(TcpCounter.Retransmits)} | {Sum(TcpCounter.FastRetransmits)} | {Sum(TcpCounter.LostRetransmits)} | {Sum(TcpCounter.TailLossProbes)} | {Sum(TcpCounter.RetransmitTimeouts)} | " +
            $"{impaired.Lost}/{impaired.Duplicated}/{impaired.Reordered}/{impaired.Corrupted} | {(result.Intact ? "equal" : "DIFFERENT")} |");
        output.WriteLine(line);
        lock (FileLock) File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "tcp-impairment-matrix.md"), line + Environment.NewLine);

        Assert.True(result.Intact, result.ToString());
        Assert.Equal((long)bytes, result.ReceivedByServer.Bytes);
        Assert.Equal((long)bytes, result.ReceivedByClient.Bytes);
        // Every impairment of the cell really happened, so "equal" means recovered, not untouched.
        Assert.True(impaired.Duplicated > 0 && impaired.Corrupted > 0);
        if (loss > 0) Assert.True(impaired.Lost > 0 && Sum(TcpCounter.Retransmits) > 0);
        if (reorder > 0) Assert.True(impaired.Reordered > 0);
    }
}

public sealed class TcpImpairmentMatrixInOrderTests(ITestOutputHelper output)
{
    [Fact]
    public Task EveryLossRateMovesBothStreamsWhole() => TcpImpairmentMatrix.RunRowAsync(output, reorderPercent: 0, delayMs: 0, basePort: 6100);
}

public sealed class TcpImpairmentMatrixReorderedTests(ITestOutputHelper output)
{
    [Fact]
    public Task EveryLossRateMovesBothStreamsWhole() => TcpImpairmentMatrix.RunRowAsync(output, reorderPercent: 25, delayMs: 0, basePort: 6200);
}

public sealed class TcpImpairmentMatrixDelayedTests(ITestOutputHelper output)
{
    [Fact]
    public Task EveryLossRateMovesBothStreamsWhole() => TcpImpairmentMatrix.RunRowAsync(output, reorderPercent: 0, delayMs: 10, basePort: 6300);
}

public sealed class TcpImpairmentMatrixDelayedReorderedTests(ITestOutputHelper output)
{
    [Fact]
    public Task EveryLossRateMovesBothStreamsWhole() => TcpImpairmentMatrix.RunRowAsync(output, reorderPercent: 25, delayMs: 10, basePort: 6400);
}
