using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>The collection of tests that share <see cref="RedisServerFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Redis";
}
