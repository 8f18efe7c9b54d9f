using TaskQueue.Scheduling;
using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisHookTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>The test helpers on Redis: one run, a run through retries, one periodic tick claimed once.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisTaskRunnerTests(RedisServerFixture redis) : RedisStorageScope(redis)
{
    [Fact]
    public async Task The_runner_runs_one_message_and_then_a_failing_one_through_its_retry_on_redis()
    {
        await using var app = new TaskApp(Storage);
        var tripled = await Triple.With(app).EnqueueAsync(Guid.NewGuid().ToString("N"), 3);
        await Fail.With(app).EnqueueAsync("always");
        var runner = new TaskRunner(app);

        var first = await runner.RunNextAsync();
        var rest = await runner.RunAllAsync();

        Assert.Equal(tripled.Id, first!.TaskId);
        Assert.Equal("9", first.ValueJson);
        Assert.Equal([true, false], rest.Select(r => r.WillRetry));
        Assert.All(rest, r => Assert.Equal(TaskEventKind.Error, r.Outcome));
        Assert.Equal("always", rest[1].Error!.RemoteMessage);
        Assert.Null(await runner.RunNextAsync());
        Assert.Equal(0, await Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_periodic_tick_at_a_given_time_is_claimed_once_on_redis()
    {
        await using var app = new TaskApp(Storage)
        {
            Tasks = TaskCatalog.Create([Triple.Descriptor]).WithPeriodic(Triple.Descriptor, new Crontab(minute: "*/5")),
        };
        var at = new DateTimeOffset(2026, 3, 2, 10, 5, 0, TimeSpan.Zero);

        var fired = Assert.Single(await new TaskRunner(app).TickPeriodicAsync(at));
        Assert.Empty(await new TaskRunner(app).TickPeriodicAsync(at));
        Assert.Empty(await new TaskRunner(app).TickPeriodicAsync(at.AddMinutes(1)));

        Assert.Equal(Triple.Name, fired.TaskName);
        Assert.Equal(at, await Storage.GetPeriodicLastFiredAsync(Triple.Name));
        Assert.Single(await app.PendingAsync());
    }
}
