using System.Diagnostics;
using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>
/// The storage contract: every backend derives a test class from this one and so runs the same
/// behaviours. Bodies here are opaque bytes, as the contract says.
/// </summary>
public abstract partial class StorageContractTests : IAsyncLifetime
{
    private ITaskStorage? storage;

    /// <summary>A fresh, empty storage for one test.</summary>
    protected abstract Task<ITaskStorage> CreateStorageAsync();

    /// <summary>The storage under test.</summary>
    protected ITaskStorage Storage => storage ?? throw new InvalidOperationException("not initialized");

    /// <inheritdoc />
    public async Task InitializeAsync() => storage = await CreateStorageAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (storage is null) return;
        await storage.FlushAsync();
        await storage.DisposeAsync();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    private async Task<TakenBatch> Take(string queue = "q", int max = 10, string consumer = "c1")
        => await Storage.TakeAsync([queue], consumer, max, TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task Messages_are_taken_in_enqueue_order()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.EnqueueAsync("q", B("b"));
        await Storage.EnqueueAsync("q", B("c"));
        var batch = await Take();
        Assert.Equal(["a", "b", "c"], batch.Messages.Select(m => S(m.Body)));
        Assert.All(batch.Messages, m => Assert.Equal("q", m.Queue));
        Assert.All(batch.Messages, m => Assert.Equal(0, m.Deliveries));
    }

    [Fact]
    public async Task Take_returns_at_most_max_messages()
    {
        await Storage.EnqueueManyAsync("q", [B("1"), B("2"), B("3"), B("4"), B("5")]);
        var first = await Take(max: 2);
        var second = await Take(max: 10);
        Assert.Equal(["1", "2"], first.Messages.Select(m => S(m.Body)));
        Assert.Equal(["3", "4", "5"], second.Messages.Select(m => S(m.Body)));
    }

    [Fact]
    public async Task Take_prefers_queues_in_the_order_given()
    {
        await Storage.EnqueueAsync("low", B("l"));
        await Storage.EnqueueAsync("high", B("h"));
        var batch = await Storage.TakeAsync(["high", "low"], "c1", 10, TimeSpan.FromMilliseconds(10));
        Assert.Equal(["h"], batch.Messages.Select(m => S(m.Body)));
        batch = await Storage.TakeAsync(["high", "low"], "c1", 10, TimeSpan.FromMilliseconds(10));
        Assert.Equal(["l"], batch.Messages.Select(m => S(m.Body)));
        Assert.Equal("low", batch.Messages[0].Queue);
    }

