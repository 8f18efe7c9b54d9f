using System.Collections.Concurrent;
using System.Diagnostics;
using MessagePack;
using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Serialization;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// Locks, rate limits and deduplicated sends on Redis, between two apps of one application (two processes, as far as
/// Redis can tell: each has a storage of its own).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisLimitTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);
    private readonly string application = RedisServerFixture.NewApplicationName();
    private readonly List<IAsyncDisposable> owned = [];

    private TaskApp NewApp()
    {
        var app = new TaskApp(new RedisStorage(redis.Connection, application));
        owned.Add(app.Storage);
        owned.Add(app);
        return app;
    }

    private static ConsumerOptions Options(int workers) => new()
    {
        Workers = workers,
        TakeWait = TimeSpan.FromMilliseconds(200),
        SchedulerInterval = TimeSpan.FromMilliseconds(20),
        ShutdownGrace = TimeSpan.FromSeconds(10),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using (var storage = new RedisStorage(redis.Connection, application)) await storage.FlushAsync();
        for (int i = owned.Count - 1; i >= 0; i--) await owned[i].DisposeAsync();
    }

    [Fact]
    public async Task A_lock_held_by_one_app_keeps_the_other_out_past_its_time_to_live_until_disposed()
    {
        TaskApp a = NewApp(), b = NewApp();
        var held = await a.Locks.AcquireAsync("report", TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAsync<TaskLockedException>(async () => await b.Locks.AcquireAsync("report"));

        // Renewed by its holder: still held after several times its time to live.
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            Assert.True(await b.Locks.TryAcquireAsync("report") is null, $"the lock was free after {clock.ElapsedMilliseconds} ms");
            await Task.Delay(50);
        }

        await held.DisposeAsync();
        Assert.False(await b.Locks.IsLockedAsync("report"));
        await using var taken = await b.Locks.AcquireAsync("report");
        Assert.True(await a.Locks.IsLockedAsync("report"));
    }

    [Fact]
    public async Task The_lock_of_an_app_that_lost_its_connection_expires_and_force_release_frees_a_live_one()
    {
        var survivor = NewApp();
        // The holder's process "dies": its connection closes, so nothing renews or releases its lock.
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var doomed = new TaskApp(new RedisStorage(connection, application));
        owned.Add(doomed.Storage);
        var orphan = await doomed.Locks.AcquireAsync("report", TimeSpan.FromMilliseconds(500));
        await connection.DisposeAsync();

        Assert.True(await survivor.Locks.IsLockedAsync("report"));
        await Eventually.UntilAsync(async () => await survivor.Locks.TryAcquireAsync("report") is { } l && await Dispose(l), "the dead holder's lock to expire",
            TimeSpan.FromSeconds(10));
        await orphan.DisposeAsync();

        await using var live = await survivor.Locks.AcquireAsync("report");
        Assert.True(await survivor.Locks.ForceReleaseAsync("report"));
        Assert.False(await survivor.Locks.IsLockedAsync("report"));

        static async Task<bool> Dispose(TaskLock l)
        {
            await l.DisposeAsync();
            return true;
        }
    }

    [Fact]
    public async Task Runs_of_a_task_with_a_lock_never_overlap_across_two_consumers_and_all_of_them_run()
    {
        TaskApp a = NewApp(), b = NewApp();
        await using var first = new TaskConsumer(a, Options(2));
        await using var second = new TaskConsumer(b, Options(2));
        first.Start();
        second.Start();
        var key = Guid.NewGuid().ToString("N");
        var handles = new List<TaskResult<int>>();
        for (int i = 0; i < 4; i++) handles.Add(await Exclusive.With(a).EnqueueAsync(key, 200));

        foreach (var h in handles) Assert.Equal(1, await h.GetAsync(timeout: Wait));
        Assert.Equal(1, RedisLimitTasks.MostAtOnce(key));
        Assert.False(await a.Locks.IsLockedAsync("redis-tests.exclusive"));
    }

    [Fact]
    public async Task Two_consumers_start_at_most_the_task_s_limit_per_period_between_them_and_put_off_the_rest()
    {
        TaskApp a = NewApp(), b = NewApp();
        var events = new ConcurrentQueue<TaskEvent>();
        using var fromA = a.Events.Subscribe(events.Enqueue);
        using var fromB = b.Events.Subscribe(events.Enqueue);
        await using var first = new TaskConsumer(a, Options(2));
        await using var second = new TaskConsumer(b, Options(2));
        first.Start();
        second.Start();
        var key = Guid.NewGuid().ToString("N");
        long origin = Stopwatch.GetTimestamp();
        for (int i = 0; i < 6; i++) await Limited.With(a).EnqueueAsync(key);

        await Eventually.UntilAsync(() => RedisLimitTasks.StartsOf(key, origin).Count == 6, "all six runs", Wait);
        var starts = RedisLimitTasks.StartsOf(key, origin);
        for (int i = 2; i < starts.Count; i++)
        {
            Assert.True(starts[i] - starts[i - 2] >= TimeSpan.FromMilliseconds(900), $"starts {i - 2} and {i} were {(starts[i] - starts[i - 2]).TotalMilliseconds:0} ms apart");
        }
        Assert.Contains(events, e => e.Kind == TaskEventKind.RateLimited);
        Assert.DoesNotContain(events, e => e.Kind is TaskEventKind.Error or TaskEventKind.DeadLettered);
    }

    [Fact]
    public async Task A_deduplicated_send_returns_the_pending_run_s_id_and_the_key_is_free_once_that_run_ended()
    {
        TaskApp a = NewApp(), b = NewApp();
        var arguments = PayloadBuffer.Encode(21, static (ref MessagePackWriter w, int n) =>
        {
            w.WriteArrayHeader(1);
            w.Write(n);
        });
        var first = await a.EnqueueDeduplicatedAsync(Doubled.Descriptor, arguments, "order-7");
        Assert.Equal(first, await b.EnqueueDeduplicatedAsync(Doubled.Descriptor, arguments, "order-7"));
        Assert.Equal(1, await a.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));

        await using var consumer = new TaskConsumer(b, Options(1));
        consumer.Start();
        Assert.Equal(42, await Doubled.With(a).Result(first).GetAsync(timeout: Wait));
        await Eventually.UntilAsync(async () => await a.EnqueueDeduplicatedAsync(Doubled.Descriptor, arguments, "order-7") != first,
            "the key to be free once the run ended");
    }
}
