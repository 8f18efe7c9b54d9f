// Micro benchmarks: dotnet run -c Release --project bench/TaskQueue.Benchmarks -- [--filter *Codec*]
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(TaskQueue.Benchmarks.CodecBenchmarks).Assembly).Run(args);
