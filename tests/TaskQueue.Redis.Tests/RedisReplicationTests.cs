using System.Diagnostics;
using System.Text;
using StackExchange.Redis;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>Sends that wait for replicas (<see cref="RedisStorageOptions.ReplicasToAcknowledge"/>).</summary>
public sealed class RedisReplicationTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_send_returns_once_the_replica_has_it_and_times_out_clearly_when_no_replica_answers()
    {
        await using var primary = await RedisServerProcess.StartAsync();
        await using var replica = await RedisServerProcess.StartAsync("--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var replicaConnection = await ConnectionMultiplexer.ConnectAsync(replica.ConnectionString + ",allowAdmin=true");
        // Commands sent to the replica itself (a multiplexer would send reads to the primary it finds).
        var onReplica = replicaConnection.GetServer(replicaConnection.GetEndPoints()[0]);
        await Eventually.UntilAsync(async () => ((string)(await onReplica.ExecuteAsync("INFO", "replication"))!).Contains("master_link_status:up"), "the replica to sync");

        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
        {
            ConnectionString = primary.ConnectionString,
            ApplicationName = "replicated",
            ReplicasToAcknowledge = 1,
            ReplicaWaitTimeout = TimeSpan.FromMilliseconds(500),
        });
        // Every send has reached the replica when it returns: no wait on the replica's side.
        for (int i = 0; i < 20; i++)
        {
            await storage.EnqueueAsync("q", B("m" + i), new Storage.SendId("p", i + 1));
            Assert.Equal(i + 1, (long)await onReplica.ExecuteAsync("LLEN", storage.Keys.Queue("q")));
        }
        await storage.ScheduleAsync("q", B("later"), DateTimeOffset.UtcNow.AddHours(1), new Storage.SendId("p", 100));
        Assert.Equal(1, (long)await onReplica.ExecuteAsync("ZCARD", storage.Keys.Of("q").Schedule));

        await replica.KillAsync();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RedisReplicationTimeoutException>(() => storage.EnqueueAsync("q", B("lonely"), new Storage.SendId("p", 200)).AsTask());
        Assert.Equal((1, 0L), (e.Required, e.Acknowledged));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
        Assert.Contains("on 0 of the 1 replicas", e.Message, StringComparison.Ordinal);
        Assert.True(storage.IsTransientFailure(e));

        // Through an app, the send is retried for StorageRetryTime, once stored, then reported.
        await using var app = new TaskApp(storage) { StorageRetryTime = TimeSpan.FromSeconds(1) };
        var failed = await Assert.ThrowsAsync<TaskStorageUnavailableException>(() => Twice.With(app).EnqueueAsync(1).AsTask());
        Assert.True(failed.Attempts > 1, $"{failed.Attempts} attempts");
        // On the primary: the 20, the lonely one, and the app's send once however often it was tried.
        Assert.Equal(22, await storage.QueueLengthAsync("default") + await storage.QueueLengthAsync("q"));
    }

    [Fact]
    public void A_negative_count_or_an_unbounded_wait_is_refused()
    {
        Assert.Contains("ReplicasToAcknowledge", Assert.Throws<ArgumentException>(
            () => new RedisStorageOptions { ConnectionString = "localhost", ReplicasToAcknowledge = -1 }.Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("ReplicaWaitTimeout", Assert.Throws<ArgumentException>(
            () => new RedisStorageOptions { ConnectionString = "localhost", ReplicasToAcknowledge = 1, ReplicaWaitTimeout = TimeSpan.Zero }.Validate()).Message, StringComparison.Ordinal);
    }
}
