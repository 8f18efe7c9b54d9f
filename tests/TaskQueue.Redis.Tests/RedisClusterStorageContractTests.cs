using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>The whole storage contract, against a Redis Cluster of three primaries and three replicas.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterStorageContractTests(RedisClusterFixture cluster) : StorageContractTests
{
    protected override Task<ITaskStorage> CreateStorageAsync() => Task.FromResult<ITaskStorage>(cluster.CreateStorage());
}
