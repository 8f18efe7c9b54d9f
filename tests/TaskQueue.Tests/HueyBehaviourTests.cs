using TaskQueue.Consumer;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>Behaviours huey's own test suite checks, where this library used to differ.</summary>
public sealed class HueyBehaviourTests
{
    [Fact]
    public async Task A_handle_reports_revoked_while_its_task_is_revoked_as_a_whole()
    {
        var app = TestApps.Memory();
        Add.With(app).Revoke();

        var result = Add.With(app).Enqueue(1, 1);

        Assert.True(result.IsRevoked());
        Assert.True(Add.With(app).Restore());
        Assert.False(result.IsRevoked());
        Add.With(app).Revoke(revokeOnce: true);
        Assert.True(await Add.With(app).Enqueue(2, 2).IsRevokedAsync());
    }

    [Fact]
    public async Task A_task_is_revoked_at_a_time_before_an_end_the_clock_has_passed()
    {
        var (app, time) = TestApps.WithFakeTime();
        var until = time.GetUtcNow().AddMinutes(5);
        await app.RevokeTaskAsync(Add.Name, revokeUntil: until);

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.False(await app.IsTaskRevokedAsync(Add.Name));
        Assert.True(await app.IsTaskRevokedAsync(Add.Name, at: until.AddMinutes(-1)));
        Assert.False(await app.IsTaskRevokedAsync(Add.Name, at: until));
        Assert.False(await app.RestoreTaskAsync(Add.Name)); // nothing applied any more to restore
    }

    [Fact]
    public async Task A_periodic_task_stores_no_result()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, TestApps.FastOptions());
        consumer.Start();

        var run = await PeriodicAnswer.With(app).EnqueueAsync();
        await Eventually.UntilAsync(() => PeriodicTasks.Runs.ContainsKey(run.Id), "the periodic task to run");
        await consumer.StopAsync();

        Assert.Empty(await app.ResultsAsync());
    }
}
