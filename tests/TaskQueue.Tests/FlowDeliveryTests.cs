using TaskQueue.Execution;
using TaskQueue.FlowScenarios;
using TaskQueue.Messages;

namespace TaskQueue.Tests;

/// <summary>
/// What follows a run is sent once, also when the run is run again: a worker that died after sending and before
/// settling has the run handed back, and its second run must not send the next step or the chord's callback again.
/// </summary>
public sealed class FlowDeliveryTests
{
    [Fact]
    public async Task A_step_run_twice_sends_the_next_step_once()
    {
        var app = TestApps.Memory();
        await Add.S(1, 2).Then(FlowScenarios.Double.Step()).EnqueueAsync(app);
        var taken = Assert.Single((await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c1", 10, TimeSpan.Zero)).Messages);
        var executor = new TaskExecutor(app);

        await executor.ExecuteAsync(taken, checkRevocations: false, CancellationToken.None);
        await executor.ExecuteAsync(taken, checkRevocations: false, CancellationToken.None);

        var pending = await app.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 10);
        var next = MessageCodec.Decode(Assert.Single(pending));
        Assert.Equal(FlowScenarios.Double.Name, next.Name);
    }

    [Fact]
    public async Task A_chord_member_run_twice_sends_the_callback_once_and_only_after_the_last_member()
    {
        var app = TestApps.Memory();
        string key = FlowLog.NewKey();
        var chord = await TaskGroup.Of(Add.S(1, 1), Add.S(2, 2)).Then(Total.Step(key)).EnqueueAsync(app);
        var members = (await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c1", 10, TimeSpan.Zero)).Messages;
        Assert.Equal(2, members.Count);
        var executor = new TaskExecutor(app);

        await executor.ExecuteAsync(members[1], checkRevocations: false, CancellationToken.None);
        await executor.ExecuteAsync(members[1], checkRevocations: false, CancellationToken.None);
        Assert.Empty(await app.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 10));

        await executor.ExecuteAsync(members[0], checkRevocations: false, CancellationToken.None);
        await executor.ExecuteAsync(members[0], checkRevocations: false, CancellationToken.None);
        await executor.ExecuteAsync(members[1], checkRevocations: false, CancellationToken.None);

        var callback = MessageCodec.Decode(Assert.Single(await app.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 10)));
        Assert.Equal(chord.Result.Id, callback.Id);
        Assert.Equal(Total.Name, callback.Name);
    }

    [Fact]
    public async Task A_pipeline_runs_inline_in_eager_mode()
    {
        var app = new TaskApp { Eager = true };
        string key = FlowLog.NewKey();

        var run = await Add.S(2, 3).Then(FlowScenarios.Double.Step()).EnqueueAsync(app);
        var chord = await FlowScenarios.Double.Map([1, 2, 3]).Then(Total.Step(key)).EnqueueAsync(app);

        Assert.Equal(10, await run.GetAsync(TimeSpan.Zero));
        Assert.Equal(12, await chord.GetAsync(TimeSpan.Zero));
        Assert.Equal(["total 2,4,6"], FlowLog.Of(key));
    }

    [Fact]
    public void A_group_needs_members_and_takes_no_steps()
    {
        Assert.Throws<ArgumentException>(() => TaskGroup.Of<int>([]));
        Assert.Throws<ArgumentException>(() => TaskGroup.OfAny(FlowScenarios.Double.Step()));
    }
}
