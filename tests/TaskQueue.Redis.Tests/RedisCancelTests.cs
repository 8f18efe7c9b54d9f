using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Testing;
using Xunit;
using static TaskQueue.Redis.Tests.RedisHookTasks;

namespace TaskQueue.Redis.Tests;

/// <summary>Cancels by id on Redis: from another connection (another process), before and during a run.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisCancelTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string application = RedisServerFixture.NewApplicationName();
    private RedisStorage storage = null!;

    public Task InitializeAsync()
    {
        storage = new RedisStorage(redis.Connection, application);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    [Fact]
    public async Task A_cancel_sent_through_another_connection_fires_the_token_of_the_run_and_ends_it_cancelled()
    {
        await using var worker = new TaskApp(storage);
        await using var consumer = new TaskConsumer(worker, new ConsumerOptions
        {
            Workers = 2, TakeWait = TimeSpan.FromMilliseconds(200), CancelPollInterval = TimeSpan.FromMilliseconds(100),
        });
        consumer.Start();
        // Another process: its own connection, the same application.
        await using var elsewhere = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis.ConnectionString, ApplicationName = application });
        await using var client = new TaskApp(elsewhere);
        var key = Guid.NewGuid().ToString("N");
        var handle = await WaitForCancel.With(client).EnqueueAsync(key);
        await Started(key).WaitAsync(Wait);
        var cancelled = new TaskCompletionSource<TaskEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = worker.Events.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Cancelled && e.TaskId == handle.Id) cancelled.TrySetResult(e);
        });

        await handle.CancelAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(timeout: Wait));
        Assert.Equal("System.OperationCanceledException", error.RemoteType);
        Assert.Equal("cancelled by TaskApp.CancelAsync while it ran", error.RemoteMessage);
        Assert.Equal(2, error.RetriesLeft);
        await cancelled.Task.WaitAsync(Wait);
        Assert.Equal(1, RunsOf(key));   // not retried
        Assert.Empty(await worker.ScheduledAsync());
    }

    [Fact]
    public async Task A_cancel_before_the_run_starts_revokes_it_so_it_never_starts()
    {
        await using var app = new TaskApp(storage);
        var key = Guid.NewGuid().ToString("N");
        var handle = await Triple.With(app).EnqueueAsync(key, 2);

        await app.CancelAsync(handle.Id);
        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Cancelled, run!.Outcome);
        Assert.Equal(0, RunsOf(key));
        Assert.Equal("cancelled by TaskApp.CancelAsync before it started",
            (await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false))).RemoteMessage);
    }

    [Fact]
    public async Task Cancel_requests_live_in_the_application_s_slot_and_flush_removes_them()
    {
        await using var app = new TaskApp(storage);
        await app.CancelAsync("t1");
        var db = redis.Connection.GetDatabase();

        Assert.Equal("{tq:" + application + "}:cancel", (string)storage.Keys.CancelRequests!);
        Assert.True(await db.HashExistsAsync(storage.Keys.CancelRequests, "t1"));
        Assert.NotNull(await db.SortedSetScoreAsync(storage.Keys.CancelRequestEnds, "t1"));

        await storage.FlushAsync();

        Assert.False(await db.KeyExistsAsync(storage.Keys.CancelRequests));
        Assert.False(await db.KeyExistsAsync(storage.Keys.CancelRequestEnds));
    }

    [Fact]
    public async Task Expired_requests_are_dropped_by_the_next_request()
    {
        await storage.RequestCancelAsync("old", TimeSpan.FromMilliseconds(50));
        var db = redis.Connection.GetDatabase();
        await Eventually.UntilAsync(async () => (await storage.ReadCancelRequestsAsync(["old"])).Count == 0, "the request to expire");

        await storage.RequestCancelAsync("new", TimeSpan.FromMinutes(1));

        Assert.Equal<RedisValue>(["new"], await db.HashKeysAsync(storage.Keys.CancelRequests));
        Assert.Equal(1, await db.SortedSetLengthAsync(storage.Keys.CancelRequestEnds));
    }
}
