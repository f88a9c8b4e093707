using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace NetKit.Benchmarks;

/// <summary>
/// One configuration for every NetKit benchmark: allocation measurement on, a bounded run length that fits a
/// 2-core CI-sized machine, and each NetKit benchmark paired with its closest .NET equivalent as the baseline.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(8));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.P95);
        SummaryStyle = SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
    }
}
