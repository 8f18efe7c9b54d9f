using Microsoft.Extensions.Time.Testing;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Scheduling;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>The periodic ticker, driven by a fake clock: which occurrences it enqueues, and how often.</summary>
public class PeriodicTickerTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static (TaskApp App, FakeTimeProvider Time) NewApp(DateTimeOffset? start = null)
    {
        var time = new FakeTimeProvider(start ?? Start);
        return (new TaskApp(new MemoryStorage(time), time), time);
    }

    /// <summary>A periodic descriptor for the zero-argument task <see cref="TestTasks.Zero"/>, under its registered name.</summary>
    private static TaskDescriptor Periodic(string cron, string? zone = null, MissedRunPolicy missed = MissedRunPolicy.Skip, string? name = null)
        => new(name ?? Zero.Name, null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker) { Periodic = new PeriodicSchedule(cron, zone, missed) };

    private static async Task<List<TaskMessage>> Queued(TaskApp app)
        => (await app.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 10_000)).Select(b => MessageCodec.Decode(b)).ToList();

    /// <summary>Advances the clock in steps, ticking every ticker at each step.</summary>
    private static async Task RunAsync(FakeTimeProvider time, TimeSpan duration, TimeSpan step, params PeriodicTicker[] tickers)
    {
        var end = time.GetUtcNow() + duration;
        while (time.GetUtcNow() < end)
        {
            time.Advance(step);
            foreach (var ticker in tickers) await ticker.TickAsync(default);
        }
    }

    [Fact]
    public async Task A_minute_schedule_fires_at_each_occurrence_and_not_before()
    {
        var (app, time) = NewApp(Start.AddSeconds(20));
        var ticker = new PeriodicTicker(app, [Periodic("*/5 * * * *")]);

        var (_, next) = await ticker.TickAsync(default);
        Assert.Equal(Start.AddMinutes(5), next);
        Assert.Empty(await Queued(app));

        time.Advance(TimeSpan.FromMinutes(4));
        await ticker.TickAsync(default);
        Assert.Empty(await Queued(app));

        time.Advance(TimeSpan.FromSeconds(40)); // 12:05:00 exactly
        (_, next) = await ticker.TickAsync(default);
        var fired = Assert.Single(await Queued(app));
        Assert.Equal(Zero.Name, fired.Name);
        Assert.Equal(Start.AddMinutes(5), fired.Eta);
        Assert.Equal(Start.AddMinutes(10), next);

        await ticker.TickAsync(default); // same instant again: nothing more
        Assert.Single(await Queued(app));
        Assert.Equal(Start.AddMinutes(5), await app.Storage.GetPeriodicLastFiredAsync(Zero.Name));
    }

    [Fact]
    public async Task A_seconds_schedule_fires_at_second_precision()
    {
        var (app, time) = NewApp();
        var ticker = new PeriodicTicker(app, [Periodic("*/2 * * * * *")]);
        await ticker.TickAsync(default);

        await RunAsync(time, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(250), ticker);

        var etas = (await Queued(app)).Select(m => m.Eta!.Value).ToList();
        Assert.Equal([2, 4, 6, 8, 10], etas.Select(e => (int)(e - Start).TotalSeconds));
    }

    [Fact]
    public async Task Three_tickers_on_one_storage_enqueue_each_occurrence_once()
    {
        var (app, time) = NewApp();
        PeriodicTicker[] tickers = [new(app, [Periodic("* * * * * *")]), new(app, [Periodic("* * * * * *")]), new(app, [Periodic("* * * * * *")])];
        foreach (var t in tickers) await t.TickAsync(default);

        await RunAsync(time, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), tickers);

        var etas = (await Queued(app)).Select(m => m.Eta!.Value).ToList();
        Assert.Equal(30, etas.Count);
        Assert.Equal(etas.Count, etas.Distinct().Count());
    }

    [Fact]
    public async Task A_ticker_that_wakes_late_fires_only_the_latest_missed_occurrence()
    {
        var (app, time) = NewApp();
        var ticker = new PeriodicTicker(app, [Periodic("*/5 * * * *")]);
        await ticker.TickAsync(default);

        time.Advance(TimeSpan.FromMinutes(17)); // 12:05, 12:10 and 12:15 passed while it slept
        var (_, next) = await ticker.TickAsync(default);

        var fired = Assert.Single(await Queued(app));
        Assert.Equal(Start.AddMinutes(15), fired.Eta);
        Assert.Equal(Start.AddMinutes(20), next);
    }

    [Fact]
    public async Task A_consumer_that_starts_after_downtime_skips_missed_occurrences_by_default()
    {
        var (app, time) = NewApp();
        var first = new PeriodicTicker(app, [Periodic("*/5 * * * *")]);
        await first.TickAsync(default);
        time.Advance(TimeSpan.FromMinutes(5));
        await first.TickAsync(default);
        Assert.Single(await Queued(app));

        time.Advance(TimeSpan.FromHours(2)); // every consumer was down
        var restarted = new PeriodicTicker(app, [Periodic("*/5 * * * *")]);
        await restarted.TickAsync(default);
        Assert.Single(await Queued(app));

        time.Advance(TimeSpan.FromMinutes(5));
        await restarted.TickAsync(default);
        Assert.Equal(2, (await Queued(app)).Count);
    }

    [Fact]
    public async Task RunOnce_policy_runs_one_catch_up_for_all_missed_occurrences_however_many_consumers_start()
    {
        var (app, time) = NewApp();
        var first = new PeriodicTicker(app, [Periodic("*/5 * * * *", missed: MissedRunPolicy.RunOnce)]);
        await first.TickAsync(default);
        time.Advance(TimeSpan.FromMinutes(5));
        await first.TickAsync(default);

        time.Advance(TimeSpan.FromMinutes(32)); // 12:37: six occurrences missed
        PeriodicTicker[] restarted = [new(app, [Periodic("*/5 * * * *", missed: MissedRunPolicy.RunOnce)]), new(app, [Periodic("*/5 * * * *", missed: MissedRunPolicy.RunOnce)])];
        foreach (var t in restarted) await t.TickAsync(default);

        var queued = await Queued(app);
        Assert.Equal(2, queued.Count);
        Assert.Equal(Start.AddMinutes(10), queued[1].Eta); // the first missed occurrence, run once

        time.Advance(TimeSpan.FromMinutes(3)); // 12:40 fires as usual
        foreach (var t in restarted) await t.TickAsync(default);
        Assert.Equal(3, (await Queued(app)).Count);
    }

    [Fact]
    public async Task RunOnce_policy_does_nothing_on_first_start()
    {
        var (app, _) = NewApp();
        await new PeriodicTicker(app, [Periodic("*/5 * * * *", missed: MissedRunPolicy.RunOnce)]).TickAsync(default);
        Assert.Empty(await Queued(app));
    }

    [Fact]
    public async Task Spring_forward_runs_a_time_in_the_gap_at_the_end_of_the_gap_in_its_time_zone()
    {
        // Europe/Berlin skips 02:00-03:00 local on 2026-03-29: 02:30 does not exist that day.
        var (app, time) = NewApp(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero));
        var ticker = new PeriodicTicker(app, [Periodic("30 2 * * *", "Europe/Berlin")]);
        await ticker.TickAsync(default);

        await RunAsync(time, TimeSpan.FromDays(3), TimeSpan.FromMinutes(1), ticker);

        var etas = (await Queued(app)).Select(m => m.Eta!.Value.ToUniversalTime()).ToList();
        Assert.Equal(
            [new DateTimeOffset(2026, 3, 28, 1, 30, 0, TimeSpan.Zero), // 02:30 CET
             new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero),  // 03:00 CEST, the end of the gap
             new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero)], // 02:30 CEST
            etas);
    }

    [Fact]
    public async Task Fall_back_runs_a_daily_time_once_and_an_interval_in_both_halves()
    {
        // Europe/Berlin repeats 02:00-03:00 local on 2026-10-25.
        var (app, time) = NewApp(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero));
        var daily = Periodic("30 2 * * *", "Europe/Berlin");
        var interval = Periodic("*/30 2 * * *", "Europe/Berlin", name: Echo.Name);
        var ticker = new PeriodicTicker(app, [daily, interval]);
        await ticker.TickAsync(default);

        await RunAsync(time, TimeSpan.FromHours(6), TimeSpan.FromMinutes(1), ticker);

        var queued = await Queued(app);
        var dailyRuns = queued.Where(m => m.Name == Zero.Name).Select(m => m.Eta!.Value.ToUniversalTime()).ToList();
        var intervalRuns = queued.Where(m => m.Name == Echo.Name).Select(m => m.Eta!.Value.ToUniversalTime()).ToList();
        Assert.Equal([new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero)], dailyRuns); // 02:30 CEST only
        Assert.Equal(4, intervalRuns.Count); // 02:00 and 02:30, once in CEST and once in CET
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 0, 0, TimeSpan.Zero), intervalRuns[0]);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), intervalRuns[^1]);
    }

    [Fact]
    public async Task A_revoked_periodic_task_is_skipped_when_it_runs_and_revoke_once_skips_one_occurrence()
    {
        var (app, time) = NewApp();
        var ticker = new PeriodicTicker(app, [Periodic("* * * * *")]);
        var executor = new TaskExecutor(app);
        await ticker.TickAsync(default);
        var seen = new List<TaskEventKind>();
        using var subscription = app.Events.Subscribe(e => { lock (seen) seen.Add(e.Kind); });
        await app.RevokeTaskAsync(Zero.Name, revokeOnce: true);

        for (int minute = 0; minute < 2; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await ticker.TickAsync(default);
            var batch = await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c", 10, TimeSpan.Zero);
            var taken = Assert.Single(batch.Messages);
            await app.Storage.CompleteAsync("c", [await executor.ExecuteAsync(taken, batch.RevocationsVersion, default)]);
        }

        lock (seen) Assert.Equal([TaskEventKind.Revoked, TaskEventKind.Started], seen.Where(k => k is TaskEventKind.Revoked or TaskEventKind.Started));
    }

    [Fact]
    public async Task A_periodic_task_whose_time_zone_is_unknown_here_is_left_out_not_fatal()
    {
        var (app, _) = NewApp();
        var ticker = new PeriodicTicker(app, [Periodic("* * * * *", "Mars/Olympus_Mons"), Periodic("* * * * *", name: Echo.Name)]);
        Assert.Equal([Echo.Name], ticker.Tasks.Select(t => t.Name));
    }

    [Fact]
    public async Task A_huey_style_crontab_made_in_code_drives_the_ticker()
    {
        var (app, time) = NewApp(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero)); // a Monday
        var crontab = new Crontab(dayOfWeek: "1-5", hour: "9-10", minute: "*/30");
        var task = new TaskDescriptor(Zero.Name, null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker) { Periodic = new PeriodicSchedule(crontab) };
        var ticker = new PeriodicTicker(app, [task]);
        await ticker.TickAsync(default);

        await RunAsync(time, TimeSpan.FromHours(4), TimeSpan.FromMinutes(1), ticker);

        var etas = (await Queued(app)).Select(m => m.Eta!.Value.ToUniversalTime().TimeOfDay).ToList();
        Assert.Equal([TimeSpan.FromHours(9), TimeSpan.FromHours(9.5), TimeSpan.FromHours(10), TimeSpan.FromHours(10.5)], etas);
        Assert.Equal("*/30 9-10 * * 1-5", task.Periodic!.Cron);
    }

    [Fact]
    public void WithPeriodic_makes_a_task_periodic_on_a_schedule_made_in_code_in_a_new_catalog()
    {
        var task = new TaskDescriptor("tests.periodic-in-code." + Guid.NewGuid().ToString("N"), null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker);
        var plain = TaskCatalog.Create([task, Echo.Descriptor]);
        var never = new Crontab(month: "2", day: "30"); // February 30th: periodic, never due

        var catalog = plain.WithPeriodic(task, never, MissedRunPolicy.RunOnce);

        Assert.True(catalog.TryGet(task.Name, out var periodic));
        Assert.Same(never, periodic.Periodic!.Schedule);
        Assert.Equal(MissedRunPolicy.RunOnce, periodic.Periodic.MissedRuns);
        Assert.Null(periodic.Periodic.GetNextOccurrence(DateTimeOffset.UtcNow));
        Assert.True(catalog.Contains(Echo.Name));
        Assert.True(plain.TryGet(task.Name, out var unchanged));
        Assert.Null(unchanged.Periodic);
        var impostor = new TaskDescriptor(task.Name, null, 0, TimeSpan.Zero, Echo.Descriptor.Invoker);
        Assert.Throws<ArgumentException>(() => catalog.WithPeriodic(impostor, never));
    }
}
