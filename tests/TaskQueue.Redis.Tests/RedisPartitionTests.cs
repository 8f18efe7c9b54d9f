using System.Globalization;
using System.Text;
using StackExchange.Redis;
using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>A queue split into partitions, on one server and on a cluster.</summary>
public abstract class RedisPartitionTests(IConnectionMultiplexer connection) : IAsyncLifetime
{
    private readonly RedisStorage storage = new(connection, Options());

    private static RedisStorageOptions Options()
    {
        var options = new RedisStorageOptions { ApplicationName = RedisServerFixture.NewApplicationName() };
        options.Partitions["orders"] = 3;
        return options;
    }

    private static byte[] B(int n) => Encoding.UTF8.GetBytes(n.ToString(CultureInfo.InvariantCulture));

    private static int N(ReadOnlyMemory<byte> body) => int.Parse(Encoding.UTF8.GetString(body.Span), CultureInfo.InvariantCulture);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    [Fact]
    public async Task Sends_spread_over_the_partitions_and_a_take_on_the_queue_serves_all_of_them_each_in_order()
    {
        for (int n = 0; n < 30; n++) await storage.EnqueueAsync("orders", B(n));

        var db = connection.GetDatabase();
        var lengths = await Task.WhenAll(new[] { "orders", "orders#1", "orders#2" }.Select(p => db.ListLengthAsync(storage.Keys.Queue(p))));
        Assert.Equal([10L, 10L, 10L], lengths);
        Assert.Equal(30, await storage.QueueLengthAsync("orders"));
        Assert.Equal(30, (await storage.PendingAsync("orders", 100)).Count);

        var taken = new List<TakenMessage>();
        while (true)
        {
            var batch = await storage.TakeAsync(["orders"], "c1", 4, TimeSpan.Zero);
            if (batch.Messages.Count == 0) break;
            taken.AddRange(batch.Messages);
        }
        Assert.Equal(Enumerable.Range(0, 30), taken.Select(m => N(m.Body)).Order());
        Assert.All(taken, m => Assert.Equal("orders", m.Queue));
        // Within a partition, first in, first out: the sends of one partition are n, n + 3, n + 6, ...
        foreach (var partition in taken.GroupBy(m => N(m.Body) % 3))
        {
            var order = partition.Select(m => N(m.Body)).ToList();
            Assert.Equal(order.Order(), order);
        }
        Assert.Equal(30, await storage.InFlightCountAsync());
        Assert.All(await storage.InFlightAsync("c1"), m => Assert.Equal("orders", m.Queue));
        await storage.CompleteAsync("c1", [.. taken.Select(Completion.Ack)]);
        Assert.Equal(0, await storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_retry_and_a_hand_back_stay_in_their_partition_and_a_worker_without_the_option_can_drain_one_by_name()
    {
        for (int n = 0; n < 3; n++) await storage.EnqueueAsync("orders", B(n));
        var taken = (await storage.TakeAsync(["orders"], "c1", 1, TimeSpan.Zero)).Messages.Single();
        string partition = RedisStorage.PartitionOfReceipt(taken.Receipt)!;
        await storage.CompleteAsync("c1", [Completion.Retry(taken, B(100 + N(taken.Body)), TimeSpan.Zero)]);
        Assert.Equal(1, await connection.GetDatabase().ListLengthAsync(storage.Keys.Queue(partition)));

        // Another process that was not told about the partitions still reaches one by its name.
        await using var plain = new RedisStorage(connection, storage.Keys.ApplicationName);
        var byName = (await plain.TakeAsync([partition], "c2", 10, TimeSpan.Zero)).Messages.Single();
        Assert.Equal(100 + N(taken.Body), N(byName.Body));
        await plain.CompleteAsync("c2", [Completion.Ack(byName)]);
        Assert.Equal(2, await storage.QueueLengthAsync("orders"));
    }

    [Fact]
    public void Partitions_outside_1_to_1024_are_refused_with_the_queue_named()
    {
        var options = new RedisStorageOptions { ApplicationName = "x", ConnectionString = "localhost" };
        options.Partitions["orders"] = 0;
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("'orders'", e.Message, StringComparison.Ordinal);
    }
}

/// <summary><see cref="RedisPartitionTests"/> on one server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisServerPartitionTests(RedisServerFixture redis) : RedisPartitionTests(redis.Connection);

/// <summary><see cref="RedisPartitionTests"/> on a Redis Cluster, where each partition is a slot of its own.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterPartitionTests(RedisClusterFixture cluster) : RedisPartitionTests(cluster.Connection);
