using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Benchmarks;

/// <summary>
/// What tracing and metrics cost when somebody listens: the same enqueue and execute as
/// <see cref="PerTaskBenchmarks"/>, with an activity listener that records every TaskQueue span and a
/// meter listener on every TaskQueue instrument (as an OpenTelemetry SDK would be).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private readonly TaskApp app = new(new NullStorage());
    private TaskExecutor executor = null!;
    private TakenMessage noop = null!;
    private ActivityListener? activities;
    private MeterListener? meters;
    private long measurements;

    [GlobalSetup]
    public void Setup()
    {
        executor = new TaskExecutor(app);
        var body = MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = Noop.Name, Arguments = new byte[] { 0x90 }, CreatedAt = DateTimeOffset.UtcNow });
        noop = new TakenMessage("default", body, "1", 0);
        activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == TaskQueueInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(activities);
        meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TaskQueueInstrumentation.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref measurements));
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref measurements));
        meters.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        activities?.Dispose();
        meters?.Dispose();
    }

    [Benchmark]
    public ValueTask<TaskResult> EnqueueListened() => Noop.With(app).EnqueueAsync();

    [Benchmark]
    public ValueTask<Completion> ExecuteListened() => executor.ExecuteAsync(noop, checkRevocations: false, CancellationToken.None);
}
