using System.Collections.Concurrent;
using MessagePack;
using TaskQueue.Consumer;
using TaskQueue.Serialization;
using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisControlTasks;
using static TaskQueue.Redis.Tests.RedisTestTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>Expiry, timeout and retry backoff on Redis, through a running consumer and the public API.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisControlsTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly RedisStorage storage = redis.CreateStorage();
    private readonly ConcurrentQueue<TaskEvent> events = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    private TaskApp NewApp(TimeProvider? time = null)
    {
        var app = new TaskApp(storage, time);
        app.Events.Subscribe(events.Enqueue);
        return app;
    }

    private static TaskConsumer NewConsumer(TaskApp app, TimeSpan? timeoutGrace = null) => new(app, new ConsumerOptions
    {
        Workers = 1,
        TakeWait = TimeSpan.FromMilliseconds(100),
        SchedulerInterval = TimeSpan.FromMilliseconds(20),
        RunPeriodic = false,
        RunRecurring = false,
        TimeoutGrace = timeoutGrace ?? TimeSpan.FromSeconds(10),
    });

    private static byte[] Args<T>(T value) => PayloadBuffer.Encode(value, static (ref MessagePackWriter w, T v) =>
    {
        w.WriteArrayHeader(1);
        if (v is int i) w.Write(i);
        else w.Write((string)(object)v!);
    });

    private TaskEvent[] EventsOf(string id, TaskEventKind kind) => [.. events.Where(e => e.TaskId == id && e.Kind == kind)];

    /// <summary>The system clock, <paramref name="by"/> off: a producer whose message was sent that long ago.</summary>
    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + by;
    }

    [Fact]
    public async Task A_message_past_its_tasks_expiry_is_skipped_and_reported()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var producer = new TaskApp(storage, new ShiftedClock(TimeSpan.FromSeconds(-5)));
        var stale = await RedisControlled.With(producer).EnqueueAsync(key);   // expires 1 s after it was sent, 4 s ago
        await using var app = NewApp();
        var next = await Twice.With(app).EnqueueAsync(21);
        await using var consumer = NewConsumer(app);
        consumer.Start();

        Assert.Equal(42, await next.GetAsync(timeout: Wait));
        Assert.False(Runs.ContainsKey(key));
        Assert.Single(EventsOf(stale.Id, TaskEventKind.Expired));
        Assert.Empty(EventsOf(stale.Id, TaskEventKind.Started));
        Assert.False((await RedisControlled.With(app).Result(stale.Id).IsDoneAsync()));
        Assert.Equal(0, await storage.InFlightCountAsync());
        Assert.Empty(await app.PendingAsync());
    }

    [Fact]
    public async Task A_run_stopped_at_its_timeout_is_retried_then_stores_a_timeout_error()
    {
        await using var app = NewApp();
        var options = new TaskOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 1, RetryDelay = TimeSpan.FromMilliseconds(100) };
        var id = await app.EnqueueAsync(RedisSleepy.Descriptor, Args(60_000), options);
        await using var consumer = NewConsumer(app);
        consumer.Start();

        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await RedisSleepy.With(app).Result(id).GetAsync(timeout: Wait));
        Assert.Equal(typeof(TaskTimeoutException).FullName, error.RemoteType);
        Assert.Equal($"task '{RedisSleepy.Name}' timed out after 0.2 s", error.RemoteMessage);
        Assert.Equal([true, false], EventsOf(id, TaskEventKind.Error).Select(e => e.WillRetry));
        Assert.Empty(EventsOf(id, TaskEventKind.TimedOut));
    }

    [Fact]
    public async Task An_abandoned_run_gives_its_slot_back_and_its_end_settles_nothing()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var app = NewApp();
        var id = await app.EnqueueAsync(RedisDeaf.Descriptor, Args(key), new TaskOptions { Timeout = TimeSpan.FromMilliseconds(200) });
        var next = await Twice.With(app).EnqueueAsync(5);
        await using var consumer = NewConsumer(app, timeoutGrace: TimeSpan.FromMilliseconds(200));
        consumer.Start();

        // One worker: the next message runs only once the deaf run's slot is given back.
        Assert.Equal(10, await next.GetAsync(timeout: Wait));
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await RedisDeaf.With(app).Result(id).GetAsync(timeout: Wait, preserve: true));
        Assert.Equal(typeof(TaskTimeoutException).FullName, error.RemoteType);
        Assert.Single(EventsOf(id, TaskEventKind.TimedOut));

        Gate(key).SetResult();
        await Eventually.UntilAsync(() => Runs.ContainsKey(key), "the abandoned run to end");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await RedisDeaf.With(app).Result(id).GetAsync(blocking: false));
        Assert.Single(EventsOf(id, TaskEventKind.Error));
        Assert.Empty(EventsOf(id, TaskEventKind.Finished));
        Assert.Equal(0, await storage.InFlightCountAsync());
        Assert.Empty(await app.ScheduledAsync());
    }

    [Fact]
    public async Task Retries_with_a_backoff_are_scheduled_further_apart_each_time()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var app = NewApp();
        var options = new TaskOptions { Retries = 2, RetryDelay = TimeSpan.FromMilliseconds(300), Backoff = new RetryBackoff(3) };
        var id = await app.EnqueueAsync(RedisFlaky.Descriptor, Args(key), options);
        await using var consumer = NewConsumer(app);
        consumer.Start();

        await Assert.ThrowsAsync<TaskFailedException>(async () => await RedisFlaky.With(app).Result(id).GetAsync(timeout: Wait));
        var errors = EventsOf(id, TaskEventKind.Error).Select(e => e.Timestamp).ToArray();
        var starts = EventsOf(id, TaskEventKind.Started).Select(e => e.Timestamp).ToArray();
        Assert.Equal(3, starts.Length);
        // Each retry is due its delay after the failure before it was stored: 300 ms, then 900 ms.
        Assert.InRange((starts[1] - errors[0]).TotalMilliseconds, 250, double.MaxValue);
        Assert.InRange((starts[2] - errors[1]).TotalMilliseconds, 850, double.MaxValue);
        Assert.Equal(3, Runs[key]);
    }
}
