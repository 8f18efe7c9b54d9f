using System.Collections.Concurrent;
using System.Diagnostics;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>Rate limits: <c>[Task(RateLimit = ...)]</c> across a consumer's workers, and <see cref="TaskApp.RateLimits"/> in code.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_run_over_its_task_s_limit_is_put_off_to_the_next_free_start_without_failing_or_spending_a_retry()
    {
        var (app, time) = TestApps.WithFakeTime();
        var executor = new TaskExecutor(app);
        var events = new ConcurrentQueue<TaskEvent>();
        using var _ = app.Events.Subscribe(events.Enqueue);
        var key = Counters.NewKey();
        for (int i = 0; i < 3; i++) await Limited.With(app).EnqueueAsync(key);
        var taken = (await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c1", 3, TimeSpan.Zero)).Messages;

        Assert.Equal(CompletionKind.Result, (await executor.ExecuteAsync(taken[0], false, default)).Kind);
        Assert.Equal(CompletionKind.Result, (await executor.ExecuteAsync(taken[1], false, default)).Kind);
        var putOff = await executor.ExecuteAsync(taken[2], false, default);

        Assert.Equal(CompletionKind.Retry, putOff.Kind);
        Assert.Equal(taken[2].Body.ToArray(), putOff.Replacement.ToArray()); // the same message: its retries untouched
        Assert.InRange(putOff.Delay, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));
        Assert.Equal(2, Counters.Get(key));
        var limited = Assert.Single(events, e => e.Kind == TaskEventKind.RateLimited);
        Assert.StartsWith("rate limit of 2 per 10 s reached; put off 10", limited.Error);
        Assert.DoesNotContain(events, e => e.Kind is TaskEventKind.Error or TaskEventKind.Started && e.TaskId == limited.TaskId);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CompletionKind.Result, (await executor.ExecuteAsync(taken[2] with { Body = putOff.Replacement }, false, default)).Kind);
        Assert.Equal(3, Counters.Get(key));
    }

    [Fact]
    public async Task A_consumer_starts_at_most_the_limit_per_period_and_runs_every_run_it_put_off()
    {
        var app = TestApps.Memory();
        var errors = new ConcurrentQueue<TaskEvent>();
        using var _ = app.Events.Subscribe(e => { if (e.Kind is TaskEventKind.Error or TaskEventKind.DeadLettered) errors.Enqueue(e); });
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions(workers: 4));
        consumer.Start();
        var key = Counters.NewKey();
        long origin = Stopwatch.GetTimestamp();
        var handles = new List<TaskResult>();
        for (int i = 0; i < 6; i++) handles.Add(await LimitedStarts.With(app).EnqueueAsync(key));

        await Eventually.UntilAsync(() => Starts.Since(key, origin).Count == 6, "all six runs", TimeSpan.FromSeconds(30));
        var starts = Starts.Since(key, origin);
        // Two a second: any three starts in a row span a second (less what separates the storage's count from the start).
        for (int i = 2; i < starts.Count; i++)
        {
            Assert.True(starts[i] - starts[i - 2] >= TimeSpan.FromMilliseconds(900), $"starts {i - 2} and {i} were {(starts[i] - starts[i - 2]).TotalMilliseconds:0} ms apart");
        }
        Assert.Empty(errors);
        Assert.Equal(6, handles.Count);
    }

    [Fact]
    public async Task The_app_s_rate_limits_count_starts_per_name_apart_from_the_tasks_limits()
    {
        var (app, time) = TestApps.WithFakeTime();
        Assert.True((await app.RateLimits.TryStartAsync("partner-api", 1, TimeSpan.FromSeconds(5))).Allowed);
        var refused = await app.RateLimits.TryStartAsync("partner-api", 1, TimeSpan.FromSeconds(5));
        Assert.Equal(new RateLimitResult(false, TimeSpan.FromSeconds(5)), refused);

        // A task's limit of the same name is another one.
        Assert.True((await app.RateLimits.TryStartAsync(Limited.Name, 1, TimeSpan.FromSeconds(5))).Allowed);
        Assert.True((await app.Storage.TryStartAsync(TaskRateLimits.TaskLimitName(Limited.Name), 1, TimeSpan.FromSeconds(5))).Allowed);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await app.RateLimits.TryStartAsync("partner-api", 1, TimeSpan.FromSeconds(5))).Allowed);
    }
}
