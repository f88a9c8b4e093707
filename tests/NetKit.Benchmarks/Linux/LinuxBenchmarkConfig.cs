using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace NetKit.Benchmarks.Linux;

/// <summary>
/// The Linux/ benchmarks: in process (the appliance's threads and the result store live with the benchmark), one
/// invocation per iteration (each moves hundreds of MiB or runs wrk for seconds), few iterations.
/// </summary>
public sealed class LinuxBenchmarkConfig : ManualConfig
{
    public LinuxBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
            .WithInvocationCount(1).WithUnrollFactor(1)
            .AsMutator()); // applied to the global job rather than added beside it
    }
}
