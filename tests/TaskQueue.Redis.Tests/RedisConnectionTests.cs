using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Configuration mistakes, outages and restarts.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConnectionTests(RedisServerFixture redis)
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_bad_connection_string_is_a_clear_error()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = "localhost:6379,nosuchoption=1",
            ApplicationName = "app",
        }));
        Assert.Contains("ConnectionString is not a valid StackExchange.Redis connection string", e.Message, StringComparison.Ordinal);
        Assert.Contains("nosuchoption", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("", "ConnectionString is empty")]
    [InlineData("   ", "ConnectionString is empty")]
    [InlineData("password=secret", "names no server")]
    public void A_connection_string_without_a_server_is_a_clear_error(string connectionString, string expected)
    {
        var options = new RedisStorageOptions { ConnectionString = connectionString };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a{b")]
    [InlineData("a}b")]
    public void An_application_name_that_would_break_the_hash_tag_is_rejected(string name)
    {
        var options = new RedisStorageOptions { ConnectionString = "localhost", ApplicationName = name };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("ApplicationName", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RedisStorage(redis.Connection, name));
    }

    [Fact]
    public void A_connection_string_and_a_configuration_together_are_rejected()
    {
        var options = new RedisStorageOptions { ConnectionString = "localhost", Configuration = ConfigurationOptions.Parse("localhost") };
        Assert.Contains("not both", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigureConnection_changes_the_configuration_after_the_storages_defaults()
    {
        bool? abortOnConnectFail = null;
        var options = new RedisStorageOptions
        {
            ConnectionString = "localhost",
            ConfigureConnection = c =>
            {
                abortOnConnectFail = c.AbortOnConnectFail;
                c.ClientName = "mine";
            },
        };
        var configuration = options.BuildConfiguration();
        Assert.False(abortOnConnectFail);
        Assert.Equal("mine", configuration.ClientName);
    }

    [Fact]
    public async Task With_redis_down_the_storage_starts_and_calls_fail_fast()
    {
        var clock = Stopwatch.StartNew();
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = $"127.0.0.1:{UnusedPort()},connectTimeout=500",
            ApplicationName = RedisServerFixture.NewApplicationName(),
        });
        clock.Restart();
        await Assert.ThrowsAsync<RedisConnectionException>(() => storage.EnqueueAsync("q", B("x")).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"failed after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task The_storage_reconnects_by_itself_after_redis_restarts()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = server.ConnectionString,
            ApplicationName = RedisServerFixture.NewApplicationName(),
        });
        await storage.EnqueueAsync("q", B("before"));
        await server.KillAsync();

        await Eventually.UntilAsync(async () =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await storage.EnqueueAsync("q", B("during"));
                return false;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"a call during the outage took {clock.ElapsedMilliseconds} ms to fail");
                return true;
            }
        }, "calls to fail while Redis is down");

        await server.StartAgainAsync();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await storage.EnqueueAsync("q", B("after"));
                return true;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                return false;
            }
        }, "the storage to reconnect");
        var batch = await storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(5));
        Assert.Equal("after", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Body.Span));

        // The waiting connection came back too.
        var take = storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
        await Eventually.UntilAsync(() => storage.WaitingTakes == 1, "a take to wait");
        await storage.EnqueueAsync("q", B("woken"));
        Assert.Single((await take.WaitAsync(TimeSpan.FromSeconds(5))).Messages);
    }

    [Fact]
    public async Task A_storage_does_not_close_a_connection_it_was_given()
    {
        var storage = new RedisStorage(redis.Connection, RedisServerFixture.NewApplicationName());
        await storage.EnqueueAsync("q", B("x"));
        await storage.FlushAsync();
        await storage.DisposeAsync();
        Assert.True(redis.Connection.IsConnected);
        await redis.Connection.GetDatabase().PingAsync();
    }

    [Fact]
    public async Task Scripts_run_again_after_redis_forgets_them()
    {
        await using var storage = redis.CreateStorage();
        await storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        Assert.Single((await storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero)).Messages);
        foreach (var endpoint in redis.Connection.GetEndPoints()) await redis.Connection.GetServer(endpoint).ScriptFlushAsync();
        Assert.Single((await storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero)).Messages);
        await storage.FlushAsync();
    }

    private static int UnusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
