using System.Diagnostics;
using System.Text;
using TaskQueue.Storage;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>The contract of priorities within a queue.</summary>
public abstract partial class StorageContractTests
{
    /// <summary>Takes until the queues are empty and returns the bodies in the order taken.</summary>
    private async Task<List<string>> DrainAsync(string consumer = "c1", params string[] queues)
    {
        var taken = new List<string>();
        while (true)
        {
            var batch = await Storage.TakeAsync(queues.Length == 0 ? ["q"] : queues, consumer, 100, TimeSpan.Zero);
            if (batch.Messages.Count == 0) return taken;
            taken.AddRange(batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
            await Storage.CompleteAsync(consumer, [.. batch.Messages.Select(Completion.Ack)]);
        }
    }

    [Fact]
    public async Task Higher_priorities_are_taken_first_and_equal_priorities_keep_their_order()
    {
        await Storage.EnqueueAsync("q", Utf8("a0"));
        await Storage.EnqueueAsync("q", Utf8("b5"), priority: 5);
        await Storage.EnqueueAsync("q", Utf8("c0"));
        await Storage.EnqueueAsync("q", Utf8("d-1"), priority: -1);
        await Storage.EnqueueManyAsync("q", [Utf8("e5"), Utf8("f5")], priority: 5);
        await Storage.EnqueueAsync("q", Utf8("g9"), priority: 9);

        Assert.Equal(7, await Storage.QueueLengthAsync("q"));
        Assert.Equal(["g9", "b5", "e5", "f5", "a0", "c0", "d-1"], await PendingText());
        Assert.Equal(["g9", "b5", "e5", "f5", "a0", "c0", "d-1"], await DrainAsync());
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
    }

    [Fact]
    public async Task A_retry_a_release_and_a_hand_back_keep_the_message_s_priority()
    {
        await Storage.EnqueueAsync("q", Utf8("urgent"), priority: 3);
        await Storage.EnqueueAsync("q", Utf8("urgent-2"), priority: 3);
        await Storage.EnqueueAsync("q", Utf8("plain"));
        var first = await Storage.TakeAsync(["q"], "c1", 2, TimeSpan.Zero);
        Assert.Equal(["urgent", "urgent-2"], first.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        await Storage.EnqueueAsync("q", Utf8("later"));

        // A retry goes to the tail of its priority (before every plain message), a release to the head.
        await Storage.CompleteAsync("c1", [Completion.Retry(first.Messages[0], Utf8("urgent-retry"), TimeSpan.Zero), Completion.Release(first.Messages[1])]);
        Assert.Equal(["urgent-2", "urgent-retry", "plain", "later"], await PendingText());

        // A consumer whose heartbeat is gone has its messages handed back into their priority.
        var taken = await Storage.TakeAsync(["q"], "gone", 1, TimeSpan.Zero);
        Assert.Equal("urgent-2", Encoding.UTF8.GetString(Assert.Single(taken.Messages).Body.Span));
        Assert.Equal(1, (await Storage.ReapAsync(5)).Requeued);
        Assert.Equal(["urgent-2", "urgent-retry", "plain", "later"], await DrainAsync());
    }

    [Fact]
    public async Task A_scheduled_message_and_a_delayed_retry_are_promoted_into_their_priority()
    {
        var now = await Storage.GetTimeAsync();
        await Storage.EnqueueAsync("q", Utf8("plain"));
        await Storage.ScheduleAsync("q", Utf8("scheduled"), now.AddSeconds(-1), priority: 2);
        await Storage.EnqueueAsync("q", Utf8("high"), priority: 2);
        var taken = Assert.Single((await Storage.TakeAsync(["q"], "c1", 1, TimeSpan.Zero)).Messages);
        Assert.Equal("high", Encoding.UTF8.GetString(taken.Body.Span));
        await Storage.CompleteAsync("c1", [Completion.Retry(taken, Utf8("high-retry"), TimeSpan.FromMilliseconds(1))]);
        await Eventually.UntilAsync(async () =>
        {
            await Storage.PromoteDueAsync(100);
            return (await Storage.QueueLengthAsync("q")) == 3;
        }, "the scheduled message and the retry to be due");
        Assert.Equal(["scheduled", "high-retry", "plain"], await DrainAsync());
    }

    [Fact]
    public async Task Periodic_and_recurring_fires_carry_their_priority()
    {
        await Storage.EnqueueAsync("q", Utf8("plain"));
        Assert.True(await Storage.FirePeriodicAsync("tick", T0, T0, "q", Utf8("periodic"), priority: 4));
        await Storage.PutRecurringAsync(new RecurringWrite("r1", "every", Utf8("body"), T0, null));
        var entry = (await Storage.GetRecurringAsync("r1"))!;
        Assert.Equal(RecurringFireStatus.Fired,
            await Storage.FireRecurringAsync(new RecurringFire("r1", entry.Version, Utf8("body2"), null, "q", Utf8("recurring"), Priority: 7)));
        Assert.Equal(["recurring", "periodic", "plain"], await DrainAsync());
    }

    [Fact]
    public async Task A_waiting_take_wakes_for_a_message_of_another_priority()
    {
        var take = Storage.TakeAsync(["q"], "c1", 10, TimeSpan.FromSeconds(10)).AsTask();
        await Task.Delay(100);
        Assert.False(take.IsCompleted);
        var clock = Stopwatch.StartNew();
        await Storage.EnqueueAsync("q", Utf8("urgent"), priority: 8);
        var batch = await take.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["urgent"], batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"woke after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(0, await Storage.QueueLengthAsync("q"));
    }
}
