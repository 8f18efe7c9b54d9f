using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>The whole storage contract, against Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStorageContractTests(RedisServerFixture redis) : StorageContractTests
{
    protected override Task<ITaskStorage> CreateStorageAsync() => Task.FromResult<ITaskStorage>(redis.CreateStorage());
}
