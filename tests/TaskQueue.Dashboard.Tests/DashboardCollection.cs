using TaskQueue.Dashboard.Tests.Browser;
using TaskQueue.Testing;

// The browser tests time what a worker does; the HTTP tests would only compete with them for two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace TaskQueue.Dashboard.Tests;

/// <summary>
/// The browser tests: one Chromium and one Redis for all of them. Each starts its own server, which
/// sets the process-wide <see cref="TaskApp.Default"/>, so they run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<RedisServerFixture>, ICollectionFixture<ChromiumFixture>
{
    public const string Name = "browser";
}
