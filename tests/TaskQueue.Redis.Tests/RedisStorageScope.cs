using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>A test class with a storage of its own application on the shared Redis, flushed and disposed after each test.</summary>
public abstract class RedisStorageScope(RedisServerFixture redis) : IAsyncLifetime
{
    /// <summary>The storage of this test's application.</summary>
    protected RedisStorage Storage { get; } = redis.CreateStorage();

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Storage.FlushAsync();
        await Storage.DisposeAsync();
    }
}
