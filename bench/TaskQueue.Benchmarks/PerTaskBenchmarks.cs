using BenchmarkDotNet.Attributes;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Benchmarks;

/// <summary>Allocations and time per enqueue (client side, in-memory storage) and per executed task (executor only), and the dispatch lookup.</summary>
[MemoryDiagnoser]
public class PerTaskBenchmarks
{
    private readonly TaskApp app = new(new NullStorage());
    private TaskExecutor executor = null!;
    private TakenMessage noop = null!;

    [GlobalSetup]
    public void Setup()
    {
        executor = new TaskExecutor(app);
        var body = MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = Noop.Name, Arguments = new byte[] { 0x90 } });
        noop = new TakenMessage("default", body, "1", 0);
    }

    [Benchmark]
    public ValueTask<TaskResult> Enqueue() => Noop.With(app).EnqueueAsync();

    [Benchmark]
    public ValueTask<Completion> Execute() => executor.ExecuteAsync(noop, checkRevocations: false, CancellationToken.None);

    [Benchmark]
    public bool DispatchLookup() => app.Tasks.TryGet(Noop.Name, out _);
}
