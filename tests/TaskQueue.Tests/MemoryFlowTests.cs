using TaskQueue.FlowScenarios;

namespace TaskQueue.Tests;

/// <summary>The flow scenarios on the in-memory storage.</summary>
public sealed class MemoryFlowTests : FlowScenarioTests
{
    protected override TaskApp CreateApp() => TestApps.Memory();
}
