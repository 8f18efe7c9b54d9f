using TaskQueue.Consumer;
using TaskQueue.Testing;
using TaskQueue.Tests.Tasks;
using static TaskQueue.Tests.ControlsTests;

namespace TaskQueue.Tests;

/// <summary>Expiry, timeout and retry backoff through a running consumer on in-memory storage.</summary>
public sealed class ControlsConsumerTests
{
    [Fact]
    public async Task A_worker_goes_on_while_an_abandoned_run_still_runs_and_its_end_settles_nothing()
    {
        var app = TestApps.Memory();
        var logs = new RecordingLoggerProvider();
        var events = new List<TaskEvent>();
        using var subscription = app.Events.Subscribe(e => { lock (events) events.Add(e); });
        var key = Counters.NewKey();
        var next = Counters.NewKey();
        var deaf = await app.EnqueueAsync(Deaf.Descriptor, Args(key), new TaskOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        await Touch.With(app).EnqueueAsync(next);
        var options = TestApps.FastOptions(workers: 1);
        options.TimeoutGrace = TimeSpan.FromMilliseconds(200);
        await using var consumer = new TaskConsumer(app, options, logs.CreateFactory());
        consumer.Start();

        // One worker: the next message runs only once the deaf run's slot is given back.
        await Eventually.UntilAsync(() => Counters.Get(next) == 1, "the next message to run while the deaf run still runs");
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await Deaf.With(app).Result(deaf).GetAsync(timeout: TestApps.Wait, preserve: true));
        Assert.Equal(typeof(TaskTimeoutException).FullName, error.RemoteType);
        Assert.Equal(0, Counters.Get(key + ":end"));

        Gates.Release(key);
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Message.StartsWith("Abandoned run of task", StringComparison.Ordinal) && l.Message.Contains(deaf)),
            "the abandoned run to end");
        await Assert.ThrowsAsync<TaskFailedException>(async () => await Deaf.With(app).Result(deaf).GetAsync(blocking: false));
        lock (events)
        {
            Assert.Single(events, e => e.TaskId == deaf && e.Kind == TaskEventKind.TimedOut);
            Assert.Single(events, e => e.TaskId == deaf && e.Kind == TaskEventKind.Error);
            Assert.DoesNotContain(events, e => e.TaskId == deaf && e.Kind == TaskEventKind.Finished);
        }
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_message_that_expired_in_its_queue_is_skipped_by_the_consumer()
    {
        var app = TestApps.Memory();
        var expired = new List<TaskEvent>();
        using var subscription = app.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Expired) lock (expired) expired.Add(e); });
        var key = Counters.NewKey();
        var next = Counters.NewKey();
        var id = await app.EnqueueAsync(Fleeting.Descriptor, Args(key), new TaskOptions { ExpiresAt = app.TimeProvider.GetUtcNow().AddSeconds(-1) });
        await Touch.With(app).EnqueueAsync(next);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();

        await Eventually.UntilAsync(() => Counters.Get(next) == 1, "the message after the expired one to run");
        Assert.Equal(0, Counters.Get(key));
        lock (expired) Assert.Equal(id, Assert.Single(expired).TaskId);
        Assert.Empty(await app.PendingAsync());
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_retry_with_a_backoff_waits_in_the_schedule_for_its_delay_and_carries_the_next_one()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var options = new TaskOptions { Retries = 2, RetryDelay = TimeSpan.FromHours(1), Backoff = new RetryBackoff(2) };
        var before = app.TimeProvider.GetUtcNow();
        var id = await app.EnqueueAsync(Flaky.Descriptor, Args(key), options);
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 1));
        consumer.Start();

        var retry = await Eventually.ValueAsync(async () => (await app.ScheduledAsync()).SingleOrDefault(), "the retry to be scheduled");
        Assert.Equal(id, retry.Message.Id);
        Assert.Equal(1, retry.Message.Retries);
        Assert.Equal(TimeSpan.FromHours(2), retry.Message.RetryDelay);
        Assert.InRange(retry.Eta, before.AddHours(1), app.TimeProvider.GetUtcNow().AddHours(1));
    }
}
