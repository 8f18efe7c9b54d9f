using System.Collections.Concurrent;
using TaskQueue.Consumer;
using TaskQueue.Messages;
using TaskQueue.Testing;
using Xunit;

namespace TaskQueue.FlowScenarios;

/// <summary>What the flow tasks record, keyed per test so that tests running in parallel never share an entry.</summary>
public static class FlowLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Entries = new();

    public static void Add(string key, string entry) => Entries.GetOrAdd(key, _ => new()).Enqueue(entry);

    public static IReadOnlyList<string> Of(string key) => Entries.TryGetValue(key, out var q) ? q.ToArray() : [];

    public static string NewKey() => Guid.NewGuid().ToString("N");
}

public static class FlowTasks
{
    [Task]
    public static int Add(int a, int b) => a + b;

    [Task]
    public static int Double(int x) => 2 * x;

    [Task]
    public static string Describe(int x, string unit) => $"{x} {unit}";

    [Task]
    public static string Shout(string text) => text.ToUpperInvariant();

    [Task]
    public static string Fail(int x) => throw new InvalidOperationException($"no {x}");

    /// <summary>Fails on its first run for <paramref name="key"/>, then returns <paramref name="x"/>.</summary>
    [Task(Retries = 2)]
    public static int Flaky(string key, int x)
    {
        FlowLog.Add(key, "flaky " + x);
        if (FlowLog.Of(key).Count(e => e == "flaky " + x) == 1) throw new InvalidOperationException("first run of " + x + " fails");
        return x;
    }

    [Task(Retries = 1)]
    public static int AlwaysFails(string key, int x)
    {
        FlowLog.Add(key, "fails " + x);
        throw new InvalidOperationException($"member {x} fails");
    }

    /// <summary>A chord callback: records each call, returns the sum.</summary>
    [Task]
    public static int Total(int[] values, string key)
    {
        FlowLog.Add(key, "total " + string.Join(",", values));
        return values.Sum();
    }

    [Task]
    public static string Joined(List<string> parts) => string.Join("+", parts);

    /// <summary>An error step: records the error it gets.</summary>
    [Task]
    public static string Handle(TaskError error, string key)
    {
        FlowLog.Add(key, $"error {error.TaskName}: {error.Message}");
        return error.Message;
    }

    [Task]
    public static void Mark(string key) => FlowLog.Add(key, "mark");
}

