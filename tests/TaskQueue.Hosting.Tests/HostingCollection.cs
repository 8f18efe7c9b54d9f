using TaskQueue.Testing;

namespace TaskQueue.Hosting.Tests;

/// <summary>
/// Every test here starts a host, which sets the process-wide <see cref="TaskApp.Default"/>: they run
/// one at a time, on the Redis of <see cref="RedisServerFixture"/>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostingCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "hosting";
}