    [Fact]
    public async Task Take_on_empty_queues_waits_then_returns_nothing()
    {
        var clock = Stopwatch.StartNew();
        var batch = await Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromMilliseconds(300));
        Assert.Empty(batch.Messages);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"returned after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_waiting_take_wakes_when_a_message_arrives()
    {
        var take = Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
        await Task.Delay(100);
        Assert.False(take.IsCompleted);
        var clock = Stopwatch.StartNew();
        await Storage.EnqueueAsync("q", B("x"));
        var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["x"], batch.Messages.Select(m => S(m.Body)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"woke after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Bodies_are_kept_byte_for_byte()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await Storage.EnqueueAsync("q", body);
        var batch = await Take();
        Assert.Equal(body, batch.Messages[0].Body.ToArray());
    }

    [Fact]
    public async Task A_taken_message_is_in_flight_until_settled()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        var batch = await Take();
        Assert.Equal(2, await Storage.InFlightCountAsync());
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
        await Storage.CompleteAsync("c1", [Completion.Ack(batch.Messages[0])]);
        Assert.Equal(1, await Storage.InFlightCountAsync());
        await Storage.CompleteAsync("c1", [Completion.Ack(batch.Messages[1])]);
        Assert.Equal(0, await Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task Completing_with_a_result_stores_it_and_acks()
    {
        await Storage.EnqueueAsync("q", B("a"));
        var m = (await Take()).Messages[0];
        await Storage.CompleteAsync("c1", [Completion.WithResult(m, "t1", B("result"), null)]);
        Assert.Equal(0, await Storage.InFlightCountAsync());
        Assert.Equal("result", S(await Storage.ReadResultAsync("t1", preserve: true)));
    }

    [Fact]
    public async Task Reading_a_result_deletes_it_unless_preserved()
    {
        await Storage.PutResultAsync("t1", B("v"), null);
        Assert.Equal("v", S(await Storage.ReadResultAsync("t1", preserve: true)));
        Assert.Equal("v", S(await Storage.ReadResultAsync("t1", preserve: false)));
        Assert.Null(await Storage.ReadResultAsync("t1", preserve: false));
    }

    [Fact]
    public async Task A_missing_result_reads_as_null()
        => Assert.Null(await Storage.ReadResultAsync("nope", preserve: false));

    [Fact]
    public async Task A_result_with_a_ttl_expires()
    {
        await Storage.PutResultAsync("t1", B("v"), TimeSpan.FromMilliseconds(100));
        await Storage.PutResultAsync("t2", B("w"), null);
        await Eventually.UntilAsync(async () => await Storage.ReadResultAsync("t1", preserve: true) is null, "result t1 to expire");
        Assert.NotNull(await Storage.ReadResultAsync("t2", preserve: true));
    }

    [Fact]
    public async Task Stored_results_can_be_listed()
    {
        await Storage.PutResultAsync("t1", B("1"), null);
        await Storage.PutResultAsync("t2", B("2"), null);
        var all = await Storage.ResultsAsync(10);
        Assert.Equal(["t1:1", "t2:2"], all.Select(r => $"{r.Key}:{S(r.Value)}").Order());
        Assert.Single(await Storage.ResultsAsync(1));
    }

    [Fact]
    public async Task A_retry_without_delay_goes_to_the_tail_of_its_queue()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        var a = (await Take(max: 1)).Messages[0];
        await Storage.CompleteAsync("c1", [Completion.Retry(a, B("a2"), TimeSpan.Zero)]);
        var rest = await Take();
        Assert.Equal(["b", "a2"], rest.Messages.Select(m => S(m.Body)));
    }

    [Fact]
    public async Task A_retry_with_delay_goes_to_the_schedule()
    {
        await Storage.EnqueueAsync("q", B("a"));
        var a = (await Take()).Messages[0];
        var before = await Storage.GetTimeAsync();
        await Storage.CompleteAsync("c1", [Completion.Retry(a, B("a2"), TimeSpan.FromHours(1))]);
        Assert.Equal(0, await Storage.InFlightCountAsync());
        var scheduled = Assert.Single(await Storage.ScheduledAsync(10));
        Assert.Equal("a2", S(scheduled.Body));
        Assert.Equal("q", scheduled.Queue);
        Assert.InRange(scheduled.Eta, before.AddHours(1).AddSeconds(-1), before.AddHours(1).AddSeconds(5));
    }

    [Fact]
    public async Task Dead_letters_keep_the_reason_and_the_raw_body()
    {
        await Storage.EnqueueAsync("q", B("bad"));
        var m = (await Take()).Messages[0];
        await Storage.CompleteAsync("c1", [Completion.ToDeadLetters(m, "does not decode")]);
        var dead = Assert.Single(await Storage.ListDeadLettersAsync(10));
        Assert.Equal("does not decode", dead.Reason);
        Assert.Equal("bad", S(dead.Body));
        Assert.Equal("q", dead.Queue);
        Assert.Equal(0, await Storage.InFlightCountAsync());
        var now = await Storage.GetTimeAsync();
        Assert.InRange(dead.At, now.AddMinutes(-1), now.AddMinutes(1));
    }

    [Fact]
    public async Task Dead_letters_are_listed_newest_first()
    {
        await Storage.DeadLetterAsync("q", B("1"), "first");
        await Storage.DeadLetterAsync("q", B("2"), "second");
        var dead = await Storage.ListDeadLettersAsync(10);
        Assert.Equal(["second", "first"], dead.Select(d => d.Reason));
        Assert.Single(await Storage.ListDeadLettersAsync(1));
    }

    [Fact]
    public async Task A_dead_letter_can_be_requeued()
    {
        await Storage.DeadLetterAsync("q", B("x"), "why");
        var dead = Assert.Single(await Storage.ListDeadLettersAsync(10));
        Assert.True(await Storage.RequeueDeadLetterAsync(dead.Id));
        Assert.Empty(await Storage.ListDeadLettersAsync(10));
        var batch = await Take();
        Assert.Equal("x", S(batch.Messages[0].Body));
        Assert.False(await Storage.RequeueDeadLetterAsync(dead.Id));
    }

    [Fact]
    public async Task A_dead_letter_can_be_deleted()
    {
        await Storage.DeadLetterAsync("q", B("x"), "why");
        var dead = Assert.Single(await Storage.ListDeadLettersAsync(10));
        Assert.True(await Storage.DeleteDeadLetterAsync(dead.Id));
        Assert.False(await Storage.DeleteDeadLetterAsync(dead.Id));
        Assert.Empty(await Storage.ListDeadLettersAsync(10));
    }

    [Fact]
    public async Task A_released_message_goes_back_to_the_head_without_counting_a_delivery()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        var a = (await Take(max: 1)).Messages[0];
        await Storage.CompleteAsync("c1", [Completion.Release(a)]);
        var batch = await Take();
        Assert.Equal(["a", "b"], batch.Messages.Select(m => S(m.Body)));
        Assert.Equal(0, batch.Messages[0].Deliveries);
    }

