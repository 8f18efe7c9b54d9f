using MessagePack;
using TaskQueue.Execution;
using TaskQueue.Serialization;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary>Sends with a deduplication key: one pending run per task and key, whose id a duplicate gets back.</summary>
public sealed class DeduplicationTests
{
    private static ReadOnlyMemory<byte> AddArgs(int a, int b) => PayloadBuffer.Encode((a, b), static (ref MessagePackWriter w, (int A, int B) v) =>
    {
        w.WriteArrayHeader(2);
        w.Write(v.A);
        w.Write(v.B);
    });

    private static ReadOnlyMemory<byte> KeyArgs(string key, int n) => PayloadBuffer.Encode((key, n), static (ref MessagePackWriter w, (string Key, int N) v) =>
    {
        w.WriteArrayHeader(2);
        w.Write(v.Key);
        w.Write(v.N);
    });

    private static async Task<Completion> RunNextAsync(TaskApp app)
    {
        var taken = Assert.Single((await app.Storage.TakeAsync([TaskDescriptor.DefaultQueue], "c1", 1, TimeSpan.FromMilliseconds(10))).Messages);
        var completion = await new TaskExecutor(app).ExecuteAsync(taken, true, default);
        await app.Storage.CompleteAsync("c1", [completion]);
        return completion;
    }

    [Fact]
    public async Task A_second_send_with_the_same_key_while_the_first_is_pending_stores_nothing_and_returns_the_first_run_s_id()
    {
        var app = TestApps.Memory();
        var first = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(1, 2), "order-7");
        var second = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(3, 4), "order-7");
        var otherKey = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(5, 6), "order-8");
        var otherTask = await app.EnqueueDeduplicatedAsync(Echo.Descriptor, PayloadBuffer.Encode("x", static (ref MessagePackWriter w, string s) =>
        {
            w.WriteArrayHeader(1);
            w.Write(s);
        }), "order-7");

        Assert.Equal(first, second);
        Assert.Equal(3, new HashSet<string> { first, otherKey, otherTask }.Count);
        Assert.Equal(3, await app.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
        await RunNextAsync(app);
        Assert.Equal(3, await Add.With(app).Result(second).GetAsync(timeout: TestApps.Wait)); // the first run's result
    }

    [Fact]
    public async Task The_key_is_freed_when_the_run_finishes_so_a_later_send_is_stored()
    {
        var app = TestApps.Memory();
        var first = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(1, 2), "k");
        await RunNextAsync(app);

        var later = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(3, 4), "k");
        Assert.NotEqual(first, later);
        await RunNextAsync(app);
        Assert.Equal(7, await Add.With(app).Result(later).GetAsync(timeout: TestApps.Wait));
    }

    [Fact]
    public async Task A_failing_run_keeps_its_key_through_its_retries_and_frees_it_when_it_fails_for_good()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var first = await app.EnqueueDeduplicatedAsync(FailTimes.Descriptor, KeyArgs(key, 10), "k");

        for (int attempt = 0; attempt < 3; attempt++)
        {
            // Pending between attempts: a duplicate still gets the first run's id.
            Assert.Equal(first, await app.EnqueueDeduplicatedAsync(FailTimes.Descriptor, KeyArgs(key, 0), "k"));
            var completion = await RunNextAsync(app);
            Assert.Equal(attempt < 2 ? CompletionKind.Retry : CompletionKind.Result, completion.Kind);
        }
        Assert.NotEqual(first, await app.EnqueueDeduplicatedAsync(FailTimes.Descriptor, KeyArgs(key, 0), "k"));
    }

    [Fact]
    public async Task A_revoked_run_frees_its_key()
    {
        var app = TestApps.Memory();
        var first = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(1, 2), "k");
        await Add.With(app).Result(first).RevokeAsync();
        Assert.Equal(CompletionKind.Ack, (await RunNextAsync(app)).Kind);

        Assert.NotEqual(first, await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(1, 2), "k"));
    }

    [Fact]
    public async Task A_run_whose_key_expired_leaves_the_key_of_a_later_send_alone()
    {
        var (app, time) = TestApps.WithFakeTime();
        var first = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(1, 2), "k", TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(2));
        var second = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(3, 4), "k");
        Assert.NotEqual(first, second);

        await RunNextAsync(app); // the first run ends: the key is the second's now
        Assert.Equal(second, await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(5, 6), "k"));
    }

    [Fact]
    public async Task A_send_made_again_after_a_lost_reply_reports_its_own_id_and_is_stored_once()
    {
        var app = TestApps.Memory();
        var message = app.NewMessage(Add.Descriptor, AddArgs(1, 2), new TaskOptions { DeduplicationKey = "k" }, eta: null);
        var enqueued = 0;
        using var _ = app.Events.Subscribe(e => { if (e.Kind == TaskEventKind.Enqueued) Interlocked.Increment(ref enqueued); });

        Assert.Equal(message.Id, await app.SendDeduplicatedAsync(Add.Descriptor, message, null, 0, default));
        Assert.Equal(message.Id, await app.SendDeduplicatedAsync(Add.Descriptor, message, null, 0, default));
        Assert.Equal(1, await app.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
        Assert.Equal(2, enqueued);
    }

    [Fact]
    public async Task In_eager_mode_a_deduplicated_send_runs_at_once()
    {
        await using var app = new TaskApp { Eager = true };
        var id = await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(2, 2), "k");
        Assert.Equal(4, await Add.With(app).Result(id).GetAsync(timeout: TestApps.Wait));
        Assert.NotEqual(id, await app.EnqueueDeduplicatedAsync(Add.Descriptor, AddArgs(2, 2), "k"));
    }
}
