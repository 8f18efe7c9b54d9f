using TaskQueue.Consumer;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

/// <summary><see cref="TaskApp.MaxMessageSize"/>: refused at the call that sends, dead-lettered undecoded by a worker (issue #11).</summary>
public sealed class MessageSizeTests
{
    private const int Limit = 4096;

    private static TaskApp SmallApp(bool eager = false) => new(new MemoryStorage()) { MaxMessageSize = Limit, Eager = eager };

    private static readonly string TooLong = new('x', Limit);

    private static void AssertNamesTaskSizeAndLimit(TaskMessageTooLargeException e)
    {
        Assert.Equal(Echo.Name, e.TaskName);
        Assert.InRange(e.Size, Limit + 1, Limit + 200);
        Assert.Equal(Limit, e.Limit);
        Assert.Contains($"task '{Echo.Name}'", e.Message);
        Assert.Contains($"{e.Size:N0} bytes", e.Message);
        Assert.Contains("limit of 4,096 bytes", e.Message);
    }

    [Fact]
    public void The_limit_is_16_MiB_unless_set_and_at_least_1_KiB()
    {
        Assert.Equal(16 * 1024 * 1024, new TaskApp().MaxMessageSize);
        Assert.Equal(1024, new TaskApp { MaxMessageSize = 1024 }.MaxMessageSize);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TaskApp { MaxMessageSize = 16 });
        Assert.Equal(nameof(TaskApp.MaxMessageSize), e.ParamName);
    }

    [Fact]
    public async Task Enqueue_of_a_message_over_the_limit_throws_and_enqueues_nothing()
    {
        var app = SmallApp();

        var e = await Assert.ThrowsAsync<TaskMessageTooLargeException>(async () => await Echo.With(app).EnqueueAsync(TooLong));

        AssertNamesTaskSizeAndLimit(e);
        Assert.Empty(await app.PendingAsync());
        Echo.With(app).Enqueue(TooLong[..(Limit - 200)]);
        Assert.Single(await app.PendingAsync());
    }

    [Fact]
    public async Task Schedule_of_a_message_over_the_limit_throws_and_schedules_nothing()
    {
        var app = SmallApp();

        var e = Assert.Throws<TaskMessageTooLargeException>(() => Echo.With(app).Schedule(TooLong, delay: TimeSpan.FromMinutes(1)));

        AssertNamesTaskSizeAndLimit(e);
        Assert.Empty(await app.ScheduledAsync());
    }

    [Fact]
    public async Task EnqueueMany_with_one_message_over_the_limit_enqueues_none()
    {
        var app = SmallApp();

        var e = await Assert.ThrowsAsync<TaskMessageTooLargeException>(async () => await Echo.With(app).EnqueueManyAsync(["a", TooLong, "b"]));

        AssertNamesTaskSizeAndLimit(e);
        Assert.Empty(await app.PendingAsync());
    }

    [Fact]
    public void An_eager_app_refuses_what_a_consumer_would_dead_letter()
        => AssertNamesTaskSizeAndLimit(Assert.Throws<TaskMessageTooLargeException>(() => Echo.With(SmallApp(eager: true)).Enqueue(TooLong)));

    [Fact]
    public void A_recurring_task_whose_arguments_are_over_the_limit_is_refused()
    {
        var e = Assert.Throws<TaskMessageTooLargeException>(() => Echo.With(SmallApp()).Recurring(TooLong, "* * * * *"));

        Assert.Equal(Echo.Name, e.TaskName);
        Assert.Equal(Limit, e.Limit);
    }

    [Fact]
    public async Task A_worker_dead_letters_a_message_over_its_limit_without_decoding_it_naming_size_and_limit()
    {
        // Junk past the limit: a decoder would call it malformed; the size check comes first.
        var body = new byte[Limit + 1];
        body.AsSpan().Fill(0xc1);

        var completion = await new TaskExecutor(SmallApp()).ExecuteAsync(new TakenMessage("default", body, "1", 0), false, default);

        Assert.Equal(CompletionKind.DeadLetter, completion.Kind);
        Assert.Equal("message too large: 4,097 bytes, more than the limit of 4,096 bytes (TaskApp.MaxMessageSize)", completion.Reason);
    }

    [Fact]
    public async Task A_consumer_dead_letters_what_a_producer_with_a_higher_limit_sent_and_runs_the_rest()
    {
        var storage = new MemoryStorage();
        var producer = new TaskApp(storage);
        var worker = new TaskApp(storage) { MaxMessageSize = Limit };
        var big = Echo.With(producer).Enqueue(new string('y', 10_000));
        var small = Echo.With(producer).Enqueue("fits");
        await using var consumer = new TaskConsumer(worker, TestApps.FastOptions(workers: 1));
        consumer.Start();

        Assert.Equal("fits", await small.GetAsync(timeout: TestApps.Wait));
        await Eventually.UntilAsync(async () => (await worker.DeadLettersAsync()).Count == 1, "the large message to be dead-lettered");
        var dead = Assert.Single(await worker.DeadLettersAsync());
        Assert.StartsWith("message too large: 10,0", dead.Reason);
        Assert.Equal(big.Id, MessageCodec.Decode(dead.Body).Id);
    }
}
