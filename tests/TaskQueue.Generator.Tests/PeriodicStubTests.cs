using TaskQueue.Generator.Tests.Tasks;
using TaskQueue.Scheduling;

namespace TaskQueue.Generator.Tests;

/// <summary>The test assembly's own periodic tasks through their generated stubs: schedule, next run, registration, enqueue by hand.</summary>
public sealed class PeriodicStubTests
{
    [Fact]
    public void The_registered_descriptor_carries_the_schedule()
    {
        Assert.True(TaskCatalog.Registered.TryGet(Backup.Name, out var backup));
        Assert.Same(Backup.Descriptor, backup);
        Assert.Equal("0 3 * * *", backup.Periodic?.Cron);
        Assert.Equal("Europe/Berlin", backup.Periodic?.TimeZoneId);
        Assert.Equal(MissedRunPolicy.Skip, backup.Periodic?.MissedRuns);

        Assert.True(TaskCatalog.Registered.TryGet("tests.poll", out var poll));
        Assert.Equal("*/10 * * * * *", poll.Periodic?.Cron);
        Assert.Equal("UTC", poll.Periodic?.TimeZoneId);
        Assert.Equal(MissedRunPolicy.RunOnce, poll.Periodic?.MissedRuns);
        Assert.Equal(("polling", 1, TimeSpan.FromSeconds(2)), (poll.Queue, poll.Retries, poll.RetryDelay));
    }

    [Fact]
    public void Periodic_is_the_descriptors_schedule()
    {
        Assert.Same(Backup.Descriptor.Periodic, Backup.Periodic);
        Assert.Same(Poll.Descriptor.Periodic, Poll.Periodic);
        Assert.Equal("0 3 * * * (Europe/Berlin)", Backup.Periodic.ToString());
    }

    [Fact]
    public void Tasks_without_PeriodicTask_have_no_schedule()
        => Assert.Null(Echo.Descriptor.Periodic);

    [Fact]
    public void NextRun_reads_the_expression_in_its_time_zone_across_the_spring_forward()
    {
        // Berlin springs forward in the night to Sunday 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC),
        // so on the Saturday 03:00 is CET (02:00 UTC) and on the Sunday it is CEST (01:00 UTC).
        Assert.Equal(DateTimeOffset.Parse("2026-03-28T02:00:00Z"), Backup.NextRun(DateTimeOffset.Parse("2026-03-27T12:00:00Z")));
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z"), Backup.NextRun(DateTimeOffset.Parse("2026-03-28T12:00:00Z")));
        // Strictly after: an occurrence is not its own next run.
        Assert.Equal(DateTimeOffset.Parse("2026-03-30T01:00:00Z"), Backup.NextRun(DateTimeOffset.Parse("2026-03-29T01:00:00Z")));
        // And back to CET after the last Sunday of October.
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T02:00:00Z"), Backup.NextRun(DateTimeOffset.Parse("2026-10-24T12:00:00Z")));
    }

    [Fact]
    public void NextRun_of_a_six_field_schedule_has_second_precision_and_defaults_to_now()
    {
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T00:00:10Z"), Poll.NextRun(DateTimeOffset.Parse("2026-01-01T00:00:00Z")));
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T00:00:20Z"), Poll.NextRun(DateTimeOffset.Parse("2026-01-01T00:00:19.999Z")));

        var before = DateTimeOffset.UtcNow;
        var next = Poll.NextRun();
        Assert.NotNull(next);
        Assert.InRange(next.Value, before, DateTimeOffset.UtcNow.AddSeconds(10));
        Assert.Equal(0, next.Value.Second % 10);
    }

    [Fact]
    public async Task A_periodic_task_can_be_enqueued_by_hand()
    {
        await using var app = new TaskApp();
        using (app.MakeCurrent())
        {
            var run = Backup.Enqueue();

            var pending = Assert.Single(await app.PendingAsync());
            Assert.Equal((run.Id, Backup.Name), (pending.Id, pending.Name));
            Assert.Equal([0x90], pending.Arguments.ToArray()); // no arguments, as the ticker sends
        }
        var polled = await Poll.With(app).EnqueueAsync(retries: 0);
        Assert.Equal(polled.Id, Assert.Single(await app.PendingAsync("polling")).Id);
    }

    [Fact]
    public async Task A_periodic_task_enqueued_by_hand_runs_and_stores_no_result_as_in_huey()
    {
        await using var app = new TaskApp { Eager = true };
        int before = Volatile.Read(ref PeriodicSampleTasks.Backups);

        Backup.With(app).Enqueue();

        Assert.Equal(before + 1, Volatile.Read(ref PeriodicSampleTasks.Backups));
        Assert.False(Poll.With(app).Enqueue().TryGet(out _));
        Assert.Empty(await app.ResultsAsync());
    }

    [Fact]
    public async Task Revoking_a_periodic_task_acts_on_it_by_name()
    {
        await using var app = new TaskApp { Eager = true };
        var backup = Backup.With(app);
        int before = Volatile.Read(ref PeriodicSampleTasks.Backups);

        backup.Revoke(revokeOnce: true);
        Assert.True(app.IsTaskRevoked(Backup.Name));
        backup.Enqueue(); // skipped, and the one-time revocation is used up
        Assert.False(backup.IsRevoked());
        backup.Enqueue();

        Assert.Equal(before + 1, Volatile.Read(ref PeriodicSampleTasks.Backups));
    }
}
