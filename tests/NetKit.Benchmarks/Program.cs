using BenchmarkDotNet.Running;

// Runs the benchmarks chosen on the command line, e.g.
//   dotnet run -c Release --project tests/NetKit.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(NetKit.Benchmarks.BenchmarkConfig).Assembly).Run(args, new NetKit.Benchmarks.BenchmarkConfig());
