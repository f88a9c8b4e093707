using System;
using System.Threading;
using NetKit.Runtime.Threading;

namespace NetKit.Benchmarks;

/// <summary>
/// CPU placement shared by the cross-thread benchmarks: the benchmark (producer) thread runs on the first allowed
/// CPU, the consumer — a NetKit protocol thread or the BCL equivalent's worker — on the last one, so neither
/// side shares a core and both libraries are measured under the same placement.
/// </summary>
internal static class BenchmarkThreads
{
    public static int ProducerCpu => CpuAffinity.AllowedCpus()[0];

    public static int ConsumerCpu => CpuAffinity.AllowedCpus()[^1];

    public static void PinProducer() => CpuAffinity.PinCurrentThread(ProducerCpu);

    /// <summary>Starts a background thread pinned to the consumer CPU.</summary>
    public static Thread StartConsumer(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            CpuAffinity.PinCurrentThread(ConsumerCpu);
            body();
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    /// <summary>A one-thread protocol group on the consumer CPU.</summary>
    public static ProtocolThreadGroup StartProtocolThread() =>
        new ProtocolThreadGroup(new ProtocolThreadOptions { ThreadCount = 1, Cpus = [ConsumerCpu] }).Start();
}
