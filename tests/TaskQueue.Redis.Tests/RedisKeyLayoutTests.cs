using System.Text;
using StackExchange.Redis;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Where the storage writes: a hash tag per queue, one for the application, one per result; nothing outside them.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisKeyLayoutTests(RedisServerFixture redis)
{
    // A database of its own, so that the scan sees this test's keys and not other projects'.
    private const int Database = 11;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Every_key_the_storage_writes_is_under_one_of_the_application_hash_tags_and_flush_removes_them_all()
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var before = new HashSet<string>();
        await foreach (var key in server.KeysAsync(Database, "*")) before.Add(key!);

        var app = RedisServerFixture.NewApplicationName();
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = redis.ConnectionString + ",defaultDatabase=" + Database,
            ApplicationName = app,
        });
        await ExerciseEveryOperationAsync(storage);

        var written = new List<string>();
        await foreach (var key in server.KeysAsync(Database, "*"))
        {
            if (!before.Contains(key!)) written.Add(key!);
        }
        string shared = "{tq:" + app + "}:", queue = "{tq:" + app + ":q:q}:", result = "{tq:" + app + ":r:";
        Assert.All(written, key => Assert.True(key.StartsWith(shared, StringComparison.Ordinal) || key.StartsWith(queue, StringComparison.Ordinal)
            || key.StartsWith(result, StringComparison.Ordinal), key));
        var ofQueue = written.Where(k => k.StartsWith(queue, StringComparison.Ordinal)).Select(k => k[queue.Length..].Split(':')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "ready", "p", "consumers", "schedule", "dead", "seq" }, ofQueue);
        var ofApp = written.Where(k => k.StartsWith(shared, StringComparison.Ordinal)).Select(k => k[shared.Length..].Split(':')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "queues", "hb", "revoked" }, ofApp);
        Assert.Contains(written, k => k == result + "t1}");

        await storage.FlushAsync();
        await foreach (var key in server.KeysAsync(Database, "*")) Assert.DoesNotContain(app, (string)key!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_s_keys_share_its_slot_and_queues_results_and_the_application_have_slots_of_their_own()
    {
        var keys = new RedisKeys("beans");
        var q = keys.Of("default");
        RedisKey[] queueKeys = [q.Ready, q.ReadyOf(5), q.Priorities, q.Marked, q.Processing("c1"), q.Consumers, q.Schedule, q.DeadLetters,
            q.Sequence, q.TakeToken("t"), q.Sent("p", 1)];
        Assert.Equal("{tq:beans:q:default}:ready", (string)q.Ready!);
        Assert.Single(queueKeys.Select(Slot).Distinct());
        RedisKey[] appKeys = [keys.Queues, keys.Outbox, keys.Heartbeat("c1"), keys.Revocations, keys.Sequence, keys.Periodic, keys.RecurringDue,
            keys.Lock("x"), keys.RecurringRuns("r")];
        Assert.All(appKeys, k => Assert.StartsWith("{tq:beans}:", (string)k!, StringComparison.Ordinal));
        Assert.Single(appKeys.Select(Slot).Distinct());
        // Three queues in three slots, apart from the application's: on a cluster they can sit on different shards.
        var slots = new[] { keys.Of("a").Ready, keys.Of("b").Ready, keys.Of("c").Ready, keys.Queues }.Select(Slot).ToHashSet();
        Assert.Equal(4, slots.Count);
        Assert.Equal("{tq:beans:r:t1}", (string)keys.Result("t1")!);
        Assert.Equal("t1", keys.TaskIdOf(keys.Result("t1")));
        Assert.NotEqual(Slot(keys.Result("t1")), Slot(keys.Result("t2")));
    }

    /// <summary>A key's Redis Cluster slot: CRC16 (XModem) of its hash tag, or of the whole key without one, mod 16384.</summary>
    private static int Slot(RedisKey key)
    {
        byte[] bytes = key!;
        int open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            int close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1) bytes = bytes[(open + 1)..close];
        }
        int crc = 0;
        foreach (byte b in bytes)
        {
            crc ^= b << 8;
            for (int i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
        return crc % 16384;
    }

    [Fact]
    public void The_slot_function_agrees_with_redis_cluster_s_published_examples()
    {
        // From the Redis Cluster specification: CRC16("123456789") is 0x31C3; a hash tag hashes alone.
        Assert.Equal(0x31C3 % 16384, Slot("123456789"));
        Assert.Equal(Slot("user1000"), Slot("{user1000}.following"));
    }

    [Fact]
    public void Scan_patterns_escape_glob_characters_of_the_application_name()
    {
        var keys = new RedisKeys("a*b?[c]");
        Assert.Equal([@"{tq:a\*b\?\[c\]}:*", @"{tq:a\*b\?\[c\]:q:*", @"{tq:a\*b\?\[c\]:r:*"], keys.AllKeysPatterns.Select(p => (string)p!));
    }

    [Theory]
    [InlineData("a:q:b")]
    [InlineData("x:r:")]
    [InlineData("{x}")]
    public void An_application_name_that_would_share_a_hash_tag_with_another_is_refused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new RedisStorageOptions { ApplicationName = name, ConnectionString = "localhost" }.Validate());
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    private static async Task ExerciseEveryOperationAsync(RedisStorage storage)
    {
        var now = await storage.GetTimeAsync();
        await storage.EnqueueAsync("q", B("one"));
        await storage.EnqueueManyAsync("q", [B("ack"), B("res"), B("retry"), B("later"), B("dead"), B("rel")]);
        await storage.HeartbeatAsync("alive", TimeSpan.FromMinutes(1));
        var m = (await storage.TakeAsync(["q"], "alive", 7, TimeSpan.Zero)).Messages;
        Assert.Equal(7, m.Count);
        await storage.CompleteAsync("alive",
        [
            Completion.Ack(m[1]),
            Completion.WithResult(m[2], "t1", B("r"), TimeSpan.FromMinutes(5)),
            Completion.Retry(m[3], B("retry2"), TimeSpan.Zero),
            Completion.Retry(m[4], B("later2"), TimeSpan.FromHours(1)),
            Completion.ToDeadLetters(m[5], "bad"),
            Completion.Release(m[6]),
        ]);
        await storage.ScheduleAsync("q", B("due"), now.AddSeconds(-1));
        await storage.ScheduleAsync("q", B("future"), now.AddHours(2));
        Assert.Equal(1, (await storage.PromoteDueAsync(10)).Moved);
        await storage.PutResultAsync("t2", B("v"), null);
        Assert.NotNull(await storage.ReadResultAsync("t2", preserve: true));
        Assert.Equal(2, (await storage.ResultsAsync(10)).Count);
        await storage.RevokeAsync("t:x", new Revocation(null, Once: true));
        await storage.RevokeAsync("t:y", new Revocation(now.AddHours(1), Once: false));
        Assert.NotNull(await storage.GetRevocationAsync("t:y"));
        Assert.True(await storage.ConsumeRevocationAsync(["t:x"]));
        await storage.DeadLetterAsync("q", B("direct"), "why");
        var dead = await storage.ListDeadLettersAsync(10);
        Assert.True(await storage.RequeueDeadLetterAsync(dead[0].Id));
        await storage.HeartbeatAsync("gone", TimeSpan.FromMilliseconds(30));
        Assert.NotEmpty((await storage.TakeAsync(["q"], "gone", 1, TimeSpan.Zero)).Messages);
        await Eventually.UntilAsync(async () => (await storage.ReapAsync(5)).Requeued == 1, "the gone consumer to be reaped");
        await storage.HeartbeatAsync("gone", TimeSpan.FromMinutes(1));
        Assert.NotEmpty((await storage.TakeAsync(["q"], "gone", 1, TimeSpan.Zero)).Messages);
        Assert.True(await storage.InFlightCountAsync() >= 2);
        Assert.NotEmpty(await storage.PendingAsync("q", 10));
        Assert.NotEmpty(await storage.ScheduledAsync(10));
    }
}
