using System.Text;
using StackExchange.Redis;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Moving what the single-slot layout of 0.2 wrote into the layout with a hash tag per queue.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisMigrationTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly RedisStorage storage = redis.CreateStorage();

    private IDatabase Db => redis.Connection.GetDatabase();

    private string Old => "{tq:" + storage.Keys.ApplicationName + "}:";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Entry(string message, byte deliveries = 0) => [deliveries, .. Encoding.UTF8.GetBytes(message)];

    private static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    /// <summary>Writes keys as TaskQueue 0.2 did: everything under {tq:app}.</summary>
    private async Task WriteOldLayoutAsync()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Db.ListRightPushAsync(Old + "q:default", [Entry("d1"), Entry("d2")]);
        await Db.ListRightPushAsync(Old + "q:reports", Entry("r1", deliveries: 2));
        // A stopped consumer's in-flight records: taken in the order 7, 9.
        await Db.HashSetAsync(Old + "p:gone", [new HashEntry("9|" + now + "|default", Entry("taken-second")), new HashEntry("7|" + now + "|default", Entry("taken-first"))]);
        await Db.SetAddAsync(Old + "consumers", "gone");
        await Db.SortedSetAddAsync(Old + "schedule", B("000000000001|7|reportslater"), now + 3_600_000);
        await Db.SortedSetAddAsync(Old + "schedule", B("000000000002|7|defaultdue"), now - 1_000);
        await Db.SortedSetAddAsync(Old + "dead", B("41|" + now + "|7|3|defaultbadpoison"), 41);
        await Db.StringSetAsync(Old + "r:t1", "result-1", TimeSpan.FromHours(1));
        await Db.StringSetAsync(Old + "r:t2", "result-2");
        await Db.StringSetAsync(Old + "tk:abc", "memo");
    }

    [Fact]
    public async Task Queued_in_flight_scheduled_dead_and_result_records_move_to_the_new_layout_and_a_second_run_moves_nothing()
    {
        await WriteOldLayoutAsync();

        var moved = await storage.MigrateLayoutAsync();

        Assert.Equal((3L, 2L, 2L, 1L, 2L), (moved.Queued, moved.HandedBack, moved.Scheduled, moved.DeadLetters, moved.Results));
        Assert.Equal(["default", "reports"], moved.Queues);
        // The stopped consumer's messages come first, in the order taken, with one more delivery.
        var taken = (await storage.TakeAsync(["default"], "c1", 10, TimeSpan.Zero)).Messages;
        Assert.Equal(["taken-first", "taken-second", "d1", "d2"], taken.Select(m => S(m.Body)));
        Assert.Equal([1, 1, 0, 0], taken.Select(m => m.Deliveries));
        Assert.Equal(2, Assert.Single((await storage.TakeAsync(["reports"], "c1", 10, TimeSpan.Zero)).Messages).Deliveries);
        await storage.CompleteAsync("c1", [.. taken.Select(Completion.Ack)]);

        var scheduled = await storage.ScheduledAsync(10);
        Assert.Equal([("default", "due"), ("reports", "later")], scheduled.Select(s => (s.Queue, Encoding.UTF8.GetString(s.Body))));
        Assert.Equal(1, (await storage.PromoteDueAsync(10)).Moved);
        Assert.Equal(["due"], (await storage.PendingAsync("default", 10)).Select(b => Encoding.UTF8.GetString(b)));

        var dead = Assert.Single(await storage.ListDeadLettersAsync(10));
        Assert.Equal(("default", "bad", "poison"), (dead.Queue, dead.Reason, Encoding.UTF8.GetString(dead.Body)));
        Assert.Equal("default/41", dead.Id);
        await storage.DeadLetterAsync("default", B("newer"), "why");
        Assert.Equal("newer", Encoding.UTF8.GetString((await storage.ListDeadLettersAsync(10))[0].Body));
        // Numbers moved in stay below the queue's counter: a new dead letter never takes an old one's id.
        Assert.True(long.Parse((await storage.ListDeadLettersAsync(10))[0].Id["default/".Length..], System.Globalization.CultureInfo.InvariantCulture) > 41);

        Assert.Equal("result-1", S(await storage.ReadResultAsync("t1", preserve: true)));
        Assert.InRange((await Db.KeyTimeToLiveAsync(storage.Keys.Result("t1")))!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal("result-2", S(await storage.ReadResultAsync("t2", preserve: false)));

        foreach (var key in new[] { "q:default", "q:reports", "p:gone", "consumers", "schedule", "dead", "r:t1", "r:t2", "tk:abc" })
        {
            Assert.False(await Db.KeyExistsAsync(Old + key), key + " is left");
        }
        Assert.True((await storage.MigrateLayoutAsync()).Nothing);
    }

    private static string S(byte[]? b) => b is null ? "(null)" : Encoding.UTF8.GetString(b);
}
