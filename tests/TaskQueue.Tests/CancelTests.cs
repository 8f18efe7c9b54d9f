using System.Collections.Concurrent;
using System.Reflection;
using TaskQueue.Consumer;
using TaskQueue.Storage;
using TaskQueue.Tests.Tasks;
using TaskQueue.Testing;

namespace TaskQueue.Tests;

public sealed class CancelTests
{
    private static ConsumerOptions Options(int workers = 2)
    {
        var options = TestApps.FastOptions(workers);
        options.CancelPollInterval = TimeSpan.FromMilliseconds(20);
        return options;
    }

    [Fact]
    public async Task Cancelling_a_running_task_fires_its_token_and_ends_it_cancelled_without_a_retry()
    {
        var app = TestApps.Memory();
        var events = new ConcurrentQueue<TaskEvent>();
        using var subscription = app.Events.Subscribe(events.Enqueue);
        await using var consumer = new TaskConsumer(app, Options());
        consumer.Start();
        var key = Counters.NewKey();
        var handle = WaitForCancel.With(app).Enqueue(key);
        await HookTasks.Started(key).WaitAsync(TestApps.Wait);

        await handle.CancelAsync();

        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(timeout: TestApps.Wait));
        Assert.Equal("System.OperationCanceledException", error.RemoteType);
        Assert.Equal("cancelled by TaskApp.CancelAsync while it ran", error.RemoteMessage);
        Assert.Contains("cancelled by TaskApp.CancelAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, error.RetriesLeft);
        var about = events.Where(e => e.TaskId == handle.Id).Select(e => e.Kind).ToList();
        Assert.Contains(TaskEventKind.Cancelled, about);
        Assert.DoesNotContain(TaskEventKind.Error, about);
        Assert.DoesNotContain(TaskEventKind.Retrying, about);
        Assert.Equal(1, Counters.Get(key + ":start"));
        Assert.Equal(0, Counters.Get(key + ":end"));
        Assert.Empty(await app.ScheduledAsync());
        Assert.Equal(0, await app.Storage.QueueLengthAsync(TaskDescriptor.DefaultQueue));
    }

