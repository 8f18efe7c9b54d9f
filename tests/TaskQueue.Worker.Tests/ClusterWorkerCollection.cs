using TaskQueue.Testing;

// Worker-process tests start processes and Redis servers: the cluster's collection and the single
// server's take turns rather than share a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace TaskQueue.Worker.Tests;

/// <summary>The worker-process tests that share <see cref="RedisClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterWorkerCollection : ICollectionFixture<RedisClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "worker processes on a Redis Cluster";
}
