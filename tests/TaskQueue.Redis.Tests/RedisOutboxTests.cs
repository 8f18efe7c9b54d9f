using System.Text;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>The outbox that carries periodic and recurring fires from the application's slot to a queue's.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutboxTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    private IDatabase Db => redis.Connection.GetDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    /// <summary>An outbox record as a fire writes it: id, priority, the queue's byte length, the queue, then the entry.</summary>
    private static byte[] Record(long id, int priority, string queue, string message)
        => Encoding.UTF8.GetBytes($"{id}|{priority}|{Encoding.UTF8.GetByteCount(queue)}|{queue}\0{message}");

    [Fact]
    public async Task A_fire_left_in_the_outbox_by_a_process_that_died_is_relayed_by_the_next_reap_once_however_often_it_is_relayed()
    {
        // The claim went through (the record is in the outbox), the process died before its relay.
        await Db.ListRightPushAsync(storage.Keys.Outbox, Record(7, 2, "jobs", "tick"));
        await Db.ListRightPushAsync(storage.Keys.Outbox, "not a record");

        await storage.ReapAsync(5);

        Assert.Equal(["tick"], (await storage.PendingAsync("jobs", 10)).Select(b => Encoding.UTF8.GetString(b)));
        Assert.Equal(0, await Db.ListLengthAsync(storage.Keys.Outbox));
        // A relay whose removal was lost with the connection leaves the record: relaying it again stores nothing.
        await Db.ListRightPushAsync(storage.Keys.Outbox, Record(7, 2, "jobs", "tick"));
        await storage.ReapAsync(5);
        Assert.Equal(1, await storage.QueueLengthAsync("jobs"));
        Assert.Equal(0, await Db.ListLengthAsync(storage.Keys.Outbox));
        // It kept its priority: it is taken before a plain message sent after it.
        await storage.EnqueueAsync("jobs", Encoding.UTF8.GetBytes("plain"));
        await storage.EnqueueAsync("jobs", Encoding.UTF8.GetBytes("plain-2"), priority: 1);
        Assert.Equal(["tick", "plain-2", "plain"], (await storage.PendingAsync("jobs", 10)).Select(b => Encoding.UTF8.GetString(b)));
    }

    [Fact]
    public async Task A_periodic_fire_leaves_nothing_in_the_outbox()
    {
        Assert.True(await storage.FirePeriodicAsync("tick", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "jobs", Encoding.UTF8.GetBytes("m")));
        await Eventually.UntilAsync(async () => await Db.ListLengthAsync(storage.Keys.Outbox) == 0, "the outbox to be empty");
        Assert.Equal(1, await storage.QueueLengthAsync("jobs"));
    }
}
