using System.Diagnostics;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Client calls whose outcome the client cannot know: a stall past its timeout, a reply lost with the connection.</summary>
public sealed class RedisStallTests
{
    [Fact]
    public async Task An_enqueue_whose_reply_was_lost_with_the_connection_is_retried_and_stored_once()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var proxy = new ReplyDroppingProxy(server.Port);
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = proxy.ConnectionString, ApplicationName = "lost" });
        await using var app = new TaskApp(storage) { StorageRetryTime = TimeSpan.FromSeconds(30) };
        var first = await Note.With(app).EnqueueAsync("before"); // the script is loaded first

        proxy.LoseReplyTo("the-lost-reply");
        var second = await Note.With(app).EnqueueAsync("the-lost-reply");
        Assert.Equal(1, proxy.Dropped);

        using var direct = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        Assert.Equal(2, await direct.GetDatabase().ListLengthAsync("{tq:lost:q:default}:ready"));
        Assert.Equal([first.Id, second.Id], (await app.PendingAsync()).Select(m => m.Id));
    }

    [Fact]
    public async Task An_enqueue_that_times_out_while_redis_stalls_returns_when_redis_resumes_and_is_stored_once()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = server.ConnectionString + ",asyncTimeout=200,syncTimeout=200",
            ApplicationName = "stall",
        });
        await using var app = new TaskApp(storage) { StorageRetryTime = TimeSpan.FromSeconds(30) };
        using var admin = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
        var first = await Sum.With(app).EnqueueAsync(0, 0); // the script is loaded before the stall

        // Redis holds every write for 2.5 s: the enqueue times out (the client checks its timeouts
        // about once a second) and is tried again; every try runs when the pause ends, in order.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2500", "WRITE");
        var clock = Stopwatch.StartNew();
        var second = await Sum.With(app).EnqueueAsync(1, 2);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2), $"the enqueue returned after {clock.ElapsedMilliseconds} ms: it did not meet the stall");

        var pending = await app.PendingAsync();
        Assert.Equal([first.Id, second.Id], pending.Select(m => m.Id));
    }
}
