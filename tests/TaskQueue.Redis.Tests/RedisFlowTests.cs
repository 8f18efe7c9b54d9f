using TaskQueue.FlowScenarios;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.Redis.Tests;

/// <summary>The flow scenarios on a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFlowTests(RedisServerFixture redis) : FlowScenarioTests
{
    protected override TaskApp CreateApp() => new(redis.CreateStorage());
}

/// <summary>The flow scenarios on a Redis Cluster: a pipeline's steps and a chord's members cross queues' slots and the app's.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterFlowTests(RedisClusterFixture cluster) : FlowScenarioTests
{
    protected override TaskApp CreateApp() => new(cluster.CreateStorage());
}
