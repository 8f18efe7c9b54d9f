using TaskQueue.Testing;
using Xunit;

// The cluster tests have a collection of their own (its fixture, the cluster, is needed by them
// only); the two collections take turns, as the tests of one collection do: several tests time
// Redis round trips, and on a 2-core machine a second collection running beside them would show.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace TaskQueue.Redis.Tests;

/// <summary>The collection of tests that share <see cref="RedisClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Redis Cluster";
}