    [Fact]
    public async Task Released_messages_go_back_in_the_order_they_were_taken()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b"), B("c"), B("d")]);
        var taken = (await Take(max: 3)).Messages;
        await Storage.CompleteAsync("c1", [Completion.Ack(taken[0]), Completion.Release(taken[1]), Completion.Release(taken[2])]);
        Assert.Equal(["b", "c", "d"], (await Take()).Messages.Select(m => S(m.Body)));
    }

    [Fact]
    public async Task Releasing_a_message_already_handed_back_does_not_duplicate_it()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.HeartbeatAsync("slow", TimeSpan.FromMilliseconds(50));
        var m = (await Take(consumer: "slow")).Messages[0];
        await Eventually.UntilAsync(async () => (await Storage.ReapAsync(5)).Requeued == 1, "the message to be handed back");
        await Storage.CompleteAsync("slow", [Completion.Release(m)]);
        Assert.Equal(1, await Storage.QueueLengthAsync("q"));
    }

    [Fact]
    public async Task Only_due_scheduled_messages_are_promoted()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.ScheduleAsync("q", B("past"), now.AddSeconds(-5));
        await Storage.ScheduleAsync("q", B("future"), now.AddHours(1));
        var result = await Storage.PromoteDueAsync(100);
        Assert.Equal(1, result.Moved);
        Assert.NotNull(result.NextDue);
        Assert.InRange(result.NextDue!.Value, now.AddHours(1).AddSeconds(-1), now.AddHours(1).AddSeconds(1));
        Assert.Equal(["past"], (await Take()).Messages.Select(m => S(m.Body)));
        Assert.Equal(["future"], (await Storage.ScheduledAsync(10)).Select(s => S(s.Body)));
    }

    [Fact]
    public async Task Promotion_moves_at_most_the_limit_soonest_first()
    {
        var now = await Storage.GetTimeAsync();
        for (int i = 5; i >= 1; i--) await Storage.ScheduleAsync("q", B($"m{i}"), now.AddSeconds(-i));
        Assert.Equal(3, (await Storage.PromoteDueAsync(3)).Moved);
        var rest = await Storage.PromoteDueAsync(3);
        Assert.Equal(2, rest.Moved);
        Assert.Null(rest.NextDue);
        Assert.Equal(["m5", "m4", "m3", "m2", "m1"], (await Take()).Messages.Select(m => S(m.Body)));
    }

    [Fact]
    public async Task Scheduled_messages_are_listed_soonest_first_with_their_queue()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.ScheduleAsync("b", B("later"), now.AddHours(2));
        await Storage.ScheduleAsync("a", B("sooner"), now.AddHours(1));
        var listed = await Storage.ScheduledAsync(10);
        Assert.Equal(["a:sooner", "b:later"], listed.Select(s => $"{s.Queue}:{S(s.Body)}"));
    }

    [Fact]
    public async Task Identical_bodies_can_be_scheduled_twice()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.ScheduleAsync("q", B("same"), now.AddSeconds(-1));
        await Storage.ScheduleAsync("q", B("same"), now.AddSeconds(-1));
        Assert.Equal(2, (await Storage.PromoteDueAsync(10)).Moved);
        Assert.Equal(2, (await Take()).Messages.Count);
    }

    [Fact]
    public async Task Pending_lists_the_queue_head_first()
    {
        await Storage.EnqueueManyAsync("q", [B("1"), B("2"), B("3")]);
        Assert.Equal(["1", "2"], (await Storage.PendingAsync("q", 2)).Select(b => S(b)));
        Assert.Equal(3, await Storage.QueueLengthAsync("q"));
        Assert.Empty(await Storage.PendingAsync("other", 10));
    }

    [Fact]
    public async Task A_revocation_is_recorded_and_restored()
    {
        Assert.Null(await Storage.GetRevocationAsync("t:x"));
        await Storage.RevokeAsync("t:x", new Revocation(null, false));
        Assert.Equal(new Revocation(null, false), await Storage.GetRevocationAsync("t:x"));
        Assert.True(await Storage.RestoreAsync("t:x"));
        Assert.False(await Storage.RestoreAsync("t:x"));
        Assert.Null(await Storage.GetRevocationAsync("t:x"));
    }

    [Fact]
    public async Task A_revoke_once_record_skips_exactly_one_run()
    {
        await Storage.RevokeAsync("i:1", new Revocation(null, Once: true));
        Assert.True(await Storage.ConsumeRevocationAsync(["i:1", "t:task"]));
        Assert.False(await Storage.ConsumeRevocationAsync(["i:1", "t:task"]));
    }

    [Fact]
    public async Task A_lasting_revocation_skips_every_run_until_restored()
    {
        await Storage.RevokeAsync("t:task", new Revocation(null, Once: false));
        Assert.True(await Storage.ConsumeRevocationAsync(["i:1", "t:task"]));
        Assert.True(await Storage.ConsumeRevocationAsync(["i:2", "t:task"]));
        await Storage.RestoreAsync("t:task");
        Assert.False(await Storage.ConsumeRevocationAsync(["i:3", "t:task"]));
    }

    [Fact]
    public async Task A_revocation_ends_at_its_until_time()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.RevokeAsync("t:past", new Revocation(now.AddSeconds(-1), false));
        Assert.False(await Storage.ConsumeRevocationAsync(["t:past"]));
        await Storage.RevokeAsync("t:soon", new Revocation(now.AddMilliseconds(300), false));
        Assert.True(await Storage.ConsumeRevocationAsync(["t:soon"]));
        await Eventually.UntilAsync(async () => !await Storage.ConsumeRevocationAsync(["t:soon"]), "the revocation to end");
    }

    [Fact]
    public async Task A_take_says_whether_any_revocation_exists()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        Assert.False((await Take(max: 1)).RevocationsPresent);
        await Storage.RevokeAsync("t:x", new Revocation(null, false));
        Assert.True((await Take(max: 1)).RevocationsPresent);
    }

    [Fact]
    public async Task The_revocations_version_moves_with_every_change_and_is_0_when_there_are_none()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b"), B("c"), B("d"), B("e")]);
        Assert.Equal(0, (await Take(max: 1)).RevocationsVersion);
        Assert.Equal(new HashSet<string>(), (await Storage.ReadRevocationsAsync(10)).Targets);

        await Storage.RevokeAsync("t:x", new Revocation(null, false));
        long first = (await Take(max: 1)).RevocationsVersion;
        Assert.NotEqual(0, first);
        var read = await Storage.ReadRevocationsAsync(10);
        Assert.Equal(first, read.Version);
        Assert.Equal(new HashSet<string> { "t:x" }, read.Targets);

        await Storage.RevokeAsync("i:1", new Revocation(null, true));
        long second = (await Take(max: 1)).RevocationsVersion;
        Assert.True(second > first, $"{second} after {first}");
        Assert.Null((await Storage.ReadRevocationsAsync(1)).Targets);   // more than the limit: the version only
        Assert.Equal(second, (await Storage.ReadRevocationsAsync(1)).Version);

        Assert.True(await Storage.ConsumeRevocationAsync(["i:1"]));       // revoke-once: consumed, a change
        long third = (await Take(max: 1)).RevocationsVersion;
        Assert.True(third > second, $"{third} after {second}");
        Assert.True(await Storage.RestoreAsync("t:x"));
        Assert.Equal(0, (await Take(max: 1)).RevocationsVersion);
    }

    [Fact]
    public async Task The_reaper_drops_revocations_past_their_end_or_expiry_and_keeps_the_rest()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.RevokeAsync("i:started-long-ago", new Revocation(null, true) { Expires = now.AddSeconds(-1) });
        await Storage.RevokeAsync("i:ended", new Revocation(now.AddSeconds(-1), false));
        await Storage.RevokeAsync("i:fresh", new Revocation(null, true) { Expires = now.AddDays(1) });
        await Storage.RevokeAsync("t:kept", new Revocation(null, false));
        await Storage.RevokeAsync("t:until-later", new Revocation(now.AddDays(1), false));

        await Storage.ReapAsync(5);

        Assert.Equal(new HashSet<string> { "i:fresh", "t:kept", "t:until-later" }, (await Storage.ReadRevocationsAsync(10)).Targets);
        Assert.Null(await Storage.GetRevocationAsync("i:started-long-ago"));
        Assert.Equal(new Revocation(null, true), await Storage.GetRevocationAsync("i:fresh"));
    }

    [Fact]
    public async Task A_release_of_a_run_cut_short_counts_a_delivery_and_one_not_started_does_not()
    {
        await Storage.EnqueueManyAsync("q", [B("started"), B("waiting")]);
        var taken = (await Take(max: 2)).Messages;
        await Storage.CompleteAsync("c1", [Completion.Interrupted(taken[0]), Completion.Release(taken[1])]);
        var again = (await Take(max: 2)).Messages;
        Assert.Equal(["started", "waiting"], again.Select(m => S(m.Body)));
        Assert.Equal([1, 0], again.Select(m => m.Deliveries));
    }

    [Fact]
    public async Task Trimming_dead_letters_removes_the_oldest_beyond_the_count_and_those_past_the_age()
    {
        for (int i = 1; i <= 3; i++) await Storage.DeadLetterAsync("q", B("m" + i), "reason " + i);

        Assert.Equal(1, await Storage.TrimDeadLettersAsync(2, TimeSpan.FromDays(1)));
        Assert.Equal(["m3", "m2"], (await Storage.ListDeadLettersAsync(10)).Select(d => S(d.Body)));
        Assert.Equal(0, await Storage.TrimDeadLettersAsync(2, TimeSpan.FromDays(1)));

        await Eventually.UntilAsync(async () => await Storage.TrimDeadLettersAsync(10, TimeSpan.FromMilliseconds(50)) > 0, "the dead letters to age");
        await Eventually.UntilAsync(async () =>
        {
            await Storage.TrimDeadLettersAsync(10, TimeSpan.FromMilliseconds(50));
            return (await Storage.ListDeadLettersAsync(10)).Count == 0;
        }, "both to go");
        Assert.Empty(await Storage.ListDeadLettersAsync(10));
    }

    [Fact]
    public async Task A_consumers_in_flight_records_are_listed_and_can_be_released_by_receipt_alone()
    {
        var before = await Storage.GetTimeAsync();
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        var taken = (await Take(max: 2, consumer: "c1")).Messages;
        Assert.Empty(await Storage.InFlightAsync("c2"));

        var records = await Storage.InFlightAsync("c1");

        Assert.Equal(taken.Select(m => m.Receipt).Order(), records.Select(r => r.Receipt).Order());
        Assert.All(records, r => Assert.Equal("q", r.Queue));
        Assert.All(records, r => Assert.InRange(r.TakenAt, before.AddSeconds(-1), before.AddMinutes(1)));
        var orphan = records.Single(r => r.Receipt == taken[1].Receipt);
        await Storage.CompleteAsync("c1", [Completion.Release(new TakenMessage(orphan.Queue, ReadOnlyMemory<byte>.Empty, orphan.Receipt, 0))]);
        Assert.Equal(["b"], (await Storage.PendingAsync("q", 10)).Select(b => S(b)));
        Assert.Single(await Storage.InFlightAsync("c1"));
    }

    [Fact]
    public async Task Messages_of_a_consumer_without_heartbeat_are_handed_back()
    {
        await Storage.EnqueueManyAsync("q", [B("a"), B("b")]);
        await Storage.HeartbeatAsync("alive", TimeSpan.FromMinutes(1));
        await Storage.HeartbeatAsync("dead", TimeSpan.FromMilliseconds(100));
        var a = await Take(max: 1, consumer: "alive");
        var b = await Take(max: 1, consumer: "dead");
        await Eventually.UntilAsync(async () => (await Storage.ReapAsync(5)).Requeued == 1, "the dead consumer's message to be handed back");
        var again = await Take(consumer: "alive");
        Assert.Equal(["b"], again.Messages.Select(m => S(m.Body)));
        Assert.Equal(1, again.Messages[0].Deliveries);
        Assert.Equal(0, (await Storage.ReapAsync(5)).Requeued);
        Assert.Equal(2, await Storage.InFlightCountAsync());
        Assert.Single(a.Messages);
        Assert.Single(b.Messages);
    }

    [Fact]
    public async Task A_message_handed_back_too_often_goes_to_dead_letters()
    {
        await Storage.EnqueueAsync("q", B("a"));
        for (int round = 0; round <= 2; round++)
        {
            await Storage.HeartbeatAsync("c" + round, TimeSpan.FromMilliseconds(50));
            var batch = await Take(consumer: "c" + round);
            Assert.Equal(round, Assert.Single(batch.Messages).Deliveries);
            var expect = round < 2 ? new ReapResult(1, 0) : new ReapResult(0, 1);
            await Eventually.UntilAsync(async () => await Storage.ReapAsync(maxRedeliveries: 2) == expect, $"round {round} to be reaped");
        }
        var dead = Assert.Single(await Storage.ListDeadLettersAsync(10));
        Assert.Equal("a", S(dead.Body));
        Assert.Contains("handed back", dead.Reason);
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
    }

    [Fact]
    public async Task A_settle_sent_again_after_a_lost_reply_changes_nothing()
    {
        await Storage.EnqueueManyAsync("q", [B("retry-me"), B("bury-me"), B("store-me"), B("release-me")]);
        var taken = (await Take(max: 4)).Messages;
        Completion[] settle =
        [
            Completion.Retry(taken[0], B("retry-me again"), TimeSpan.Zero),
            Completion.ToDeadLetters(taken[1], "bad"),
            Completion.WithResult(taken[2], "t-store", B("r"), null),
            Completion.Release(taken[3]),
        ];

        await Storage.CompleteAsync("c1", settle);
        await Storage.CompleteAsync("c1", settle);

        Assert.Equal(["release-me", "retry-me again"], (await Storage.PendingAsync("q", 10)).Select(b => S(b)));
        Assert.Single(await Storage.ListDeadLettersAsync(10));
        Assert.Equal("r", S(await Storage.ReadResultAsync("t-store", preserve: false)));
        Assert.Equal(0, await Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_retry_of_a_message_already_handed_back_is_not_a_second_copy()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.HeartbeatAsync("slow", TimeSpan.FromMilliseconds(50));
        var m = (await Take(consumer: "slow")).Messages[0];
        await Eventually.UntilAsync(async () => (await Storage.ReapAsync(5)).Requeued == 1, "the message to be handed back");

        await Storage.CompleteAsync("slow", [Completion.Retry(m, B("a again"), TimeSpan.Zero)]);

        Assert.Equal(["a"], (await Storage.PendingAsync("q", 10)).Select(b => S(b)));
    }

    [Fact]
    public async Task Settling_a_message_that_was_already_handed_back_still_stores_the_result()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.HeartbeatAsync("slow", TimeSpan.FromMilliseconds(50));
        var m = (await Take(consumer: "slow")).Messages[0];
        await Eventually.UntilAsync(async () => (await Storage.ReapAsync(5)).Requeued == 1, "the message to be handed back");
        await Storage.CompleteAsync("slow", [Completion.WithResult(m, "t1", B("r"), null)]);
        Assert.Equal("r", S(await Storage.ReadResultAsync("t1", preserve: false)));
    }

    [Fact]
    public async Task A_consumer_that_removed_its_heartbeat_is_reaped()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.HeartbeatAsync("c1", TimeSpan.FromMinutes(1));
        await Take(consumer: "c1");
        await Storage.RemoveHeartbeatAsync("c1");
        Assert.Equal(new ReapResult(1, 0), await Storage.ReapAsync(5));
    }

    [Fact]
    public async Task Flush_removes_everything()
    {
        await Storage.EnqueueAsync("q", B("a"));
        await Storage.ScheduleAsync("q", B("s"), DateTimeOffset.UtcNow.AddHours(1));
        await Storage.PutResultAsync("t", B("r"), null);
        await Storage.RevokeAsync("t:x", new Revocation(null, false));
        await Storage.DeadLetterAsync("q", B("d"), "why");
        await Storage.FlushAsync();
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
        Assert.Empty(await Storage.ScheduledAsync(10));
        Assert.Null(await Storage.ReadResultAsync("t", false));
        Assert.Null(await Storage.GetRevocationAsync("t:x"));
        Assert.Empty(await Storage.ListDeadLettersAsync(10));
    }

    [Fact]
    public async Task One_settle_call_applies_every_kind_of_completion()
    {
        await Storage.EnqueueManyAsync("q", [B("ack"), B("res"), B("retry"), B("dead"), B("rel")]);
        var m = (await Take()).Messages;
        await Storage.CompleteAsync("c1",
        [
            Completion.Ack(m[0]),
            Completion.WithResult(m[1], "t1", B("r"), null),
            Completion.Retry(m[2], B("retry2"), TimeSpan.Zero),
            Completion.ToDeadLetters(m[3], "bad"),
            Completion.Release(m[4]),
        ]);
        Assert.Equal(0, await Storage.InFlightCountAsync());
        Assert.Equal("r", S(await Storage.ReadResultAsync("t1", false)));
        Assert.Equal("bad", Assert.Single(await Storage.ListDeadLettersAsync(10)).Reason);
        Assert.Equal(["rel", "retry2"], (await Take()).Messages.Select(x => S(x.Body)));
    }

    // ---- periodic claims, locks and recurring records: edges of the contract --------------------
    // (the main cases are in StorageContractTests.Schedules.cs)

    [Fact]
    public async Task Periodic_and_recurring_fires_append_at_the_tail_and_are_taken_like_enqueued_messages()
    {
        await Storage.EnqueueAsync("q", B("enqueued"));
        Assert.True(await Storage.FirePeriodicAsync("tick", T0, T0, "q", B("periodic")));
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(new RecurringFire("r1", 1, B("v2"), null, "q", B("recurring"))));

        var batch = await Take();
        Assert.Equal(["enqueued", "periodic", "recurring"], batch.Messages.Select(m => S(m.Body)));
        Assert.All(batch.Messages, m => Assert.Equal(("q", 0), (m.Queue, m.Deliveries)));
    }

    [Fact]
    public async Task Periodic_claims_of_different_tasks_are_independent()
    {
        Assert.True(await Storage.FirePeriodicAsync("tick", T0, T0, "q", B("tick")));
        Assert.True(await Storage.FirePeriodicAsync("tock", T0, T0, "q", B("tock")));
        Assert.False(await Storage.FirePeriodicAsync("tock", T0, T0, "q", B("tock again")));
        Assert.Equal(T0, await Storage.GetPeriodicLastFiredAsync("tick"));
        Assert.Equal(T0, await Storage.GetPeriodicLastFiredAsync("tock"));
        Assert.Equal(["tick", "tock"], await PendingText());
    }

    [Fact]
    public async Task A_periodic_fire_wakes_a_waiting_take()
    {
        var take = Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
        await Task.Delay(100);
        Assert.False(take.IsCompleted);
        var clock = Stopwatch.StartNew();
        Assert.True(await Storage.FirePeriodicAsync("tick", T0, T0, "q", B("tick")));
        var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["tick"], batch.Messages.Select(m => S(m.Body)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"woke after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_recurring_fire_wakes_a_waiting_take()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        var take = Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
        await Task.Delay(100);
        Assert.False(take.IsCompleted);
        var clock = Stopwatch.StartNew();
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(new RecurringFire("r1", 1, B("v2"), T0.AddMinutes(1), "q", B("run"))));
        var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["run"], batch.Messages.Select(m => S(m.Body)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"woke after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Reacquiring_a_lock_gives_it_the_new_time_to_live()
    {
        Assert.True(await Storage.AcquireLockAsync("l", "a", TimeSpan.FromMilliseconds(300)));
        Assert.True(await Storage.AcquireLockAsync("l", "a", TimeSpan.FromMinutes(5)));
        // A probe taken after the extension with the first lock's time to live: once it has expired,
        // the first lock would have too, had the extension not applied.
        Assert.True(await Storage.AcquireLockAsync("probe", "p", TimeSpan.FromMilliseconds(300)));
        await Eventually.UntilAsync(async () => await Storage.GetLockOwnerAsync("probe") is null, "the probe lock to expire", TimeSpan.FromSeconds(10));
        Assert.Equal("a", await Storage.GetLockOwnerAsync("l"));
        Assert.False(await Storage.AcquireLockAsync("l", "b", TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Locks_are_independent_of_each_other()
    {
        Assert.True(await Storage.AcquireLockAsync("l1", "a", TimeSpan.FromSeconds(30)));
        Assert.True(await Storage.AcquireLockAsync("l2", "b", TimeSpan.FromSeconds(30)));
        Assert.False(await Storage.ReleaseLockAsync("l2", "a"));
        Assert.True(await Storage.ReleaseLockAsync("l1", "a"));
        Assert.Equal("b", await Storage.GetLockOwnerAsync("l2"));
        Assert.False(await Storage.ReleaseLockAsync("never-taken", "a"));
    }

    [Fact]
    public async Task Recurring_write_outcomes_report_the_stored_version_and_refused_writes_change_nothing()
    {
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 1), await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null)));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 2), await Storage.PutRecurringAsync(Write("r1", "beans", "v2", T0, 1)));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.VersionConflict, 2), await Storage.PutRecurringAsync(Write("r1", "beans", "x", null, null)));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.VersionConflict, 2), await Storage.PutRecurringAsync(Write("r1", "beans", "x", null, 1)));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.VersionConflict, 0), await Storage.PutRecurringAsync(Write("r9", "peas", "x", null, 1)));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.LabelTaken, 0, "r1"), await Storage.PutRecurringAsync(Write("r2", "beans", "x", null, null)));

        var entry = (await Storage.GetRecurringAsync("r1"))!;
        Assert.Equal(("beans", "v2", T0, 2L), (entry.Label, S(entry.Body), entry.NextRun, entry.Version));
        Assert.Null(await Storage.GetRecurringAsync("r9"));
        Assert.Null(await Storage.FindRecurringAsync("peas"));
        Assert.Equal(["r1"], (await Storage.ListRecurringAsync(10)).Select(e => e.Id));
    }

    [Fact]
    public async Task Relabelling_a_recurring_record_onto_a_taken_label_is_refused_unless_it_replaces_the_holder()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("r1", "a", "1", now.AddMinutes(-2), null));
        await Storage.PutRecurringAsync(Write("r2", "b", "2", now.AddMinutes(-1), null));

        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.LabelTaken, 1, "r2"), await Storage.PutRecurringAsync(Write("r1", "b", "1b", now, 1)));
        Assert.Equal(("r1", 1L), ((await Storage.FindRecurringAsync("a"))!.Id, (await Storage.GetRecurringAsync("r1"))!.Version));
        Assert.Equal("r2", (await Storage.FindRecurringAsync("b"))!.Id);

        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 2), await Storage.PutRecurringAsync(Write("r1", "b", "1b", now.AddMinutes(-2), 1, replace: true)));
        Assert.Null(await Storage.GetRecurringAsync("r2"));
        Assert.Null(await Storage.FindRecurringAsync("a"));
        Assert.Equal("r1", (await Storage.FindRecurringAsync("b"))!.Id);
        Assert.Equal(["b"], (await Storage.ListRecurringAsync(10)).Select(e => e.Label));
        Assert.Equal(["r1"], (await Storage.DueRecurringAsync(10)).Entries.Select(e => e.Id));

        // Keeping one's own label is no conflict, with or without ReplaceLabel.
        Assert.Equal(RecurringWriteStatus.Written, (await Storage.PutRecurringAsync(Write("r1", "b", "1c", null, 2))).Status);
        Assert.Equal(RecurringWriteStatus.Written, (await Storage.PutRecurringAsync(Write("r1", "b", "1d", null, 3, replace: true))).Status);
        Assert.Equal(("r1", 4L), ((await Storage.FindRecurringAsync("b"))!.Id, (await Storage.GetRecurringAsync("r1"))!.Version));
    }

    [Fact]
    public async Task Racing_creators_of_one_recurring_record_or_one_label_write_once()
    {
        var sameId = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Storage.PutRecurringAsync(Write("r1", "beans", $"by {i}", T0, null)).AsTask()));
        Assert.Equal(1, sameId.Count(r => r.Status == RecurringWriteStatus.Written));
        Assert.All(sameId.Where(r => r.Status != RecurringWriteStatus.Written), r => Assert.Equal(RecurringWriteStatus.VersionConflict, r.Status));

        var sameLabel = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Storage.PutRecurringAsync(Write($"p{i}", "peas", $"by {i}", T0, null)).AsTask()));
        Assert.Equal(1, sameLabel.Count(r => r.Status == RecurringWriteStatus.Written));
        Assert.All(sameLabel.Where(r => r.Status != RecurringWriteStatus.Written), r => Assert.Equal(RecurringWriteStatus.LabelTaken, r.Status));
        Assert.Equal(2, (await Storage.ListRecurringAsync(100)).Count);
    }

    [Fact]
    public async Task Recurring_records_are_listed_in_ordinal_label_order()
    {
        string[] labels = ["b", "é", "B", "_", "a", "A1", "A"];
        for (int i = 0; i < labels.Length; i++) await Storage.PutRecurringAsync(Write($"r{i}", labels[i], "x", null, null));
        var expected = labels.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, (await Storage.ListRecurringAsync(100)).Select(e => e.Label));
        Assert.Equal(expected.Take(3), (await Storage.ListRecurringAsync(3)).Select(e => e.Label));
        Assert.Empty(await Storage.ListRecurringAsync(0));
    }

    [Fact]
    public async Task A_recurring_record_without_a_next_run_stays_out_of_the_due_index()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", now.AddMinutes(-1), null));
        Assert.Equal(["r1"], (await Storage.DueRecurringAsync(10)).Entries.Select(e => e.Id));

        await Storage.PutRecurringAsync(Write("r1", "beans", "v2", null, 1));
        var due = await Storage.DueRecurringAsync(10);
        Assert.Empty(due.Entries);
        Assert.Null(due.NextDue);
        Assert.Null((await Storage.GetRecurringAsync("r1"))!.NextRun);

        await Storage.PutRecurringAsync(Write("r1", "beans", "v3", now.AddHours(1), 2));
        due = await Storage.DueRecurringAsync(10);
        Assert.Empty(due.Entries);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(now.AddHours(1).ToUnixTimeMilliseconds()), due.NextDue);

        await Storage.PutRecurringAsync(Write("r1", "beans", "v4", now.AddMinutes(-1), 3));
        var entry = Assert.Single((await Storage.DueRecurringAsync(10)).Entries);
        Assert.Equal(("r1", "beans", "v4", 4L, false, false), (entry.Id, entry.Label, S(entry.Body), entry.Version, entry.Running, entry.Busy));
    }

    [Fact]
    public async Task Recurring_entries_show_their_lock_as_busy_wherever_they_are_read()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", now.AddMinutes(-2), null));
        await Storage.PutRecurringAsync(Write("r2", "peas", "v1", now.AddMinutes(-1), null));
        Assert.True(await Storage.AcquireLockAsync(RecurringTasks.LockName("r1"), "task-1", TimeSpan.FromMinutes(1)));

        Assert.True((await Storage.GetRecurringAsync("r1"))!.Busy);
        Assert.True((await Storage.FindRecurringAsync("beans"))!.Busy);
        Assert.False((await Storage.FindRecurringAsync("peas"))!.Busy);
        Assert.Equal([true, false], (await Storage.ListRecurringAsync(10)).Select(e => e.Busy));
        Assert.Equal([("r1", true), ("r2", false)], (await Storage.DueRecurringAsync(10)).Entries.Select(e => (e.Id, e.Busy)));
        // A held lock is a run queued or running, not a run known to be running.
        Assert.False((await Storage.GetRecurringAsync("r1"))!.Running);
    }

    [Fact]
    public async Task Recurring_entries_show_their_runs_as_running_wherever_they_are_read_until_each_ends()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", now.AddMinutes(-2), null));
        await Storage.PutRecurringAsync(Write("r2", "peas", "v1", now.AddMinutes(-1), null));
        await Storage.BeginRecurringRunAsync("r1", "task-1/a", TimeSpan.FromMinutes(1));
        await Storage.BeginRecurringRunAsync("r1", "task-2/b", TimeSpan.FromMinutes(1)); // overlapping runs

        Assert.True((await Storage.GetRecurringAsync("r1"))!.Running);
        Assert.True((await Storage.FindRecurringAsync("beans"))!.Running);
        Assert.False((await Storage.FindRecurringAsync("peas"))!.Running);
        Assert.Equal([true, false], (await Storage.ListRecurringAsync(10)).Select(e => e.Running));
        Assert.Equal([("r1", true), ("r2", false)], (await Storage.DueRecurringAsync(10)).Entries.Select(e => (e.Id, e.Running)));
        Assert.False((await Storage.GetRecurringAsync("r1"))!.Busy);

        await Storage.EndRecurringRunAsync("r1", "task-1/a");
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Running); // the other still runs
        await Storage.EndRecurringRunAsync("r1", "task-2/b");
        Assert.False((await Storage.GetRecurringAsync("r1"))!.Running);
        await Storage.EndRecurringRunAsync("r1", "task-2/b"); // ending twice is harmless
    }

    [Fact]
    public async Task A_completion_that_ends_a_recurring_run_removes_it_in_the_same_call_whatever_its_kind()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0Contract, null));
        await Storage.EnqueueAsync("q", B("run 1"));
        await Storage.EnqueueAsync("q", B("run 2"));
        var taken = (await Storage.TakeAsync(["q"], "c1", 10, TimeSpan.Zero)).Messages;
        await Storage.BeginRecurringRunAsync("r1", "a/1", TimeSpan.FromMinutes(1));
        await Storage.BeginRecurringRunAsync("r1", "b/2", TimeSpan.FromMinutes(1));

        await Storage.CompleteAsync("c1", [Completion.Ack(taken[0]) with { EndsRecurringRun = new RecurringRun("r1", "a/1") }]);
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Running);
        await Storage.CompleteAsync("c1", [Completion.Release(taken[1]) with { EndsRecurringRun = new RecurringRun("r1", "b/2") }]);
        Assert.False((await Storage.GetRecurringAsync("r1"))!.Running);
        Assert.Equal(["run 2"], (await Storage.PendingAsync("q", 10)).Select(b => S(b)));
    }

    private static readonly DateTimeOffset T0Contract = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_recurring_run_that_is_not_renewed_stops_counting_as_running()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        await Storage.BeginRecurringRunAsync("r1", "task-1/a", TimeSpan.FromMilliseconds(300));
        await Storage.BeginRecurringRunAsync("r1", "task-2/b", TimeSpan.FromMilliseconds(300));
        await Storage.BeginRecurringRunAsync("r1", "task-2/b", TimeSpan.FromMinutes(1)); // renewed
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Running);
        await Storage.EndRecurringRunAsync("r1", "task-2/b");
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Running);

        await Eventually.UntilAsync(async () => !(await Storage.GetRecurringAsync("r1"))!.Running, "the run's record to expire", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_send_repeated_with_the_same_id_stores_its_messages_once_and_other_sends_are_not_affected()
    {
        var send = new SendId("producer-a", 7);
        await Storage.EnqueueAsync("q", B("one"), send);
        await Storage.EnqueueAsync("q", B("one"), send);
        await Storage.EnqueueAsync("q", B("two"), new SendId("producer-a", 8));
        await Storage.EnqueueAsync("q", B("three"), new SendId("producer-b", 7));
        await Storage.EnqueueManyAsync("q", [B("four"), B("five")], new SendId("producer-a", 9));
        await Storage.EnqueueManyAsync("q", [B("four"), B("five")], new SendId("producer-a", 9));
        await Storage.EnqueueAsync("q", B("six"), new SendId("producer-a", 9 + 65536)); // the same bit of another block
        await Storage.EnqueueAsync("q", B("seven"));
        await Storage.EnqueueAsync("q", B("seven")); // without an id, every call stores

        var expected = Deduplicates
            ? new[] { "one", "two", "three", "four", "five", "six", "seven", "seven" }
            : ["one", "one", "two", "three", "four", "five", "four", "five", "six", "seven", "seven"];
        Assert.Equal(expected, await PendingText());

        var eta = (await Storage.GetTimeAsync()).AddHours(1);
        await Storage.ScheduleAsync("q", B("later"), eta, new SendId("producer-a", 10));
        await Storage.ScheduleAsync("q", B("later"), eta, new SendId("producer-a", 10));
        Assert.Equal(Deduplicates ? 1 : 2, (await Storage.ScheduledAsync(10)).Count);
    }

    /// <summary>Whether this storage keeps send ids (a storage whose calls never end with an unknown outcome need not).</summary>
    protected virtual bool Deduplicates => true;

    [Fact]
    public async Task A_lock_taken_by_hand_makes_a_no_overlap_fire_busy_and_an_overlapping_fire_ignores_it()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        Assert.True(await Storage.AcquireLockAsync(RecurringTasks.LockName("r1"), "someone", TimeSpan.FromMinutes(1)));

        var noOverlap = new RecurringFire("r1", 1, B("v2"), T0.AddMinutes(1), "q", B("run 1"), "task-1", TimeSpan.FromMinutes(1));
        Assert.Equal(RecurringFireStatus.Busy, await Storage.FireRecurringAsync(noOverlap));
        var entry = (await Storage.GetRecurringAsync("r1"))!;
        Assert.Equal(("v1", T0, 1L), (S(entry.Body), entry.NextRun, entry.Version));
        Assert.Empty(await PendingText());
        Assert.Equal("someone", await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));

        // Without a lock owner (overlap allowed) the lock is neither checked nor taken.
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(noOverlap with { LockOwner = null, LockTtl = default }));
        Assert.Equal("someone", await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));
        Assert.Equal(["run 1"], await PendingText());
    }

    [Fact]
    public async Task The_lock_a_recurring_fire_takes_expires_after_its_time_to_live()
    {
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", T0, null));
        var first = new RecurringFire("r1", 1, B("v2"), T0.AddMinutes(1), "q", B("run 1"), "task-1", TimeSpan.FromMilliseconds(300));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(first));
        Assert.True((await Storage.GetRecurringAsync("r1"))!.Busy);

        await Eventually.UntilAsync(async () => !(await Storage.GetRecurringAsync("r1"))!.Busy, "the run's lock to expire", TimeSpan.FromSeconds(10));
        Assert.Null(await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));
        var second = new RecurringFire("r1", 2, B("v3"), T0.AddMinutes(2), "q", B("run 2"), "task-2", TimeSpan.FromMinutes(1));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(second));
        Assert.Equal("task-2", await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));
    }

    [Fact]
    public async Task Deleting_a_recurring_record_leaves_its_lock_and_later_fires_find_it_missing()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", now.AddMinutes(-1), null));
        var fire = new RecurringFire("r1", 1, B("v2"), now.AddMinutes(-1), "q", B("run 1"), "task-1", TimeSpan.FromMinutes(1));
        Assert.Equal(RecurringFireStatus.Fired, await Storage.FireRecurringAsync(fire));

        Assert.True(await Storage.DeleteRecurringAsync("r1"));
        Assert.Null(await Storage.GetRecurringAsync("r1"));
        Assert.Null(await Storage.FindRecurringAsync("beans"));
        Assert.Empty((await Storage.DueRecurringAsync(10)).Entries);
        Assert.Equal("task-1", await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));
        Assert.Equal(RecurringFireStatus.Missing, await Storage.FireRecurringAsync(fire with { ExpectedVersion = 2, LockOwner = null }));
        Assert.Equal(["run 1"], await PendingText());

        // The label and the id are free for a new record, which starts at version 1.
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 1), await Storage.PutRecurringAsync(Write("r1", "beans", "new", null, null)));
    }

    [Fact]
    public async Task Flush_removes_periodic_marks_locks_and_recurring_records()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.FirePeriodicAsync("tick", T0, T0, "q", B("tick"));
        await Storage.AcquireLockAsync("l", "a", TimeSpan.FromMinutes(1));
        await Storage.PutRecurringAsync(Write("r1", "beans", "v1", now.AddMinutes(-1), null));
        await Storage.FireRecurringAsync(new RecurringFire("r1", 1, B("v2"), now.AddMinutes(-1), "q", B("run"), "task-1", TimeSpan.FromMinutes(1)));

        await Storage.FlushAsync();
        Assert.Null(await Storage.GetPeriodicLastFiredAsync("tick"));
        Assert.Null(await Storage.GetLockOwnerAsync("l"));
        Assert.Null(await Storage.GetLockOwnerAsync(RecurringTasks.LockName("r1")));
        Assert.Null(await Storage.GetRecurringAsync("r1"));
        Assert.Null(await Storage.FindRecurringAsync("beans"));
        Assert.Empty(await Storage.ListRecurringAsync(10));
        var due = await Storage.DueRecurringAsync(10);
        Assert.Empty(due.Entries);
        Assert.Null(due.NextDue);
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));

        Assert.True(await Storage.FirePeriodicAsync("tick", T0, T0, "q", B("tick")));
        Assert.Equal(new RecurringWriteResult(RecurringWriteStatus.Written, 1), await Storage.PutRecurringAsync(Write("r2", "beans", "v1", null, null)));
    }
}
