using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>The contract of periodic claims, locks and recurring-task records.</summary>
public abstract partial class StorageContractTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private async Task<List<string>> PendingText(string queue = "q")
        => (await Storage.PendingAsync(queue, 1000)).Select(b => Encoding.UTF8.GetString(b)).ToList();

    // ---- periodic ---------------------------------------------------------------------------

    [Fact]
    public async Task A_periodic_occurrence_is_fired_once_however_many_race_for_it()
    {
        var racers = Enumerable.Range(0, 20).Select(i => Storage.FirePeriodicAsync("tick", T0, T0, "q", Utf8($"m{i}")).AsTask());
        var fired = await Task.WhenAll(racers);
        Assert.Equal(1, fired.Count(f => f));
        Assert.Single(await PendingText());
        Assert.Equal(T0, await Storage.GetPeriodicLastFiredAsync("tick"));

        Assert.True(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(1), T0.AddMinutes(1), "q", Utf8("next")));
        Assert.False(await Storage.FirePeriodicAsync("tick", T0, T0, "q", Utf8("late racer for an older occurrence")));
        Assert.Equal(2, (await PendingText()).Count);
        Assert.Null(await Storage.GetPeriodicLastFiredAsync("other"));
    }

    [Fact]
    public async Task A_periodic_catch_up_claims_the_first_missed_occurrence_and_marks_up_to_the_latest()
    {
        await Storage.FirePeriodicAsync("tick", T0, T0, "q", Utf8("on time"));
        // Two consumers start after downtime and both try to catch up the same first missed occurrence.
        Assert.True(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(5), T0.AddMinutes(37), "q", Utf8("catch-up")));
        Assert.False(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(5), T0.AddMinutes(38), "q", Utf8("second catch-up")));
        Assert.False(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(35), T0.AddMinutes(35), "q", Utf8("a missed tick")));
        Assert.Equal(T0.AddMinutes(37), await Storage.GetPeriodicLastFiredAsync("tick"));
        Assert.True(await Storage.FirePeriodicAsync("tick", T0.AddMinutes(40), T0.AddMinutes(40), "q", Utf8("next tick")));
        Assert.Equal(["on time", "catch-up", "next tick"], await PendingText());
    }

    [Fact]
    public async Task A_fired_periodic_message_is_taken_like_any_other()
    {
        await Storage.FirePeriodicAsync("tick", T0, T0, "periodic-q", Utf8("run"));
        var batch = await Storage.TakeAsync(["periodic-q"], "c1", 10, TimeSpan.FromMilliseconds(10));
        Assert.Equal("run", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Body.Span));
    }

    // ---- locks --------------------------------------------------------------------------------

    [Fact]
    public async Task A_lock_is_held_by_one_owner_extended_by_it_and_released_only_by_it()
    {
        Assert.Null(await Storage.GetLockOwnerAsync("l"));
        Assert.True(await Storage.AcquireLockAsync("l", "a", TimeSpan.FromSeconds(30)));
        Assert.True(await Storage.AcquireLockAsync("l", "a", TimeSpan.FromSeconds(30)));
        Assert.False(await Storage.AcquireLockAsync("l", "b", TimeSpan.FromSeconds(30)));
        Assert.Equal("a", await Storage.GetLockOwnerAsync("l"));

        Assert.False(await Storage.ReleaseLockAsync("l", "b"));
        Assert.Equal("a", await Storage.GetLockOwnerAsync("l"));
        Assert.True(await Storage.ReleaseLockAsync("l", "a"));
        Assert.False(await Storage.ReleaseLockAsync("l", "a"));
        Assert.Null(await Storage.GetLockOwnerAsync("l"));
        Assert.True(await Storage.AcquireLockAsync("l", "b", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Racing_owners_get_a_lock_once()
    {
        var racers = Enumerable.Range(0, 20).Select(i => Storage.AcquireLockAsync("l", $"o{i}", TimeSpan.FromSeconds(30)).AsTask());
        Assert.Equal(1, (await Task.WhenAll(racers)).Count(got => got));
    }

    [Fact]
    public async Task A_lock_whose_time_ran_out_is_free()
    {
        Assert.True(await Storage.AcquireLockAsync("l", "a", TimeSpan.FromMilliseconds(300)));
        await Eventually.UntilAsync(async () => await Storage.GetLockOwnerAsync("l") is null, "the lock to expire", TimeSpan.FromSeconds(10));
        Assert.True(await Storage.AcquireLockAsync("l", "b", TimeSpan.FromSeconds(30)));
        Assert.Equal("b", await Storage.GetLockOwnerAsync("l"));
    }

    // ---- recurring records ----------------------------------------------------------------------

    private static RecurringWrite Write(string id, string label, string body, DateTimeOffset? next, long? expected, bool replace = false)
        => new(id, label, Utf8(body), next, expected, replace);

    [Fact]
    public async Task A_recurring_record_is_created_once_and_versioned_on_each_write()
    {
        var created = await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 1), created);
        Assert.Equal(RecurringWriteStatus.VersionConflict, (await Storage.PutRecurringAsync(Write("r1", "beans", "again", T0, null))).Status);
        Assert.Equal(RecurringWriteStatus.VersionConflict, (await Storage.PutRecurringAsync(Write("r1", "beans", "stale", T0, 7))).Status);
        Assert.Equal(RecurringWriteStatus.VersionConflict, (await Storage.PutRecurringAsync(Write("r9", "other", "missing", T0, 1))).Status);

        var updated = await Storage.PutRecurringAsync(Write("r1", "beans", "v2", T0.AddMinutes(1), 1));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 2), updated);

        var entry = await Storage.GetRecurringAsync("r1");
        Assert.NotNull(entry);
        Assert.Equal(("r1", "beans", "v2", T0.AddMinutes(1), 2L, false, false),
            (entry.Id, entry.Label, Encoding.UTF8.GetString(entry.Body), entry.NextRun, entry.Version, entry.Running, entry.Busy));
        Assert.Null(await Storage.GetRecurringAsync("r9"));
    }

    [Fact]
    public async Task Recurring_labels_are_unique_and_follow_their_record()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "one", T0, null));
        var taken = await Storage.PutRecurringAsync(Write("r2", "beans", "two", T0, null));
        Assert.Equal(RecurringWriteStatus.LabelTaken, taken.Status);
        Assert.Equal("r1", taken.ConflictingId);
        Assert.Null(await Storage.GetRecurringAsync("r2"));

        // Relabel r1: its old label is free again.
        await Storage.PutRecurringAsync(Write("r1", "peas", "one", T0, 1));
        Assert.Equal("r1", (await Storage.FindRecurringAsync("peas"))!.Id);
        Assert.Null(await Storage.FindRecurringAsync("beans"));
        Assert.Equal(RecurringWriteStatus.Written, (await Storage.PutRecurringAsync(Write("r2", "beans", "two", T0, null))).Status);

        // Replacing deletes the record that held the label, with its due entry.
        var replaced = await Storage.PutRecurringAsync(Write("r3", "peas", "three", null, null, replace: true));
        Assert.Equal(RecurringWriteStatus.Written, replaced.Status);
        Assert.Null(await Storage.GetRecurringAsync("r1"));
        Assert.Equal("r3", (await Storage.FindRecurringAsync("peas"))!.Id);
        Assert.Equal(["r2"], (await Storage.DueRecurringAsync(10)).Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task Recurring_records_are_listed_by_label_and_deleted_with_their_indexes()
    {
        await Storage.PutRecurringAsync(Write("r1", "c", "1", T0, null));
        await Storage.PutRecurringAsync(Write("r2", "a", "2", null, null));
        await Storage.PutRecurringAsync(Write("r3", "b", "3", T0, null));
        Assert.Equal(["a", "b", "c"], (await Storage.ListRecurringAsync(100)).Select(e => e.Label));
        Assert.Equal(["a", "b"], (await Storage.ListRecurringAsync(2)).Select(e => e.Label));

        Assert.True(await Storage.DeleteRecurringAsync("r3"));
        Assert.False(await Storage.DeleteRecurringAsync("r3"));
        Assert.Null(await Storage.FindRecurringAsync("b"));
        Assert.Equal(["a", "c"], (await Storage.ListRecurringAsync(100)).Select(e => e.Label));
        Assert.Equal(["r1"], (await Storage.DueRecurringAsync(10)).Entries.Select(e => e.Id));
        Assert.Equal(RecurringWriteStatus.Written, (await Storage.PutRecurringAsync(Write("r4", "b", "4", null, null))).Status);
    }

    [Fact]
    public async Task Due_recurring_records_come_soonest_first_by_the_storages_clock()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("late", "late", "x", now.AddSeconds(-1), null));
        await Storage.PutRecurringAsync(Write("early", "early", "x", now.AddMinutes(-5), null));
        await Storage.PutRecurringAsync(Write("future", "future", "x", now.AddHours(1), null));
        await Storage.PutRecurringAsync(Write("later", "later", "x", now.AddHours(2), null));
        await Storage.PutRecurringAsync(Write("off", "off", "x", null, null));

        var due = await Storage.DueRecurringAsync(10);
        Assert.Equal(["early", "late"], due.Entries.Select(e => e.Id));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(now.AddHours(1).ToUnixTimeMilliseconds()), due.NextDue);
        Assert.InRange(due.Now, now.AddSeconds(-1), now.AddSeconds(30));
        Assert.Equal(["early"], (await Storage.DueRecurringAsync(1)).Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task Firing_a_recurring_record_queues_its_message_and_updates_it_in_one_step()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        var fire = new RecurringFire("r1", 1, Utf8("after run"), T0.AddMinutes(1), "q", Utf8("run 1"));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(fire));

        var entry = (await Storage.GetRecurringAsync("r1"))!;
        Assert.Equal(("after run", T0.AddMinutes(1), 2L), (Encoding.UTF8.GetString(entry.Body), entry.NextRun, entry.Version));
        Assert.Equal(["run 1"], await PendingText());

        Assert.Equal(RecurringFireStatus.VersionConflict, await Storage.FireRecurringAsync(fire));
        Assert.Equal(RecurringFireStatus.Missing, await Storage.FireRecurringAsync(fire with { Id = "nope" }));

        // A last run leaves the due index.
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(fire with { ExpectedVersion = 2, NextRun = null, Message = Utf8("run 2") }));
        Assert.Null((await Storage.GetRecurringAsync("r1"))!.NextRun);
        Assert.Empty((await Storage.DueRecurringAsync(10)).Entries);
        Assert.Equal(["run 1", "run 2"], await PendingText());
    }

    [Fact]
    public async Task A_recurring_run_without_overlap_takes_the_records_lock_and_a_held_lock_stops_the_next()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        var first = new RecurringFire("r1", 1, Utf8("v2"), T0.AddSeconds(1), "q", Utf8("run 1"), "task-1", TimeSpan.FromSeconds(30));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(first));
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Busy);
        Assert.Equal("task-1", await Storage.GetLockOwnerAsync("recurring:r1"));

        var second = new RecurringFire("r1", 2, Utf8("v3"), T0.AddSeconds(2), "q", Utf8("run 2"), "task-2", TimeSpan.FromSeconds(30));
        Assert.Equal(RecurringFireStatus.Busy, await Storage.FireRecurringAsync(second));
        Assert.Equal(2, (await Storage.GetRecurringAsync("r1"))!.Version);
        Assert.Equal(["run 1"], await PendingText());

        Assert.True(await Storage.ReleaseLockAsync("recurring:r1", "task-1"));
        Assert.False((await Storage.GetRecurringAsync("r1"))!.Busy);
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(second));
        Assert.Equal("task-2", await Storage.GetLockOwnerAsync("recurring:r1"));
    }

    [Fact]
    public async Task Racing_consumers_fire_one_version_of_a_recurring_record_once()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        var racers = Enumerable.Range(0, 10).Select(i =>
            Storage.FireRecurringAsync(new RecurringFire("r1", 1, Utf8($"after {i}"), T0.AddMinutes(1), "q", Utf8($"run by {i}"))).AsTask());
        var results = await Task.WhenAll(racers);
        Assert.Equal(1, results.Count(r => r == RecurringFireStatus.Fired));
        Assert.All(results.Where(r => r != RecurringFireStatus.Fired), r => Assert.Equal(RecurringFireStatus.VersionConflict, r));
        Assert.Single(await PendingText());
    }

    [Fact]
    public async Task A_lock_is_handed_over_from_its_message_to_one_delivery_and_no_other()
    {
        var ttl = TimeSpan.FromMinutes(1);
        Assert.True(await Storage.AcquireLockAsync("run", "msg", ttl));

        Assert.True(await Storage.TakeOverLockAsync("run", "msg", "msg/first", ttl));
        Assert.Equal("msg/first", await Storage.GetLockOwnerAsync("run"));
        Assert.False(await Storage.TakeOverLockAsync("run", "msg", "msg/second", ttl));
        Assert.True(await Storage.TakeOverLockAsync("run", "msg", "msg/first", ttl)); // the holder extends it
        Assert.True(await Storage.ReleaseLockAsync("run", "msg/first"));
        Assert.True(await Storage.TakeOverLockAsync("run", "msg", "msg/second", ttl)); // free again
        Assert.Equal("msg/second", await Storage.GetLockOwnerAsync("run"));
    }
}
