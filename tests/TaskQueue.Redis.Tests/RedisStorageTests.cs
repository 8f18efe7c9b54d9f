using System.Globalization;
using System.Text;
using StackExchange.Redis;
using TaskQueue.Messages;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;
using Xunit.Abstractions;

namespace TaskQueue.Redis.Tests;

/// <summary>Redis-specific behaviour: time from Redis, binary-safe records, memory per task.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStorageTests(RedisServerFixture redis, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    [Fact]
    public async Task The_storage_clock_is_redis_time()
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var redisTime = new DateTimeOffset(await server.TimeAsync(), TimeSpan.Zero);
        var storageTime = await storage.GetTimeAsync();
        Assert.InRange(storageTime - redisTime, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_take_retried_with_its_token_gets_the_same_records_instead_of_taking_more()
    {
        await storage.EnqueueManyAsync("jobs", [B("a"), B("b"), B("c"), B("d")]);
        var first = await storage.TakeWithTokenAsync(["jobs"], "c1", 2, "token-1");
        // The reply of the first call was lost: the retry with the same token must not take c and d.
        var again = await storage.TakeWithTokenAsync(["jobs"], "c1", 2, "token-1");
        Assert.Equal(first.Messages.Select(m => (m.Receipt, Encoding.UTF8.GetString(m.Body.Span))), again.Messages.Select(m => (m.Receipt, Encoding.UTF8.GetString(m.Body.Span))));
        Assert.Equal(["a", "b"], again.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(2, await storage.QueueLengthAsync("jobs"));
        Assert.Equal(2, await storage.InFlightCountAsync());

        // A record settled meanwhile is left out of the retry's reply; a new token takes on.
        await storage.CompleteAsync("c1", [Completion.Ack(first.Messages[0])]);
        Assert.Equal(["b"], (await storage.TakeWithTokenAsync(["jobs"], "c1", 2, "token-1")).Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(["c", "d"], (await storage.TakeWithTokenAsync(["jobs"], "c1", 2, "token-2")).Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
    }

    [Fact]
    public async Task An_in_flight_record_names_its_consumer_queue_and_the_time_it_was_taken()
    {
        await storage.EnqueueAsync("jobs", B("m"));
        var before = await storage.GetTimeAsync();
        var taken = Assert.Single((await storage.TakeAsync(["jobs"], "worker-7", 1, TimeSpan.FromSeconds(1))).Messages);
        var record = Assert.Single(await redis.Connection.GetDatabase().HashGetAllAsync(storage.Keys.Of("jobs").Processing("worker-7")));
        var parts = ((string)record.Name!).Split('|');
        Assert.Equal(taken.Receipt, (string)record.Name!);
        Assert.Equal("0", parts[2]);
        Assert.Equal("jobs", parts[3]);
        var takenAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1], CultureInfo.InvariantCulture));
        Assert.InRange(takenAt, before.AddSeconds(-1), before.AddSeconds(5));
    }

    [Fact]
    public async Task Promotion_waits_for_the_eta_by_redis_time()
    {
        var eta = (await storage.GetTimeAsync()).AddMilliseconds(800);
        await storage.ScheduleAsync("q", B("x"), eta);
        var early = await storage.PromoteDueAsync(10);
        Assert.Equal(0, early.Moved);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(eta.ToUnixTimeMilliseconds()), early.NextDue);
        await Eventually.UntilAsync(async () => (await storage.PromoteDueAsync(10)).Moved == 1, "the message to become due");
        Assert.True(await storage.GetTimeAsync() >= eta.AddMilliseconds(-1), "promoted before its eta by Redis time");
        Assert.Equal(1, await storage.QueueLengthAsync("q"));
    }

    [Fact]
    public async Task Schedule_and_dead_letter_records_are_binary_safe_with_any_queue_name()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        const string queue = "we|ird: ✓ 队列";
        var now = await storage.GetTimeAsync();
        await storage.ScheduleAsync(queue, body, now.AddHours(1));
        var scheduled = Assert.Single(await storage.ScheduledAsync(10));
        Assert.Equal(queue, scheduled.Queue);
        Assert.Equal(body, scheduled.Body);

        await storage.DeadLetterAsync(queue, body, "reason | with ✓ bars");
        var dead = Assert.Single(await storage.ListDeadLettersAsync(10));
        Assert.Equal((queue, "reason | with ✓ bars"), (dead.Queue, dead.Reason));
        Assert.Equal(body, dead.Body);
        Assert.True(await storage.RequeueDeadLetterAsync(dead.Id));
        Assert.Equal(body, Assert.Single(await storage.PendingAsync(queue, 10)));
    }

    [Fact]
    public async Task A_reaped_message_from_a_queue_with_a_bar_in_its_name_goes_back_to_that_queue()
    {
        await storage.EnqueueManyAsync("a|b", [B("1"), B("2")]);
        Assert.Equal(2, (await storage.TakeAsync(["a|b"], "gone", 10, TimeSpan.Zero)).Messages.Count);
        Assert.Equal(2, (await storage.ReapAsync(5)).Requeued);
        var again = await storage.TakeAsync(["a|b"], "c2", 10, TimeSpan.Zero);
        Assert.Equal(["1", "2"], again.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.All(again.Messages, m => Assert.Equal(1, m.Deliveries));
    }

    [Fact]
    public async Task Several_released_messages_keep_their_order_at_the_head()
    {
        await storage.EnqueueManyAsync("q", [B("1"), B("2"), B("3"), B("4")]);
        var m = (await storage.TakeAsync(["q"], "c1", 3, TimeSpan.Zero)).Messages;
        await storage.CompleteAsync("c1", [Completion.Ack(m[0]), Completion.Release(m[1]), Completion.Release(m[2])]);
        var rest = await storage.TakeAsync(["q"], "c1", 10, TimeSpan.Zero);
        Assert.Equal(["2", "3", "4"], rest.Messages.Select(x => Encoding.UTF8.GetString(x.Body.Span)));
    }

    [Fact]
    public async Task Queued_no_op_tasks_cost_little_redis_memory()
    {
        const int count = 10_000;
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var db = redis.Connection.GetDatabase();
        var sample = NoOpMessage();
        long before = await UsedMemoryAsync(server);
        for (int i = 0; i < count; i += 1_000)
        {
            await storage.EnqueueManyAsync("q", Enumerable.Range(0, 1_000).Select(_ => (ReadOnlyMemory<byte>)NoOpMessage()).ToArray());
        }
        long after = await UsedMemoryAsync(server);
        long keyBytes = (long)await db.ExecuteAsync("MEMORY", "USAGE", storage.Keys.Queue("q"), "SAMPLES", "0");
        Assert.Equal(count, await storage.QueueLengthAsync("q"));

        double perKey = (double)keyBytes / count;
        output.WriteLine(FormattableString.Invariant(
            $"{count} no-op tasks of {sample.Length} bytes: MEMORY USAGE of the queue {perKey:0.0} B/task; used_memory delta {(double)(after - before) / count:0.0} B/task"));
        Assert.True(perKey <= 200, FormattableString.Invariant($"{perKey:0.0} bytes per queued task"));
    }

    private static byte[] NoOpMessage() => MessageCodec.Encode(new TaskMessage
    {
        Id = TaskId.New(),
        Name = "Beans.BeanTasks.Noop",
        Arguments = ReadOnlyMemory<byte>.Empty,
        CreatedAt = DateTimeOffset.UtcNow,
    });

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        var used = info.SelectMany(g => g).First(p => p.Key == "used_memory").Value;
        return long.Parse(used, CultureInfo.InvariantCulture);
    }
}
