using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisTestTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>Revocations that concern no message being run cost nothing per message, and none stays forever.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRevocationTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    private async Task<long> ScriptCallsAsync()
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var info = await server.InfoAsync("commandstats");
        long calls = 0;
        foreach (var pair in info.SelectMany(g => g))
        {
            if (pair.Key is not ("cmdstat_evalsha" or "cmdstat_eval")) continue;
            var field = pair.Value.Split(',')[0];   // calls=N
            calls += long.Parse(field["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return calls;
    }

    /// <summary>Script calls made while one worker runs 200 tasks (no scheduler, ticker or recurring runner).</summary>
    private async Task<long> ScriptCallsToRun200Async(TaskApp app)
    {
        var handles = await Twice.With(app).EnqueueManyAsync(Enumerable.Range(0, 200));
        long before = await ScriptCallsAsync();
        await using (var consumer = new TaskConsumer(app, new ConsumerOptions
        {
            Workers = 1, BatchSize = 16, RunScheduler = false, RunPeriodic = false, RunRecurring = false, TakeWait = TimeSpan.FromMilliseconds(100),
        }))
        {
            consumer.Start();
            foreach (var h in handles) await h.GetAsync(timeout: TimeSpan.FromSeconds(20));
        }
        return await ScriptCallsAsync() - before;
    }

    [Fact]
    public async Task Revocations_of_runs_that_already_started_cost_no_script_call_per_message()
    {
        await using var app = new TaskApp(storage);
        long quiet = await ScriptCallsToRun200Async(app);

        // Seven handles waited on with revokeOnTimeout whose runs had already started: their records stay.
        for (int i = 0; i < 7; i++) await app.RevokeByIdAsync(TaskId.New(), revokeOnce: true);
        long withRecords = await ScriptCallsToRun200Async(app);

        Assert.True(withRecords <= quiet + 3, $"{quiet} script calls without revocations, {withRecords} with seven unrelated ones");
    }

    [Fact]
    public async Task A_revoked_run_is_still_skipped_when_other_revocations_exist()
    {
        await using var app = new TaskApp(storage);
        await app.RevokeByIdAsync(TaskId.New());
        var skipped = await Twice.With(app).EnqueueAsync(1);
        await skipped.RevokeAsync();
        var run = await Twice.With(app).EnqueueAsync(2);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 1, TakeWait = TimeSpan.FromMilliseconds(100) });
        consumer.Start();
        Assert.Equal(4, await run.GetAsync(timeout: TimeSpan.FromSeconds(20)));
        Assert.False((await skipped.TryGetAsync()).Ready);
        Assert.Null(await app.Storage.GetRevocationAsync("i:" + skipped.Id));   // revoke-once: consumed
    }

    [Fact]
    public async Task An_instance_revocation_expires_after_the_revocation_ttl_and_the_reaper_drops_it()
    {
        await using var app = new TaskApp(storage) { RevocationTtl = TimeSpan.FromMilliseconds(300) };
        var started = await Twice.With(app).EnqueueAsync(1);
        await started.RevokeAsync();
        Assert.NotNull(await app.Storage.GetRevocationAsync("i:" + started.Id));
        var ends = await redis.Connection.GetDatabase().SortedSetScoreAsync(storage.Keys.RevocationEnds, "i:" + started.Id);
        Assert.NotNull(ends);

        await Eventually.UntilAsync(async () =>
        {
            await app.Storage.ReapAsync(5);
            return await app.Storage.GetRevocationAsync("i:" + started.Id) is null;
        }, "the reaper to drop the expired revocation");
        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync(storage.Keys.Revocations));
        Assert.False(await redis.Connection.GetDatabase().KeyExistsAsync(storage.Keys.RevocationEnds));
    }
}
