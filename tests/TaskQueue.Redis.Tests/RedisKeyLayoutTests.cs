using System.Text;
using StackExchange.Redis;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Where the storage writes: one hash tag per application, nothing outside it.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisKeyLayoutTests(RedisServerFixture redis)
{
    // A database of its own, so that the scan sees this test's keys and not other projects'.
    private const int Database = 11;

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Every_key_the_storage_writes_is_under_the_application_hash_tag_and_flush_removes_them_all()
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
        string prefix = "{tq:" + app + "}:";
        Assert.All(written, key => Assert.StartsWith(prefix, key, StringComparison.Ordinal));
        var kinds = written.Select(k => k[prefix.Length..].Split(':')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "q", "p", "consumers", "hb", "schedule", "r", "revoked", "dead", "seq" }, kinds);

        await storage.FlushAsync();
        await foreach (var key in server.KeysAsync(Database, "*")) Assert.DoesNotContain(app, (string)key!, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_share_one_hash_tag_and_so_one_cluster_slot()
    {
        var keys = new RedisKeys("beans");
        RedisKey[] all = [keys.Queue("default"), keys.Processing("c1"), keys.Consumers, keys.Heartbeat("c1"), keys.Schedule,
            keys.Result("t1"), keys.Revocations, keys.DeadLetters, keys.Sequence];
        Assert.Equal("{tq:beans}:q:default", (string)keys.Queue("default")!);
        Assert.All(all, k => Assert.StartsWith("{tq:beans}:", (string)k!, StringComparison.Ordinal));
        Assert.Equal("t1", keys.TaskIdOf(keys.Result("t1")));
    }

    [Fact]
    public void Scan_patterns_escape_glob_characters_of_the_application_name()
    {
        var keys = new RedisKeys("a*b?[c]");
        Assert.Equal(@"{tq:a\*b\?\[c\]}:*", (string)keys.AllKeysPattern!);
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
