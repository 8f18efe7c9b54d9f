using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using TaskQueue.Consumer;
using TaskQueue.Diagnostics;
using TaskQueue.Messages;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>Spans that continue a trace across the queue, and the meter's figures, on the in-memory storage.</summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <inheritdoc cref="TelemetryTests"/>
[Collection(nameof(TelemetryTests))] // listeners see every app of the process: these tests run alone
public sealed class TelemetryTests
{
    [Fact]
    public async Task The_run_span_continues_the_trace_of_the_enqueue_with_messaging_attributes()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        var result = Add.With(app).Enqueue(2, 3);
        request.Stop();
        Assert.Equal(5, await result.GetAsync(timeout: TestApps.Wait));

        var send = await SpanAsync(spans, s => s.Kind == ActivityKind.Producer && Tag(s, "messaging.message.id") == result.Id);
        var process = await SpanAsync(spans, s => s.Kind == ActivityKind.Consumer && Tag(s, "messaging.message.id") == result.Id);
        Assert.Equal(request.TraceId, send.TraceId);
        Assert.Equal(request.SpanId, send.ParentSpanId);
        Assert.Equal(send.TraceId, process.TraceId);
        Assert.Equal(send.SpanId, process.ParentSpanId);
        Assert.Equal("send " + Add.Name, send.DisplayName);
        Assert.Equal("process " + Add.Name, process.DisplayName);
        Assert.Equal("taskqueue", Tag(process, "messaging.system"));
        Assert.Equal("default", Tag(process, "messaging.destination.name"));
        Assert.Equal("process", Tag(process, "messaging.operation.type"));
        Assert.Equal("send", Tag(send, "messaging.operation.type"));
        Assert.Equal(Add.Name, Tag(process, "taskqueue.task.name"));
        Assert.Equal(0, process.GetTagItem("taskqueue.task.retries_left"));
        Assert.Equal(ActivityStatusCode.Ok, process.Status);
    }

    [Fact]
    public async Task A_failed_run_records_the_exception_and_an_error_status()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var result = Boom.With(app).Enqueue("kaboom");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await result.GetAsync(timeout: TestApps.Wait));

        var process = await SpanAsync(spans, s => s.Kind == ActivityKind.Consumer && Tag(s, "messaging.message.id") == result.Id);
        Assert.Equal(ActivityStatusCode.Error, process.Status);
        Assert.Equal("kaboom", process.StatusDescription);
        Assert.Equal(typeof(ArgumentException).FullName, Tag(process, "error.type"));
        Assert.Contains(process.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task Without_a_listener_the_trace_of_the_current_activity_still_travels_in_the_message()
    {
        var app = TestApps.Memory();
        using var request = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        Add.With(app).Enqueue(1, 1);

        var message = Assert.Single(await app.PendingAsync());
        Assert.Equal(request.Id, message.TraceParent);
    }

    [Fact]
    public async Task The_meter_counts_sent_consumed_succeeded_failed_retried_and_dead_lettered_tasks()
    {
        var counts = new ConcurrentDictionary<string, long>();
        var durations = new ConcurrentBag<(string Name, double Seconds)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TaskQueueInstrumentation.MeterName) l.EnableMeasurementEvents(instrument);
        };
        string marker = "metrics-" + Guid.NewGuid().ToString("N");
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (TaskName(tags) is { } task && (task.StartsWith("TaskQueue.Tests.Tasks.", StringComparison.Ordinal) || task == marker))
            {
                counts.AddOrUpdate($"{instrument.Name}|{task}", value, (_, n) => n + value);
            }
        });
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => durations.Add((instrument.Name, value)));
        meters.Start();
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var key = Counters.NewKey();
        Assert.Equal(2, await FailTimes.With(app).Enqueue(key, 1).GetAsync(timeout: TestApps.Wait));
        await Assert.ThrowsAsync<TaskFailedException>(async () => await Boom.With(app).Enqueue("x").GetAsync(timeout: TestApps.Wait));
        await app.Storage.EnqueueAsync("default", MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = marker, Arguments = new byte[] { 0x90 } }));
        await Eventually.UntilAsync(async () => (await app.DeadLettersAsync()).Count == 1, "the unknown task to reach dead letters");

        long Count(string instrument, string task) => counts.GetValueOrDefault($"{instrument}|{task}");
        Assert.Equal(1, Count("messaging.client.sent.messages", FailTimes.Name));
        Assert.Equal(2, Count("messaging.client.consumed.messages", FailTimes.Name));
        Assert.Equal(1, Count("taskqueue.tasks.retried", FailTimes.Name));
        Assert.Equal(1, Count("taskqueue.tasks.succeeded", FailTimes.Name));
        Assert.Equal(1, Count("taskqueue.tasks.failed", Boom.Name));
        Assert.Equal(1, Count("taskqueue.tasks.dead_lettered", marker));
        Assert.Contains(durations, d => d.Name == "messaging.process.duration" && d.Seconds >= 0);
        Assert.Contains(durations, d => d.Name == "taskqueue.task.wait.duration" && d.Seconds >= 0);
    }

    [Fact]
    public async Task The_gauges_report_queue_depth_schedule_and_dead_letters_read_from_storage()
    {
        var app = new TaskApp { Name = "gauged-" + Guid.NewGuid().ToString("N") };
        var options = TestApps.FastOptions();
        options.Queues = ["gauged"];
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        await Eventually.UntilAsync(() => consumer.SinceLastHeartbeat is not null, "the consumer to start");
        for (int i = 0; i < 3; i++) await app.Storage.EnqueueAsync("default", new byte[] { 0x90 });
        Add.With(app).Schedule(1, 1, delay: TimeSpan.FromHours(1));
        await app.Storage.DeadLetterAsync("default", new byte[] { 1 }, "a reason");

        var seen = new ConcurrentDictionary<string, long>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TaskQueueInstrumentation.MeterName && instrument.Name.StartsWith("taskqueue.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tags(tags).GetValueOrDefault("taskqueue.app") is not string name || name != app.Name) return;
            seen[instrument.Name + "|" + Tags(tags).GetValueOrDefault("messaging.destination.name")] = value;
        });
        meters.Start();

        // The first collection starts a read of storage; a later one reports it.
        await Eventually.UntilAsync(() =>
        {
            meters.RecordObservableInstruments();
            return seen.GetValueOrDefault("taskqueue.scheduled|") == 1;
        }, "the gauges to report the storage figures");
        Assert.Equal(0, seen["taskqueue.queue.depth|gauged"]);
        Assert.Equal(1, seen["taskqueue.dead_letters|"]);
        Assert.Equal(0, seen["taskqueue.in_flight|"]);
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TaskQueueInstrumentation.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private static async Task<Activity> SpanAsync(ConcurrentQueue<Activity> spans, Func<Activity, bool> match)
    {
        Activity? found = null;
        await Eventually.UntilAsync(() => (found = spans.FirstOrDefault(match)) is not null, "the span to be recorded");
        return found!;
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    private static string? TaskName(ReadOnlySpan<KeyValuePair<string, object?>> tags) => Tags(tags).GetValueOrDefault("taskqueue.task.name") as string;

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new Dictionary<string, object?>();
        foreach (var tag in tags) all[tag.Key] = tag.Value;
        return all;
    }
}
