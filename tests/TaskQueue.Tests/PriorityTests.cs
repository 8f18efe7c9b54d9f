using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using Xunit;

namespace TaskQueue.Tests;

/// <summary>Priorities from the attribute and from a call, through the generated stubs to a worker.</summary>
public sealed class PriorityTests
{
    [Fact]
    public async Task The_attribute_s_priority_and_a_call_s_priority_decide_the_order_workers_take_runs_in()
    {
        await using var app = new TaskApp(new MemoryStorage());
        Assert.Equal(5, Urgent.Descriptor.Priority);
        Assert.Equal(0, Echo.Descriptor.Priority);

        var plain = await Echo.With(app).EnqueueAsync("plain");
        var urgent = await Urgent.With(app).EnqueueAsync("urgent");
        var low = await Echo.With(app).EnqueueAsync("low", priority: -3);
        var higher = await Echo.With(app).EnqueueAsync("higher", priority: 7);
        var demoted = await Urgent.With(app).EnqueueAsync("demoted", priority: 0);

        Assert.Equal([higher.Id, urgent.Id, plain.Id, demoted.Id, low.Id], (await app.PendingAsync()).Select(m => m.Id));

        // One worker taking one at a time runs them in that order.
        var order = new List<string>();
        using var subscription = app.Events.Subscribe(e =>
        {
            if (e.Kind == TaskEventKind.Started) lock (order) order.Add(e.TaskId!);
        });
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 1, BatchSize = 1, TakeWait = TimeSpan.FromMilliseconds(50) });
        consumer.Start();
        Assert.Equal("low", await low.GetAsync(timeout: TimeSpan.FromSeconds(10)));
        await consumer.StopAsync();
        lock (order) Assert.Equal([higher.Id, urgent.Id, plain.Id, demoted.Id, low.Id], order);
    }

    [Fact]
    public async Task A_scheduled_run_keeps_its_priority_when_it_becomes_due()
    {
        await using var app = new TaskApp(new MemoryStorage());
        var now = DateTimeOffset.UtcNow;
        var plain = await Echo.With(app).EnqueueAsync("plain");
        var scheduled = await Echo.With(app).ScheduleAsync("scheduled", eta: now.AddSeconds(-1), priority: 2);
        await app.Storage.PromoteDueAsync(10);
        Assert.Equal([scheduled.Id, plain.Id], (await app.PendingAsync()).Select(m => m.Id));
    }
}