    [Fact]
    public async Task A_cancel_from_another_app_on_the_same_storage_reaches_the_run()
    {
        var storage = new MemoryStorage();
        var worker = new TaskApp(storage);
        var client = new TaskApp(storage);
        await using var consumer = new TaskConsumer(worker, Options());
        consumer.Start();
        var key = Counters.NewKey();
        var handle = WaitForCancel.With(client).Enqueue(key);
        await HookTasks.Started(key).WaitAsync(TestApps.Wait);

        await client.CancelAsync(handle.Id);

        Assert.Equal("System.OperationCanceledException",
            (await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(timeout: TestApps.Wait))).RemoteType);
    }

    [Fact]
    public async Task Cancelling_a_task_that_has_not_started_revokes_it_so_it_never_starts()
    {
        var app = TestApps.Memory();
        var key = Counters.NewKey();
        var handle = Counted.With(app).Enqueue(key);

        app.Cancel(handle.Id);
        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Cancelled, run!.Outcome);
        Assert.Equal([TaskEventKind.Revoked, TaskEventKind.Cancelled], run.Events.Select(e => e.Kind));
        Assert.Equal(0, Counters.Get(key));
        var error = await Assert.ThrowsAsync<TaskFailedException>(async () => await handle.GetAsync(blocking: false));
        Assert.Equal("cancelled by TaskApp.CancelAsync before it started", error.RemoteMessage);
    }

    [Fact]
    public async Task A_scheduled_task_that_is_cancelled_never_runs()
    {
        var (app, time) = TestApps.WithFakeTime();
        var key = Counters.NewKey();
        var handle = Counted.With(app).Schedule(key, delay: TimeSpan.FromMinutes(5));
        await handle.CancelAsync();
        time.Advance(TimeSpan.FromMinutes(5));
        var runner = new TaskRunner(app);

        Assert.Equal(1, await runner.PromoteDueAsync());
        Assert.Equal(TaskEventKind.Cancelled, (await runner.RunNextAsync())!.Outcome);
        Assert.Equal(0, Counters.Get(key));
    }

    [Fact]
    public async Task A_plain_revocation_is_still_only_a_skip()
    {
        var app = TestApps.Memory();
        var handle = Counted.With(app).Enqueue(Counters.NewKey());
        await handle.RevokeAsync();

        var run = await new TaskRunner(app).RunNextAsync();

        Assert.Equal(TaskEventKind.Revoked, run!.Outcome);
        Assert.False((await handle.TryGetAsync()).Ready);
    }

    [Fact]
    public async Task A_task_that_ignores_its_token_keeps_what_it_comes_to()
    {
        var app = TestApps.Memory();
        await using var consumer = new TaskConsumer(app, Options());
        consumer.Start();
        var key = Counters.NewKey();
        var handle = Stubborn.With(app).Enqueue(key, 300);
        await Eventually.UntilAsync(() => Counters.Get(key + ":start") == 1, "the task to start");

        await handle.CancelAsync();

        Assert.Equal(300, await handle.GetAsync(timeout: TestApps.Wait));
    }

    [Fact]
    public async Task Cancelling_a_finished_or_unknown_id_changes_nothing()
    {
        var app = TestApps.Memory();
        var sum = Add.With(app).Enqueue(1, 2);
        await new TaskRunner(app).RunNextAsync();

        await sum.CancelAsync();
        await app.CancelAsync(TaskId.New());

        Assert.Equal(3, await sum.GetAsync(blocking: false));
    }

    [Fact]
    public async Task The_consumer_asks_about_cancels_only_while_it_runs_tasks()
    {
        var (storage, calls) = CountingStorage.Over(new MemoryStorage());
        var app = new TaskApp(storage);
        var options = Options(workers: 1);
        options.TakeWait = TimeSpan.FromMilliseconds(20);
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        await Eventually.UntilAsync(() => calls.Count(nameof(ITaskStorage.TakeAsync)) >= 20, "the consumer to sit idle for 20 takes");
        Assert.Equal(0, calls.Count(nameof(ITaskStorage.ReadCancelRequestsAsync)));

        var key = Counters.NewKey();
        var held = Held.With(app).Enqueue(key);
        await Gates.Entered(key).WaitAsync(TestApps.Wait);
        await Eventually.UntilAsync(() => calls.Count(nameof(ITaskStorage.ReadCancelRequestsAsync)) >= 2, "the consumer to ask about its run");
        Gates.Release(key);
        await Eventually.UntilAsync(async () => await app.Storage.InFlightCountAsync() == 0, $"the run of {held} to be settled");
    }

    [Fact]
    public async Task Memory_storage_reads_back_only_the_requests_that_have_not_expired()
    {
        var (app, time) = TestApps.WithFakeTime();
        await app.Storage.RequestCancelAsync("a", TimeSpan.FromMinutes(1));
        await app.Storage.RequestCancelAsync("b", TimeSpan.FromMinutes(10));

        Assert.Equal(["a", "b"], (await app.Storage.ReadCancelRequestsAsync(["a", "b", "c"])).Order());
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(["b"], await app.Storage.ReadCancelRequestsAsync(["a", "b", "c"]));
    }

    /// <summary>Forwards to a real storage and counts the calls of each member.</summary>
    public class CountingStorage : DispatchProxy
    {
        private readonly ConcurrentDictionary<string, int> counts = new();

        public ITaskStorage Inner { get; set; } = null!;

        public static (ITaskStorage Storage, CountingStorage Calls) Over(ITaskStorage inner)
        {
            var storage = Create<ITaskStorage, CountingStorage>();
            var calls = (CountingStorage)(object)storage;
            calls.Inner = inner;
            return (storage, calls);
        }

        public int Count(string member) => counts.GetValueOrDefault(member);

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            counts.AddOrUpdate(method!.Name, 1, (_, n) => n + 1);
            return method.Invoke(Inner, args);
        }
    }
}
