using System.Text;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// TaskQueue as the narrow Redis user the README documents: everything works, nothing is refused
/// that the README does not call optional, and the user reaches no other application's keys and no
/// administrative command.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAclTests(RedisAclServer redis) : IClassFixture<RedisAclServer>
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task An_application_runs_end_to_end_as_the_documented_user_and_connection_string_and_nothing_is_refused()
    {
        Assert.Empty(await RoundTripAsync(redis.ConnectionString, full: true));
    }

    [Fact]
    public async Task With_the_optional_grants_a_plain_connection_string_runs_end_to_end_and_nothing_is_refused()
    {
        Assert.Empty(await RoundTripAsync(redis.PlainConnectionString(redis.GrantedUserName), full: true));
    }

    [Fact]
    public async Task With_a_plain_connection_string_the_documented_user_works_and_is_refused_only_optional_commands()
    {
        var refused = await RoundTripAsync(redis.PlainConnectionString(redis.UserName), full: false);
        Assert.NotEmpty(refused); // else the optional grants would be pointless
        Assert.All(refused, r => Assert.True(IsOptional(r), $"refused {r}, which the README does not list as optional"));
    }

    [Fact]
    public async Task A_storage_on_a_given_connection_with_the_documented_string_in_its_options_is_refused_nothing()
    {
        await redis.ForgetRefusalsAsync();
        await using (var storage = new RedisStorage(redis.User, new RedisStorageOptions
        {
            ConnectionString = redis.ConnectionString,
            ApplicationName = RedisAclServer.ApplicationName,
        }))
        {
            await RedisRoundTrip.RunOneAsync(storage);
        }
        Assert.Empty(await redis.RefusalsAsync());
    }

    [Fact]
    public async Task A_storage_on_a_given_connection_alone_waits_as_the_same_user_and_is_refused_only_optional_commands()
    {
        // The waiting connection copies the connection's configuration string, in which
        // StackExchange.Redis leaves out the empty configChannel= and tiebreaker= (the README says so).
        await redis.ForgetRefusalsAsync();
        await using (var storage = new RedisStorage(redis.User, RedisAclServer.ApplicationName))
        {
            await RedisRoundTrip.RunOneAsync(storage);
        }
        Assert.All(await redis.RefusalsAsync(), r => Assert.True(IsOptional(r), $"refused {r}, which the README does not list as optional"));
    }

    [Fact]
    public async Task Scripts_are_loaded_again_after_redis_forgets_them()
    {
        await using var storage = new RedisStorage(redis.User, RedisAclServer.ApplicationName);
        await storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        Assert.Single((await storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero)).Messages);
        await redis.Admin.GetServer(redis.Admin.GetEndPoints()[0]).ScriptFlushAsync();
        Assert.Single((await storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero)).Messages);
        await storage.FlushAsync();
    }

    [Fact]
    public async Task The_user_cannot_read_or_write_another_applications_keys()
    {
        var other = new RedisKeys("other");
        await redis.Admin.GetDatabase().ListRightPushAsync(other.Queue("q"), "secret");
        await using var storage = new RedisStorage(redis.User, "other");

        // A plain command, a script naming the keys, a read, and a key of no application.
        await AssertRefusedAsync(() => storage.EnqueueAsync("q", B("x")).AsTask());
        await AssertRefusedAsync(() => storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero).AsTask());
        await AssertRefusedAsync(() => storage.QueueLengthAsync("q").AsTask());
        await AssertRefusedAsync(() => redis.User.GetDatabase().StringSetAsync("unrelated", "x"));
        Assert.Equal(1, await redis.Admin.GetDatabase().ListLengthAsync(other.Queue("q")));
    }

    [Fact]
    public async Task Scan_shows_the_user_the_names_of_other_keys_as_the_readme_warns()
    {
        var other = new RedisKeys("scanned");
        await redis.Admin.GetDatabase().StringSetAsync(other.Result("t1"), "secret");
        var names = new List<RedisKey>();
        await foreach (var key in redis.User.GetServer(redis.User.GetEndPoints()[0]).KeysAsync(pattern: other.ResultTagPrefix + "*")) names.Add(key);
        Assert.Equal([other.Result("t1")], names);
        await AssertRefusedAsync(() => redis.User.GetDatabase().StringGetAsync(other.Result("t1")));
    }

    [Theory]
    [InlineData("FLUSHALL")]
    [InlineData("KEYS", "*")]
    [InlineData("CONFIG", "SET", "maxmemory", "1")]
    [InlineData("ACL", "LIST")]
    [InlineData("PUBLISH", "channel", "message")]
    [InlineData("SUBSCRIBE", "channel")]
    public async Task The_user_may_not_run_commands_taskqueue_does_not_need(string command, params string[] arguments)
    {
        // allowAdmin: else the client itself refuses admin commands, and the server is never asked.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.PlainConnectionString(redis.UserName) + ",allowAdmin=true");
        await AssertRefusedAsync(() => connection.GetDatabase().ExecuteAsync(command, arguments.Cast<object>().ToArray()));
    }

    [Fact]
    public void The_documented_user_is_confined_to_one_application_and_the_commands_it_names()
    {
        var rules = redis.Documented.Rules;
        Assert.Equal("on", rules[0]);
        Assert.Single(rules, r => r.StartsWith('>'));
        Assert.Equal(["resetkeys", "~{tq:shop}:*", "~{tq:shop:q:*", "~{tq:shop:r:*", "resetchannels", "-@all"], rules.Where(r => !r.StartsWith('>') && !r.StartsWith('+') && r != "on"));
        Assert.DoesNotContain(rules, r => r.StartsWith("+@", StringComparison.Ordinal));
        // Nothing optional sneaked into the line that every deployment copies.
        Assert.Empty(rules.Intersect(redis.Documented.OptionalRules));
    }

    /// <summary>
    /// Runs <see cref="RedisRoundTrip"/> (or, not <paramref name="full"/>, one task and one wait) as
    /// the connection string says, and returns what Redis refused meanwhile; a failure says it too.
    /// </summary>
    private async Task<IReadOnlyList<Refusal>> RoundTripAsync(string connectionString, bool full)
    {
        await redis.ForgetRefusalsAsync();
        try
        {
            await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
            {
                ConnectionString = connectionString,
                ApplicationName = RedisAclServer.ApplicationName,
            });
            if (full)
            {
                await RedisRoundTrip.RunAsync(storage);
            }
            else
            {
                await RedisRoundTrip.RunOneAsync(storage);
            }
        }
        catch (Exception e)
        {
            // A refused command often shows only as a task that never finishes: say what Redis refused.
            throw new InvalidOperationException($"{e.Message} Redis refused: {string.Join("; ", await redis.RefusalsAsync())}", e);
        }
        return await redis.RefusalsAsync();
    }

    private bool IsOptional(Refusal refusal) => refusal.Reason switch
    {
        "command" => redis.Documented.OptionalRules.Contains("+" + refusal.Object),
        "key" => redis.Documented.OptionalRules.Any(r => r.EndsWith("~" + refusal.Object, StringComparison.Ordinal)),
        "channel" => redis.Documented.OptionalRules.Contains("&" + refusal.Object),
        _ => false,
    };

    private static async Task AssertRefusedAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RedisServerException>(call);
        Assert.StartsWith("NOPERM", e.Message, StringComparison.Ordinal);
    }
}
