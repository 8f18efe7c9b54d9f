using TaskQueue.Testing;

namespace TaskQueue.Worker.Tests;

/// <summary>Worker processes on the shared Redis Cluster, as on a single server.</summary>
[Collection(ClusterWorkerCollection.Name)]
public sealed class ClusterWorkerProcessTests(RedisClusterFixture cluster)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_worker_processes_drain_two_queues_on_a_cluster_running_every_task_exactly_once()
    {
        const int total = 3000, batch = 250;
        string[] queues = ["a", "b"];
        // The probe counts runs on the cluster too.
        await using var s = await Scenario.CreateAsync(cluster.ConnectionString, cluster.Connection);
        string[] arguments = ["-w", "2", "--no-periodic", "--queue", "a", "--queue", "b"];
        var w1 = await s.StartWorkerAsync(arguments);
        var w2 = await s.StartWorkerAsync(arguments);

        // Batches alternate between the queues while the workers drain them.
        for (int start = 0; start < total; start += batch)
        {
            var queue = queues[start / batch % queues.Length];
            await s.App.EnqueueManyAsync(CountOnQueue.Descriptor(queue), Enumerable.Range(start, batch).Select(CountOnQueue.Arguments));
        }
        await Eventually.UntilAsync(async () => await s.Db.HashLengthAsync(s.Key("counts")) == total, $"all {total} tasks to run", Long);
        await Eventually.UntilAsync(async () => await s.App.Storage.InFlightCountAsync() == 0, "the last acknowledgements");

        var counts = await s.Db.HashGetAllAsync(s.Key("counts"));
        Assert.Equal(total, counts.Length);
        Assert.Empty(counts.Where(c => (int)c.Value != 1).Select(c => $"task {c.Name} ran {c.Value} times"));
        var left = await s.App.Storage.CountAsync(queues);
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (left.QueueLengths[0], left.QueueLengths[1], left.Scheduled, left.InFlight, left.DeadLetters));
        foreach (var worker in new[] { w1, w2 })
        {
            Assert.False(worker.HasExited, worker.Dump());
            Assert.DoesNotContain(worker.Output, l => l.Contains("fail:", StringComparison.Ordinal));
        }
    }
}
