using System.Text;
using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// Bytes pushed into Redis by anyone: a queue entry or an in-flight record the storage cannot read
/// becomes a dead letter with its reason, inside the same atomic step, and everything else goes on.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisHostileEntryTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    private IDatabase Db => redis.Connection.GetDatabase();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    [Fact]
    public async Task An_entry_too_short_for_a_message_goes_to_dead_letters_a_wake_up_marker_is_dropped_and_the_batch_around_them_is_taken()
    {
        await storage.EnqueueManyAsync("jobs", [Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("b")]);
        await Db.ListRightPushAsync(storage.Keys.Queue("jobs"), "");
        await Db.ListRightPushAsync(storage.Keys.Queue("jobs"), new byte[] { 0 });
        await storage.EnqueueAsync("jobs", Encoding.UTF8.GetBytes("c"));

        var batch = await storage.TakeAsync(["jobs"], "c1", 16, TimeSpan.Zero);

        Assert.Equal(["a", "b", "c"], batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        var dead = Assert.Single(await storage.ListDeadLettersAsync(10));
        Assert.Equal("jobs", dead.Queue);
        Assert.Equal("the queue entry has 1 bytes, too few for a message (one byte of delivery count, then the message)", dead.Reason);
        Assert.Equal(3, await storage.InFlightCountAsync());
        await storage.CompleteAsync("c1", [.. batch.Messages.Select(Completion.Ack)]);
        Assert.Equal(0, await storage.InFlightCountAsync());
        Assert.Equal(0, await Db.ListLengthAsync(storage.Keys.Queue("jobs")));
    }

    [Fact]
    public async Task A_batch_of_nothing_but_unreadable_entries_takes_nothing_and_leaves_no_record()
    {
        await Db.ListRightPushAsync(storage.Keys.Queue("jobs"), new byte[] { 7 });
        await Db.ListRightPushAsync(storage.Keys.Queue("jobs"), "");

        var batch = await storage.TakeAsync(["jobs"], "c1", 16, TimeSpan.Zero);

        Assert.Empty(batch.Messages);
        Assert.Single(await storage.ListDeadLettersAsync(10));
        Assert.Equal(0, await storage.InFlightCountAsync());
        Assert.Equal(0, await Db.ListLengthAsync(storage.Keys.Queue("jobs")));
    }

    [Fact]
    public async Task The_reaper_buries_in_flight_records_it_cannot_read_and_hands_back_the_rest()
    {
        await storage.EnqueueAsync("jobs", Encoding.UTF8.GetBytes("good"));
        var taken = await storage.TakeAsync(["jobs"], "dead-consumer", 16, TimeSpan.Zero);
        Assert.Single(taken.Messages);
        var processing = storage.Keys.Of("jobs").Processing("dead-consumer");
        await Db.HashSetAsync(processing, "not a receipt", "whatever");
        await Db.HashSetAsync(processing, "99|1|0|jobs", "");
        // No heartbeat was ever written for this consumer: it is dead.

        var reaped = await storage.ReapAsync(maxRedeliveries: 5);

        Assert.Equal(new ReapResult(1, 2), reaped);
        Assert.Equal("good", Encoding.UTF8.GetString(Assert.Single(await storage.PendingAsync("jobs", 10))));
        var reasons = (await storage.ListDeadLettersAsync(10)).Select(d => d.Reason).ToList();
        Assert.Contains("an in-flight record under the unreadable receipt \"not a receipt\"", reasons);
        Assert.Contains("the in-flight entry has 0 bytes, too few for a message", reasons);
        Assert.False(await Db.KeyExistsAsync(processing));
    }

    [Fact]
    public async Task A_consumer_runs_every_task_once_around_an_entry_too_short_for_a_message()
    {
        var app = new TaskApp(storage);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 2, BatchSize = 16, TakeWait = TimeSpan.FromMilliseconds(200) });
        var first = new List<TaskResult<int>>();
        for (int i = 0; i < 10; i++) first.Add(await Twice.With(app).EnqueueAsync(i));
        await Db.ListRightPushAsync(storage.Keys.Queue("default"), new byte[] { 3 });
        var second = new List<TaskResult<int>>();
        for (int i = 10; i < 20; i++) second.Add(await Twice.With(app).EnqueueAsync(i));
        consumer.Start();

        foreach (var (r, i) in first.Concat(second).Select((r, i) => (r, i)))
        {
            Assert.Equal(2 * i, await r.GetAsync(timeout: TimeSpan.FromSeconds(20)));
        }
        Assert.Single(await app.DeadLettersAsync());
        await consumer.StopAsync();
        Assert.Equal(0, await storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_queue_key_of_the_wrong_type_is_one_warning_not_a_stack_trace_per_take()
    {
        await Db.StringSetAsync(storage.Keys.Queue("default"), "not a list");
        var logs = new RecordingLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var app = new TaskApp(storage);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 2, TakeWait = TimeSpan.FromMilliseconds(100) }, factory);
        consumer.Start();
        await consumer.Ready.WaitAsync(TimeSpan.FromSeconds(20));
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Message.Contains("WRONGTYPE")), "the warning");
        await Task.Delay(TimeSpan.FromSeconds(3));   // dozens of takes at 8 a second before; the back-off and the log's minute now
        await consumer.StopAsync();

        var lines = logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).ToList();
        var warning = Assert.Single(lines);
        Assert.StartsWith("Storage failing: could not take tasks (RedisServerException: WRONGTYPE", warning.Message);
        Assert.DoesNotContain("   at ", warning.Message);
    }
}

public static class RedisTestTasks
{
    [Task]
    public static int Twice(int x) => 2 * x;
}
