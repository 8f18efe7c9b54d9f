using System.Text.Json.Nodes;
using MessagePack;
using Microsoft.Extensions.Time.Testing;
using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Serialization;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;

namespace TaskQueue.Tests;

/// <summary>sisy-style recurring tasks: records, their management, and the runner driven by a fake clock.</summary>
public class RecurringTaskTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class Fixture
    {
        public Fixture(DateTimeOffset? start = null)
        {
            Time = new FakeTimeProvider(start ?? Start);
            App = new TaskApp(new MemoryStorage(Time), Time);
            Runner = new RecurringRunner(App, TimeSpan.FromSeconds(30)) { UnknownTaskGrace = TimeSpan.FromMinutes(1) };
            Executor = new TaskExecutor(App) { RecurringLockTtl = TimeSpan.FromSeconds(30) };
        }

        public FakeTimeProvider Time { get; }
        public TaskApp App { get; }
        public RecurringRunner Runner { get; }
        public TaskExecutor Executor { get; }
        public string Key { get; } = Counters.NewKey();
        public byte[] Args => KeyArgs(Key);

        public RecurringTask Make(string? schedule = null, string? label = null, int iterations = 0, bool allowOverlap = true, bool waitForSchedule = true,
            DateTimeOffset? startRunning = null, DateTimeOffset? endRunning = null, string? timeZone = null, JsonObject? userdata = null)
            => App.Recurring.Create(Remember.Descriptor, Args, schedule, label, timeZone, userdata, true, startRunning, endRunning, waitForSchedule, iterations, allowOverlap);

        /// <summary>Advances the clock in steps; at each step runs due records and everything queued.</summary>
        public async Task RunAsync(TimeSpan duration, TimeSpan step, bool execute = true)
        {
            var end = Time.GetUtcNow() + duration;
            while (Time.GetUtcNow() < end)
            {
                Time.Advance(step);
                await Runner.RunDueAsync(default);
                if (execute) await DrainAsync();
            }
        }

        public async Task DrainAsync()
        {
            while (true)
            {
                var batch = await App.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c", 100, TimeSpan.Zero);
                if (batch.Messages.Count == 0) return;
                var done = new List<Completion>();
                foreach (var m in batch.Messages) done.Add(await Executor.ExecuteAsync(m, batch.RevocationsVersion, default));
                await App.Storage.CompleteAsync("c", done);
            }
        }

        public async Task<List<TaskMessage>> QueuedAsync()
            => (await App.Storage.PendingAsync(TaskDescriptor.DefaultQueue, 1000)).Select(b => MessageCodec.Decode(b)).ToList();
    }

    private static byte[] KeyArgs(string key) => PayloadBuffer.Encode(key, static (ref MessagePackWriter w, string k) =>
    {
        w.WriteArrayHeader(1);
        w.Write(k);
    });

    [Fact]
    public async Task A_made_record_is_inactive_until_saved_then_runs_on_its_schedule()
    {
        var f = new Fixture(Start.AddSeconds(3));
        var record = f.Make("*/10 * * * * *", label: "beans");
        Assert.False(record.IsSaved);
        Assert.Null(record.NextRun);
        await f.RunAsync(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
        Assert.Equal(0, Counters.Get(f.Key));

        await record.SaveAsync();
        Assert.True(record.IsSaved);
        Assert.Equal(Start.AddSeconds(30), record.NextRun);
        Assert.Equal(f.Time.GetUtcNow(), record.CreatedAt);

        await f.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        Assert.Equal(3, Counters.Get(f.Key)); // :30, :40, :50

        var stored = await f.App.Recurring.FindAsync("beans");
        Assert.NotNull(stored);
        Assert.Equal(3, stored.RunCount);
        Assert.Equal(Start.AddSeconds(50), stored.LastRun);
        Assert.Equal(Start.AddSeconds(60), stored.NextRun);
    }

    [Fact]
    public async Task Iterations_count_down_and_the_record_ends_when_they_are_spent()
    {
        var f = new Fixture();
        var record = f.Make("* * * * *", iterations: 3);
        await record.SaveAsync();

        await f.RunAsync(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(15));

        Assert.Equal(3, Counters.Get(f.Key));
        await record.ReloadAsync();
        Assert.True(record.IsSpent);
        Assert.Null(record.NextRun);
        Assert.Equal(Start.AddMinutes(3), record.LastRun);
    }

    [Fact]
    public async Task Wait_for_schedule_false_runs_once_at_once_then_keeps_the_schedule()
    {
        var f = new Fixture(Start.AddSeconds(5));
        await f.Make("0 * * * *", waitForSchedule: false).SaveAsync();

        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(1, Counters.Get(f.Key));
        var record = Assert.Single(await f.App.Recurring.ListAsync());
        Assert.Equal(Start.AddHours(1), record.NextRun);
    }

    [Fact]
    public async Task The_window_is_respected_at_both_ends()
    {
        var f = new Fixture();
        var record = f.Make("*/10 * * * *", startRunning: Start.AddHours(1), endRunning: Start.AddHours(2));
        await record.SaveAsync();
        Assert.Equal(Start.AddHours(1), record.NextRun); // an occurrence on the start itself counts

        await f.RunAsync(TimeSpan.FromHours(4), TimeSpan.FromMinutes(1));

        Assert.Equal(7, Counters.Get(f.Key)); // 13:00, 13:10 ... 14:00
        await record.ReloadAsync();
        Assert.Equal(Start.AddHours(2), record.LastRun);
        Assert.Null(record.NextRun);
    }

    [Fact]
    public async Task Next_run_is_computed_in_the_records_time_zone_across_a_DST_change()
    {
        var f = new Fixture(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero));
        var record = f.Make("0 9 * * *", timeZone: "Europe/Berlin");
        await record.SaveAsync();
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), record.NextRun); // 09:00 CET

        await f.RunAsync(TimeSpan.FromDays(1), TimeSpan.FromMinutes(30));
        await record.ReloadAsync();
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 7, 0, 0, TimeSpan.Zero), record.NextRun); // 09:00 CEST
        Assert.Equal(1, Counters.Get(f.Key));
    }

    [Fact]
    public async Task Missed_occurrences_are_run_once_not_in_a_burst()
    {
        var f = new Fixture();
        var record = f.Make("* * * * *");
        await record.SaveAsync();

        f.Time.Advance(TimeSpan.FromMinutes(30)); // no consumer for half an hour
        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.Equal(1, Counters.Get(f.Key));
        await record.ReloadAsync();
        Assert.Equal(Start.AddMinutes(31), record.NextRun);
    }

    [Fact]
    public async Task Userdata_and_the_record_id_reach_the_task_through_its_context()
    {
        var f = new Fixture();
        var record = f.Make("* * * * *", userdata: new JsonObject { ["n"] = 42, ["who"] = "beans" });
        await record.SaveAsync();

        await f.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));

        var (json, recurringId, n) = TestTasks.Seen[f.Key];
        Assert.Equal(42, n);
        Assert.Equal("beans", JsonNode.Parse(json!)!["who"]!.GetValue<string>());
        Assert.Equal(record.Id, recurringId);
    }

    [Fact]
    public async Task Without_overlap_an_occurrence_is_skipped_while_the_last_run_is_queued_or_running()
    {
        var f = new Fixture();
        var record = f.Make("* * * * * *", allowOverlap: false);
        await record.SaveAsync();

        await f.RunAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), execute: false); // nothing runs the first one
        var queued = Assert.Single(await f.QueuedAsync());
        Assert.True(queued.Exclusive);
        await record.ReloadAsync();
        Assert.True(record.Busy);
        Assert.False(record.Running); // queued, not running
        Assert.Equal(1, record.RunCount);

        await f.DrainAsync(); // the run finishes and frees the record
        await record.ReloadAsync();
        Assert.False(record.Busy);
        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal(2, Counters.Get(f.Key));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Running_is_true_exactly_while_a_worker_runs_the_record_and_busy_while_a_no_overlap_run_is_queued_or_running(bool allowOverlap)
    {
        var f = new Fixture();
        var record = f.App.Recurring.Create(Held.Descriptor, f.Args, "* * * * * *", allowOverlap: allowOverlap, iterations: 1);
        await record.SaveAsync();
        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), execute: false);
        Assert.Single(await f.QueuedAsync());
        await record.ReloadAsync();
        Assert.Equal((false, !allowOverlap), (record.Running, record.Busy)); // queued: nobody runs it

        var batch = await f.App.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c", 1, TimeSpan.Zero);
        var run = f.Executor.ExecuteAsync(Assert.Single(batch.Messages), batch.RevocationsVersion, default).AsTask();
        await Gates.Entered(f.Key).WaitAsync(TestApps.Wait);
        await record.ReloadAsync();
        Assert.Equal((true, !allowOverlap), (record.Running, record.Busy));
        Assert.True((await f.App.Recurring.ListAsync()).Single(r => r.Id == record.Id).Running);

        Gates.Release(f.Key);
        await f.App.Storage.CompleteAsync("c", [await run.WaitAsync(TestApps.Wait)]);
        await record.ReloadAsync();
        Assert.Equal((false, false), (record.Running, record.Busy));
    }

    [Fact]
    public async Task A_crashed_run_blocks_its_record_only_until_its_lock_expires()
    {
        var f = new Fixture();
        var record = f.Make("* * * * * *", allowOverlap: false);
        await record.SaveAsync();
        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), execute: false);
        // A consumer takes the run and dies without settling it: the run's lock is all that is left.
        Assert.Single((await f.App.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "dead", 10, TimeSpan.Zero)).Messages);

        await f.RunAsync(TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(1));
        await record.ReloadAsync();
        Assert.True(record.Busy);
        Assert.Equal(1, record.RunCount);
        Assert.Equal(0, Counters.Get(f.Key));

        await f.RunAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)); // at 0:31 the lock (taken at 0:01 for 30 s) has expired
        Assert.Equal(1, Counters.Get(f.Key));
        await record.ReloadAsync();
        Assert.Equal(2, record.RunCount);
    }

    [Fact]
    public async Task A_run_that_finds_another_holding_the_lock_is_skipped_at_the_consumer()
    {
        var f = new Fixture();
        var record = f.Make("* * * * * *", allowOverlap: false);
        await record.SaveAsync();
        await f.RunAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), execute: false);
        var queued = Assert.Single(await f.QueuedAsync());
        // Its lock expired while it waited in the queue, and another run took the record meanwhile.
        f.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await f.App.Storage.AcquireLockAsync(RecurringTasks.LockName(record.Id), "another-run", TimeSpan.FromSeconds(30)));
        var skipped = new List<TaskEvent>();
        using var subscription = f.App.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Skipped) lock (skipped) skipped.Add(e); });

        await f.DrainAsync();

        Assert.Equal(0, Counters.Get(f.Key));
        lock (skipped) Assert.Equal(queued.Id, Assert.Single(skipped).TaskId);
        Assert.Equal("another-run", await f.App.Storage.GetLockOwnerAsync(RecurringTasks.LockName(record.Id)));
    }

    [Fact]
    public async Task A_record_whose_task_is_unknown_is_left_for_other_workers_then_reported_and_disabled()
    {
        var f = new Fixture();
        var ghost = new TaskDescriptor("tests.no-such-task", null, 0, TimeSpan.Zero, Zero.Descriptor.Invoker);
        var record = f.App.Recurring.Create(ghost, new byte[] { 0x90 }, "* * * * * *");
        await record.SaveAsync();
        var reports = new List<TaskEvent>();
        using var subscription = f.App.Events.Subscribe(e => { if (e.Kind == TaskEventKind.RecurringDisabled) lock (reports) reports.Add(e); });

        await f.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        await record.ReloadAsync();
        Assert.True(record.Enabled);
        lock (reports) Assert.Empty(reports);

        await f.RunAsync(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(1));
        await record.ReloadAsync();
        Assert.False(record.Enabled);
        Assert.Null(record.NextRun);
        Assert.Empty(await f.QueuedAsync());
        lock (reports) Assert.Contains("tests.no-such-task", Assert.Single(reports).Error);
    }

    [Theory]
    [InlineData("*/5 * * *", "schedule", "not a valid cron expression")]
    [InlineData("61 * * * *", "schedule", "not a valid cron expression")]
    [InlineData("", "schedule", "needs a cron schedule")]
    public void An_invalid_schedule_is_rejected_when_the_record_is_made(string schedule, string param, string reason)
    {
        var f = new Fixture();
        var e = Assert.ThrowsAny<ArgumentException>(() => f.Make(schedule));
        Assert.Equal(param, e.ParamName);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void An_unknown_time_zone_or_bad_iterations_are_rejected_when_the_record_is_made()
    {
        var f = new Fixture();
        Assert.Equal("timeZone", Assert.ThrowsAny<ArgumentException>(() => f.Make("* * * * *", timeZone: "Mars/Olympus_Mons")).ParamName);
        Assert.Equal("iterations", Assert.ThrowsAny<ArgumentException>(() => f.Make("* * * * *", iterations: -1)).ParamName);
        Assert.Equal("endRunning", Assert.ThrowsAny<ArgumentException>(() => f.Make("* * * * *", startRunning: Start, endRunning: Start.AddDays(-1))).ParamName);
        var record = f.Make("* * * * *");
        Assert.Throws<ArgumentException>(() => record.Schedule = "not cron");
        Assert.Equal("* * * * *", record.Schedule);
    }

    [Fact]
    public void Defaults_follow_sisy_with_a_configurable_default_schedule()
    {
        var f = new Fixture();
        var plain = f.App.Recurring.Create(Remember.Descriptor, f.Args);
        Assert.Equal("* * * * *", plain.Schedule);
        Assert.Equal(Remember.Name, plain.Label);
        Assert.Equal("UTC", plain.TimeZone);
        Assert.True(plain.Enabled && plain.WaitForSchedule && plain.AllowOverlap);
        Assert.Equal(0, plain.Iterations);
        Assert.Empty(plain.UserData);

        f.App.Recurring.DefaultSchedule = "0 4 * * *";
        Assert.Equal("0 4 * * *", f.App.Recurring.Create(Remember.Descriptor, f.Args).Schedule);
        Assert.Throws<ArgumentException>(() => f.App.Recurring.DefaultSchedule = "every day");
    }

    [Fact]
    public async Task RunIterations_runs_on_a_per_second_schedule_by_default_and_can_start_at_once_or_later()
    {
        var f = new Fixture(Start.AddMilliseconds(300));
        var now = await f.App.Recurring.RunIterationsAsync(Remember.Descriptor, f.Args, iterations: 2, runImmediately: true);
        Assert.Equal(RecurringTasks.EverySecond, now.Schedule);
        Assert.StartsWith(Remember.Name + "#", now.Label);
        Assert.Equal(f.Time.GetUtcNow(), now.NextRun);

        var later = await f.App.Recurring.RunIterationsAsync(Remember.Descriptor, KeyArgs(f.Key + "later"), iterations: 3, delayUntil: Start.AddMinutes(10));
        Assert.Equal(Start.AddMinutes(10), later.NextRun);

        await f.RunAsync(TimeSpan.FromMinutes(11), TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, Counters.Get(f.Key));
        Assert.Equal(3, Counters.Get(f.Key + "later"));
    }

    [Fact]
    public async Task RunOnce_runs_once_at_once_or_at_delay_until()
    {
        var f = new Fixture(Start.AddMilliseconds(300));
        var once = await f.App.Recurring.RunOnceAsync(Remember.Descriptor, f.Args, new JsonObject { ["n"] = 7 });
        var delayed = await f.App.Recurring.RunOnceAsync(Remember.Descriptor, KeyArgs(f.Key + "delayed"), delayUntil: Start.AddHours(1));
        Assert.NotEqual(once.Label, delayed.Label);

        await f.RunAsync(TimeSpan.FromMinutes(59), TimeSpan.FromSeconds(30));
        Assert.Equal(1, Counters.Get(f.Key));
        Assert.Equal(7, TestTasks.Seen[f.Key].N);
        Assert.Equal(0, Counters.Get(f.Key + "delayed"));

        await f.RunAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30));
        Assert.Equal(1, Counters.Get(f.Key));
        Assert.Equal(1, Counters.Get(f.Key + "delayed"));
        await once.ReloadAsync();
        Assert.True(once.IsSpent);
    }

    [Fact]
    public async Task Records_are_listed_found_changed_enabled_disabled_and_deleted()
    {
        var f = new Fixture();
        var b = f.Make("* * * * *", label: "b");
        var a = f.Make("0 * * * *", label: "a");
        await b.SaveAsync();
        await a.SaveAsync();

        Assert.Equal(["a", "b"], (await f.App.Recurring.ListAsync()).Select(r => r.Label));
        Assert.Equal(b.Id, (await f.App.Recurring.FindAsync("b"))!.Id);
        Assert.Equal("a", (await f.App.Recurring.GetAsync(a.Id))!.Label);
        Assert.Null(await f.App.Recurring.FindAsync("c"));

        Assert.True(await f.App.Recurring.DisableAsync(b.Id));
        var disabled = (await f.App.Recurring.GetAsync(b.Id))!;
        Assert.False(disabled.Enabled);
        Assert.Null(disabled.NextRun);
        await f.RunAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30));
        Assert.Equal(0, Counters.Get(f.Key));

        Assert.True(await f.App.Recurring.EnableAsync(b.Id));
        var changed = await f.App.Recurring.ChangeAsync(b.Id, r =>
        {
            r.Schedule = "*/30 * * * * *";
            r.EndRunning = f.Time.GetUtcNow().AddMinutes(1);
        });
        Assert.NotNull(changed);
        Assert.Equal("*/30 * * * * *", changed.Schedule);
        Assert.True(changed.ModifiedAt > changed.CreatedAt);
        await f.RunAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(10));
        Assert.Equal(2, Counters.Get(f.Key)); // two half-minutes inside the window

        Assert.True(await f.App.Recurring.DeleteAsync(a.Id));
        Assert.False(await f.App.Recurring.DeleteAsync(a.Id));
        Assert.Null(await f.App.Recurring.ChangeAsync(a.Id, r => r.Enabled = false));
        Assert.Equal(["b"], (await f.App.Recurring.ListAsync()).Select(r => r.Label));
    }

    [Fact]
    public async Task Labels_are_unique_unless_a_save_replaces_the_existing_record()
    {
        var f = new Fixture();
        var first = f.Make("* * * * *", label: "nightly");
        await first.SaveAsync();

        var second = f.Make("0 3 * * *", label: "nightly");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => second.SaveAsync());
        Assert.Contains("nightly", e.Message);
        Assert.False(second.IsSaved);

        await second.SaveAsync(replaceExisting: true);
        var stored = Assert.Single(await f.App.Recurring.ListAsync());
        Assert.Equal(second.Id, stored.Id);
        Assert.Equal("0 3 * * *", stored.Schedule);
    }

    [Fact]
    public async Task A_save_keeps_what_consumers_wrote_meanwhile()
    {
        var f = new Fixture();
        var record = f.Make("* * * * *");
        await record.SaveAsync();
        await f.RunAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)); // two runs the local copy has not seen

        record.UserData = new JsonObject { ["n"] = 1 };
        await record.SaveAsync();

        var stored = (await f.App.Recurring.GetAsync(record.Id))!;
        Assert.Equal(2, stored.RunCount);
        Assert.Equal(1, stored.UserData["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task Several_runners_fire_each_occurrence_of_a_record_once()
    {
        var f = new Fixture();
        await f.Make("* * * * * *").SaveAsync();
        var others = new[] { new RecurringRunner(f.App, TimeSpan.FromSeconds(30)), new RecurringRunner(f.App, TimeSpan.FromSeconds(30)) };

        for (int i = 0; i < 20; i++)
        {
            f.Time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAll(f.Runner.RunDueAsync(default), others[0].RunDueAsync(default), others[1].RunDueAsync(default));
        }

        var etas = (await f.QueuedAsync()).Select(m => m.Eta).ToList();
        Assert.Equal(10, etas.Count);
        Assert.Equal(10, etas.Distinct().Count());
    }
}
