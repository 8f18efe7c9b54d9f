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