/// <summary>Pipelines, groups, map and chords through a real consumer, on whichever storage a subclass gives.</summary>
public abstract class FlowScenarioTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private TaskConsumer? consumer;

    protected TaskApp App { get; private set; } = null!;

    protected abstract TaskApp CreateApp();

    public Task InitializeAsync()
    {
        App = CreateApp();
        consumer = new TaskConsumer(App, new ConsumerOptions
        {
            Workers = 4,
            TakeWait = TimeSpan.FromMilliseconds(200),
            SchedulerInterval = TimeSpan.FromMilliseconds(10),
        });
        consumer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (consumer is not null) await consumer.DisposeAsync();
    }

    [Fact]
    public async Task A_pipeline_passes_each_result_to_the_next_step_and_each_step_has_a_handle()
    {
        var first = Add.S(1, 2);
        var second = Double.Step();
        var run = await first.Then(second).Then(Describe.Step("beans")).EnqueueAsync(App);

        Assert.Equal("6 beans", await run.Result.GetAsync(timeout: Wait));
        Assert.Equal(3, await run.Of(first).GetAsync(timeout: Wait, preserve: true));
        Assert.Equal(6, await run.Of(second).GetAsync(timeout: Wait));
        Assert.Equal(3, run.Ids.Distinct().Count());
    }

    [Fact]
    public async Task A_step_made_with_S_runs_after_the_one_before_without_its_result()
    {
        string key = FlowLog.NewKey();
        var run = await Mark.S(key).Then(Mark.S(key)).Then(Add.S(2, 2)).EnqueueAsync(App);

        Assert.Equal(4, await run.GetAsync(Wait));
        Assert.Equal(["mark", "mark"], FlowLog.Of(key));
    }

    [Fact]
    public async Task A_failing_step_stops_the_rest_runs_its_error_step_and_the_last_handle_names_it()
    {
        string key = FlowLog.NewKey();
        var run = await Add.S(1, 1).Then(Fail.Step()).Error(Handle.Step(key))
            .Then(Shout.Step()).EnqueueAsync(App);

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await run.Result.GetAsync(timeout: Wait));
        Assert.Contains(Fail.Name, e.Message);
        Assert.Contains("no 2", e.Message);
        await Eventually.UntilAsync(() => FlowLog.Of(key).Count == 1, "the error step to run");
        Assert.Equal($"error {Fail.Name}: no 2", FlowLog.Of(key)[0]);
    }

    [Fact]
    public async Task A_step_cancelled_by_a_pre_execute_hook_stops_the_pipeline_and_runs_its_error_step()
    {
        string key = FlowLog.NewKey();
        using var hook = App.Hooks.PreExecute((context, _) =>
            context.TaskName == Double.Name ? throw new CancelExecutionException(reason: "no doubling today") : ValueTask.CompletedTask);
        var run = await Add.S(1, 1).Then(Double.Step()).Error(Handle.Step(key)).Then(Describe.Step("never")).EnqueueAsync(App);

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await run.Result.GetAsync(timeout: Wait));
        Assert.Contains("no doubling today", e.Message);
        await Eventually.UntilAsync(() => FlowLog.Of(key).Count == 1, "the error step to run");
        Assert.Equal($"error {Double.Name}: no doubling today", FlowLog.Of(key)[0]);
    }

    [Fact]
    public async Task A_step_that_succeeds_on_a_retry_continues_the_pipeline()
    {
        string key = FlowLog.NewKey();
        var run = await Flaky.S(key, 5).Then(Double.Step()).EnqueueAsync(App);

        Assert.Equal(10, await run.GetAsync(Wait));
        Assert.Equal(2, FlowLog.Of(key).Count);
    }

    [Fact]
    public async Task Map_runs_every_item_and_reads_the_results_in_order()
    {
        var group = await Double.Map(Enumerable.Range(1, 20)).EnqueueAsync(App);

        var results = await group.GetAsync(Wait);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => 2 * i), results);
    }

    [Fact]
    public async Task A_group_of_different_tasks_reads_each_result_as_its_own_type()
    {
        var group = await TaskGroup.OfAny(Add.S(2, 3), Describe.S(7, "days")).EnqueueAsync(App);

        var results = await group.GetAsync(Wait);
        Assert.Equal(new object?[] { 5, "7 days" }, results);
    }

    [Fact]
    public async Task A_chord_runs_its_callback_once_with_every_result_in_member_order()
    {
        string key = FlowLog.NewKey();
        var chord = await Double.Map(Enumerable.Range(1, 10)).Then(Total.Step(key)).EnqueueAsync(App);

        Assert.Equal(110, await chord.GetAsync(Wait));
        Assert.Equal(["total 2,4,6,8,10,12,14,16,18,20"], FlowLog.Of(key));
        Assert.Equal(10, (await chord.Members.GetAsync(Wait)).Count);
    }

    [Fact]
    public async Task A_chord_whose_members_are_retried_runs_its_callback_once()
    {
        string key = FlowLog.NewKey(), members = FlowLog.NewKey();
        var calls = Enumerable.Range(1, 4).Select(i => Flaky.S(members, i));
        var chord = await TaskGroup.Of(calls).Then(Total.Step(key)).EnqueueAsync(App);

        Assert.Equal(10, await chord.GetAsync(Wait));
        Assert.Equal(["total 1,2,3,4"], FlowLog.Of(key));
        Assert.Equal(8, FlowLog.Of(members).Count);
    }

    [Fact]
    public async Task A_chord_with_a_failed_member_runs_its_error_step_instead_of_the_callback()
    {
        string key = FlowLog.NewKey(), members = FlowLog.NewKey();
        var chord = await TaskGroup.Of(Add.S(1, 1), AlwaysFails.S(members, 2))
            .Then(Total.Step(key)).Error(Handle.Step(key)).EnqueueAsync(App);

        var e = await Assert.ThrowsAsync<TaskFailedException>(async () => await chord.GetAsync(Wait));
        Assert.Contains("member 2 fails", e.Message);
        await Eventually.UntilAsync(() => FlowLog.Of(key).Count == 1, "the chord's error step to run");
        Assert.Equal($"error {AlwaysFails.Name}: member 2 fails", FlowLog.Of(key)[0]);
        Assert.Equal(2, FlowLog.Of(members).Count);
    }

    [Fact]
    public async Task A_chord_callback_can_take_a_list()
    {
        var chord = await TaskGroup.Of(Describe.S(1, "a"), Describe.S(2, "b")).Then(Joined.Step()).EnqueueAsync(App);

        Assert.Equal("1 a+2 b", await chord.GetAsync(Wait));
    }

    [Fact]
    public async Task A_signature_with_options_is_sent_with_them()
    {
        var run = await Add.S(20, 22).WithOptions(new TaskOptions { Priority = 3, Timeout = TimeSpan.FromMinutes(1) }).EnqueueAsync(App);

        Assert.Equal(42, await run.GetAsync(timeout: Wait));
    }

    [Fact]
    public async Task A_scheduled_pipeline_starts_at_its_time()
    {
        var run = await Add.S(1, 1).Then(Double.Step()).ScheduleAsync(delay: TimeSpan.FromMilliseconds(300), app: App);

        Assert.Equal(4, await run.GetAsync(Wait));
    }
}
