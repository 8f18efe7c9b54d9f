using TaskQueue.Storage;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// The whole storage contract as the README's ACL user: every storage member sends only commands,
/// and touches only keys, that the documented ACL allows.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisAclStorageContractTests(RedisAclServer redis) : StorageContractTests, IClassFixture<RedisAclServer>
{
    // One application for every test (the user may touch no other); each test flushes it at the end.
    protected override Task<ITaskStorage> CreateStorageAsync() => Task.FromResult<ITaskStorage>(new RedisStorage(redis.User, RedisAclServer.ApplicationName));
}
