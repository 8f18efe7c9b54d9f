using TaskQueue.Scheduling;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>The test helpers: one worker run, one periodic tick and one promotion at a time, at a time the test chooses.</summary>
public sealed class TaskRunnerTests
{
    private static readonly DateTimeOffset ThreeAm = new(2026, 3, 2, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RunNextAsync_runs_one_message_and_settles_it_as_a_worker_does()
    {
        var app = TestApps.Memory();
        var first = Add.With(app).Enqueue(1, 2);
        Add.With(app).Enqueue(3, 4);
        var runner = new TaskRunner(app);

        var run = await runner.RunNextAsync();

        Assert.NotNull(run);
        Assert.True(run.Succeeded);
        Assert.Equal(first.Id, run.TaskId);
        Assert.Equal(Add.Name, run.TaskName);
        Assert.Equal("3", run.ValueJson);
        Assert.Null(run.Error);
        Assert.Equal([TaskEventKind.Started, TaskEventKind.Finished], run.Events.Select(e => e.Kind));
        Assert.Equal(3, await first.GetAsync(blocking: false));
        Assert.Equal(1, await app.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
        Assert.Equal(0, await app.Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task RunNextAsync_returns_null_when_the_queue_is_empty()
    {
        var runner = new TaskRunner(TestApps.Memory());

        Assert.Null(await runner.RunNextAsync());
        Assert.Null(await runner.RunNextAsync("other"));
    }

    [Fact]
    public async Task RunNextAsync_takes_the_queue_it_is_given()
    {
        var app = TestApps.Memory();
        Renamed.With(app).Enqueue(4);
        var runner = new TaskRunner(app);

        Assert.Null(await runner.RunNextAsync());
        Assert.Equal("40", (await runner.RunNextAsync("other"))!.ValueJson);
    }

    [Fact]
    public async Task RunAllAsync_runs_retries_without_a_delay_until_the_last_error()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var handle = FailTimes.With(app).Enqueue(key, 10);

        var runs = await new TaskRunner(app).RunAllAsync();

        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(TaskEventKind.Error, r.Outcome));
        Assert.Equal([true, true, false], runs.Select(r => r.WillRetry));
        Assert.Equal("attempt 3 fails", runs[2].Error!.RemoteMessage);
        Assert.Equal("attempt 3 fails", (await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false))).RemoteMessage);
    }

    [Fact]
    public async Task A_retry_with_a_delay_runs_once_the_fake_clock_has_passed_it_and_it_is_promoted()
    {
        var (app, time) = TestApps.WithFakeTime();
        var key = Counters.NewKey();
        FailWithSlowRetry.With(app).Enqueue(key);
        var runner = new TaskRunner(app);

        var first = await runner.RunNextAsync();
        Assert.True(first!.WillRetry);
        Assert.Equal(TaskEventKind.Scheduled, first.Events[^1].Kind);
        Assert.Null(await runner.RunNextAsync());
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await runner.PromoteDueAsync());
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await runner.PromoteDueAsync());

        var last = await runner.RunNextAsync();
        Assert.Equal(TaskEventKind.Error, last!.Outcome);
        Assert.False(last.WillRetry);
        Assert.Equal(2, Counters.Get(key));
    }

    [Fact]
    public async Task A_scheduled_task_waits_for_its_eta_by_the_storage_clock()
    {
        var (app, time) = TestApps.WithFakeTime();
        var sum = Add.With(app).Schedule(2, 2, eta: time.GetUtcNow().AddHours(1));
        var runner = new TaskRunner(app);

        Assert.Equal(0, await runner.PromoteDueAsync());
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await runner.PromoteDueAsync());

        Assert.Equal(sum.Id, (await runner.RunNextAsync())!.TaskId);
        Assert.Equal(4, await sum.GetAsync(blocking: false));
    }

    [Fact]
    public async Task RunNextAsync_sends_a_message_that_does_not_decode_to_dead_letters()
    {
        var app = TestApps.Memory();
        await app.Storage.EnqueueAsync(TaskDescriptor.DefaultQueue, new byte[] { 1, 2, 3 });

        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.DeadLettered, run!.Outcome);
        Assert.Null(run.TaskId);
        Assert.StartsWith("malformed message", run.DeadLetterReason, StringComparison.Ordinal);
        Assert.Single(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task TickPeriodicAsync_queues_the_periodic_tasks_due_at_the_given_time_once()
    {
        var app = new TaskApp(new MemoryStorage())
        {
            Tasks = TaskCatalog.Create([Zero.Descriptor, Add.Descriptor]).WithPeriodic(Zero.Descriptor, new Crontab(hour: "3", minute: "0")),
        };
        var runner = new TaskRunner(app);

        Assert.Empty(await runner.TickPeriodicAsync(ThreeAm.AddMinutes(-1)));
        var fired = Assert.Single(await runner.TickPeriodicAsync(ThreeAm));
        Assert.Empty(await runner.TickPeriodicAsync(ThreeAm.AddMilliseconds(400)));
        Assert.Empty(await new TaskRunner(app).TickPeriodicAsync(ThreeAm));

        Assert.Equal(Zero.Name, fired.TaskName);
        Assert.Equal(TaskDescriptor.DefaultQueue, fired.Queue);
        var run = await runner.RunNextAsync();
        Assert.Equal(fired.TaskId, run!.TaskId);
        Assert.True(run.Succeeded);
        Assert.Null(run.ValueJson);   // a periodic task's value is stored for nobody
        Assert.Null(await runner.RunNextAsync());
        Assert.Single(await runner.TickPeriodicAsync(ThreeAm.AddDays(1)));
    }

    [Fact]
    public async Task A_run_s_outcome_is_the_last_event_that_ends_it()
    {
        var app = TestApps.Memory();
        var handle = Add.With(app).Enqueue(1, 1);
        await handle.RevokeAsync();
        Add.With(app).Enqueue(2, 2);
        var runner = new TaskRunner(app);

        var revoked = await runner.RunNextAsync();
        var finished = await runner.RunNextAsync();

        Assert.Equal(TaskEventKind.Revoked, revoked!.Outcome);
        Assert.False(revoked.Succeeded);
        Assert.Null(revoked.ValueJson);
        Assert.Equal(TaskEventKind.Finished, finished!.Outcome);
        Assert.Equal($"{Add.Name} ({handle.Id}): Revoked", revoked.ToString());
    }
}
