using System.Collections.Concurrent;
using System.Text.Json;
using TaskQueue.Consumer;
using TaskQueue.Redis;
using TaskQueue.Testing;

namespace TaskQueue.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "Cli";
}

public static class CliTasks
{
    public static readonly ConcurrentDictionary<string, int> Runs = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    [Task]
    public static int Multiply(int factor, string tag)
    {
        Runs.AddOrUpdate(tag, 1, (_, n) => n + 1);
        return factor * 2;
    }

    [Task]
    public static Task Wait(string gate) => Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    [Task]
    public static void Fail(string why) => throw new InvalidOperationException(why);

    [PeriodicTask("0 0 30 2 *")]
    public static void Never()
    {
    }
}

/// <summary>The <c>taskqueue</c> command run in this process against real Redis, its output read back.</summary>
[Collection(CliCollection.Name)]
public sealed class CliTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly string application = RedisServerFixture.NewApplicationName();
    private RedisStorage storage = null!;
    private TaskApp app = null!;

    public async Task InitializeAsync()
    {
        storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis.ConnectionString, ApplicationName = application });
        app = new TaskApp(storage);
    }

    public async Task DisposeAsync()
    {
        await storage.FlushAsync();
        await app.DisposeAsync();
        await storage.DisposeAsync();
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await TaskQueueCli.RunAsync(["--redis", redis.ConnectionString, "--app", application, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync([.. args, "--json"]);
        Assert.True(code == 0, $"exit {code}: {error}{output}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task Pending_and_scheduled_show_the_arguments_by_name_in_text_and_json()
    {
        var now = await Multiply.With(app).EnqueueAsync(21, "now");
        var later = await Multiply.With(app).ScheduleAsync(4, "later", delay: TimeSpan.FromHours(1));

        var pending = (await JsonAsync("pending")).EnumerateArray().Single();
        Assert.Equal(now.Id, pending.GetProperty("id").GetString());
        Assert.Equal(Multiply.Name, pending.GetProperty("task").GetString());
        Assert.Equal(21, pending.GetProperty("arguments").GetProperty("factor").GetInt32());
        Assert.Equal("now", pending.GetProperty("arguments").GetProperty("tag").GetString());

        var scheduled = (await JsonAsync("scheduled")).EnumerateArray().Single();
        Assert.Equal(later.Id, scheduled.GetProperty("id").GetString());
        Assert.True(scheduled.GetProperty("eta").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));

        var (code, text, _) = await RunAsync("pending");
        Assert.Equal(0, code);
        Assert.Contains("""{"factor":21,"tag":"now"}""", text);
        Assert.StartsWith("ID", text);

        var queues = (await JsonAsync("queues")).EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "default");
        Assert.Equal(1, queues.GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task Migrate_layout_moves_the_queues_of_the_single_slot_layout_and_says_what_it_moved()
    {
        await Multiply.With(app).EnqueueAsync(1, "a");
        await Multiply.With(app).EnqueueAsync(2, "b");
        var bodies = await storage.PendingAsync("default", 10);
        await storage.FlushAsync();
        // As TaskQueue 0.2 kept them: one list under the application's hash tag, entries with a delivery byte.
        var db = redis.Connection.GetDatabase();
        await db.ListRightPushAsync("{tq:" + application + "}:q:default", [.. bodies.Select(b => (StackExchange.Redis.RedisValue)(byte[])[0, .. b])]);

        var moved = (await JsonAsync("migrate-layout")).EnumerateArray().Single();
        Assert.Equal((2, "default"), (moved.GetProperty("queued").GetInt32(), moved.GetProperty("queues").GetString()));
        Assert.Equal([1, 2], (await JsonAsync("pending")).EnumerateArray().Select(m => m.GetProperty("arguments").GetProperty("factor").GetInt32()));
        Assert.Equal(0, (await JsonAsync("migrate-layout")).EnumerateArray().Single().GetProperty("queued").GetInt32());
    }

    [Fact]
    public async Task Dead_letters_are_listed_shown_requeued_by_match_and_deleted()
    {
        await Multiply.With(app).EnqueueAsync(1, "a");
        await Fail.With(app).EnqueueAsync("b");
        var bodies = await storage.PendingAsync("default", 10);
        await storage.FlushAsync();
        await storage.DeadLetterAsync("default", bodies[0], "reason one");
        await storage.DeadLetterAsync("default", bodies[1], "reason two");

        var letters = (await JsonAsync("dead", "list")).EnumerateArray().ToList();
        Assert.Equal(["reason two", "reason one"], letters.Select(l => l.GetProperty("reason").GetString()));
        string first = letters[1].GetProperty("id").GetString()!, second = letters[0].GetProperty("id").GetString()!;

        var shown = await JsonAsync("dead", "show", first);
        Assert.Equal(1, shown.GetProperty("arguments").GetProperty("factor").GetInt32());
        Assert.Equal(1, (await RunAsync("dead", "show", "999999")).Code);

        var requeued = await JsonAsync("dead", "requeue-all", "--task", Multiply.Name);
        Assert.Equal(1, requeued.GetProperty("requeued").GetInt32());
        Assert.Equal(Multiply.Name, (await app.PendingAsync()).Single().Name);

        var (code, output, _) = await RunAsync("dead", "delete", second);
        Assert.Equal((0, $"dead letter {second} deleted"), (code, output.Trim()));
        Assert.Empty(await app.DeadLettersAsync());
        Assert.Equal(1, (await RunAsync("dead", "requeue", second)).Code);
    }

    [Fact]
    public async Task Revoke_and_restore_a_task_and_an_instance()
    {
        Assert.Equal(0, (await RunAsync("revoke", "--task", Multiply.Name)).Code);
        Assert.True(await app.IsTaskRevokedAsync(Multiply.Name));
        Assert.Equal(0, (await RunAsync("restore", "--task", Multiply.Name)).Code);
        Assert.False(await app.IsTaskRevokedAsync(Multiply.Name));
        Assert.Equal(1, (await RunAsync("restore", "--task", Multiply.Name)).Code);

        Assert.Equal(0, (await RunAsync("revoke", "--id", "some-id", "--once")).Code);
        Assert.True(await app.IsRevokedByIdAsync("some-id"));
        var (code, _, error) = await RunAsync("revoke");
        Assert.Equal((2, "revoke takes --id or --task, one of them"), (code, error.Trim()));
    }

    [Fact]
    public async Task Workers_running_stats_and_results_come_from_a_live_consumer()
    {
        var options = new ConsumerOptions { Workers = 2, VisibilityTimeout = TimeSpan.FromSeconds(3), TakeWait = TimeSpan.FromMilliseconds(200) };
        await using var consumer = new TaskConsumer(app, options);
        consumer.Start();
        string gate = Guid.NewGuid().ToString("N");
        var waiting = await Wait.With(app).EnqueueAsync(gate);
        var done = await Multiply.With(app).EnqueueAsync(5, gate);
        Assert.Equal(10, await done.GetAsync(timeout: TimeSpan.FromSeconds(20), preserve: true));

        await Eventually.UntilAsync(async () => (await JsonAsync("running")).EnumerateArray().Any(r => r.GetProperty("id").GetString() == waiting.Id),
            "the waiting task to be listed as running");
        var worker = (await JsonAsync("workers")).EnumerateArray().Single();
        Assert.Equal(consumer.ConsumerId, worker.GetProperty("id").GetString());
        Assert.Equal(2, worker.GetProperty("workers").GetInt32());
        Assert.Equal(1, worker.GetProperty("running").GetInt32());

        var result = (await JsonAsync("results")).EnumerateArray().Single(r => r.GetProperty("id").GetString() == done.Id);
        Assert.Equal("value", result.GetProperty("status").GetString());

        await Eventually.UntilAsync(async () => (await JsonAsync("stats")).EnumerateArray()
            .Any(r => r.GetProperty("task").GetString() == Multiply.Name && r.GetProperty("last_minute").GetProperty("succeeded").GetInt64() == 1),
            "the run to be counted");
        var (code, text, _) = await RunAsync("stats");
        Assert.Equal(0, code);
        Assert.Contains(Multiply.Name, text);
        CliTasks.Gates[gate].TrySetResult();
    }

    [Fact]
    public async Task Periodic_tasks_are_listed_and_paused_and_recurring_records_managed_by_label()
    {
        var periodic = (await JsonAsync("periodic", "list")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == Never.Name);
        Assert.False(periodic.GetProperty("paused").GetBoolean());
        Assert.Equal(0, (await RunAsync("periodic", "pause", Never.Name)).Code);
        Assert.True((await JsonAsync("periodic", "list")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == Never.Name).GetProperty("paused").GetBoolean());
        var (code, _, error) = await RunAsync("periodic", "pause", "no.such.task");
        Assert.Equal(2, code);
        Assert.Contains("no periodic task named 'no.such.task'", error);

        var record = Multiply.With(app).Recurring(3, "nightly", schedule: "0 4 * * *", label: "nightly");
        await record.SaveAsync();
        var listed = (await JsonAsync("recurring", "list")).EnumerateArray().Single();
        Assert.Equal(("nightly", true), (listed.GetProperty("label").GetString(), listed.GetProperty("enabled").GetBoolean()));
        Assert.Equal(0, (await RunAsync("recurring", "disable", "nightly")).Code);
        Assert.False((await app.Recurring.GetAsync(record.Id))!.Enabled);
        Assert.Equal(0, (await RunAsync("recurring", "enable", record.Id)).Code);
        Assert.True((await app.Recurring.GetAsync(record.Id))!.Enabled);
        Assert.Equal(0, (await RunAsync("recurring", "run", "nightly")).Code);
        Assert.Single((await storage.DueRecurringAsync(10)).Entries);
        var shown = await JsonAsync("recurring", "show", "nightly");
        Assert.Equal("0 4 * * *", shown.GetProperty("schedule").GetString());
        Assert.Equal(0, (await RunAsync("recurring", "delete", "nightly")).Code);
        Assert.Equal(1, (await RunAsync("recurring", "delete", "nightly")).Code);
    }

    [Theory]
    [InlineData("dead", "show")]
    [InlineData("no-such-command")]
    [InlineData("pending", "--limit", "many")]
    public async Task Bad_usage_exits_2_not_1_which_means_not_found(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains("--help", error);
    }

    [Fact]
    public async Task Without_redis_it_says_how_to_name_one_and_exits_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string? saved = Environment.GetEnvironmentVariable("TASKQUEUE_REDIS");
        Environment.SetEnvironmentVariable("TASKQUEUE_REDIS", null);
        try
        {
            Assert.Equal(2, await TaskQueueCli.RunAsync(["queues"], output, error));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TASKQUEUE_REDIS", saved);
        }
        Assert.Contains("give --redis HOST:PORT (or TASKQUEUE_REDIS", error.ToString());
    }

    [Fact]
    public async Task An_assembly_given_with_assembly_makes_its_tasks_known()
    {
        string path = Path.Combine(Repository.Root, "samples", "SampleTasks", "bin", "Debug", "net10.0", "SampleTasks.dll");
        Assert.True(File.Exists(path), $"{path} is built with the solution");
        var queues = (await JsonAsync("queues", "--assembly", path)).EnumerateArray().Select(q => q.GetProperty("queue").GetString()).ToList();
        Assert.Contains("orders", queues); // the queue of a sample task, known only from that assembly

        var (code, _, error) = await RunAsync("queues", "--assembly", "no/such.dll");
        Assert.Equal(2, code);
        Assert.Contains("--assembly no/such.dll: no such file", error);
    }
}
