using MessagePack;
using TaskQueue.Messages;
using TaskQueue.Serialization;
using TaskQueue.Testing;
using TaskQueue.Worker.TestHost;

namespace TaskQueue.Worker.Tests;

[Collection(WorkerCollection.Name)]
public sealed class WorkerProcessTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private Task<Scenario> NewScenario() => Scenario.CreateAsync(redis.ConnectionString, redis.Connection);

    [Fact]
    public async Task A_worker_killed_mid_task_has_its_tasks_run_by_another_and_none_runs_twice_at_once()
    {
        await using var s = await NewScenario();
        var a = await s.StartWorkerAsync("-w", "4", "--name", "victim");
        var b = await s.StartWorkerAsync("-w", "4", "--name", "survivor");
        var handles = await Tracked.With(s.App).EnqueueManyAsync(Enumerable.Range(0, 1000).Select(n => (n, 20)));

        // Kill the victim while it is in the middle of tasks (it just started one).
        await Eventually.UntilAsync(async () => (int?)await s.Db.StringGetAsync(s.Key("last-pid")) == a.Id, "the victim to be running a task");
        a.KillHard();

        for (int n = 0; n < handles.Count; n++)
        {
            Assert.Equal(n, await handles[n].GetAsync(timeout: Long));
        }
        Assert.Equal(0, await s.Db.ListLengthAsync(s.Key("overlaps")));
        var restarted = 0;
        for (int n = 0; n < 1000; n++) if ((int)await s.Db.StringGetAsync(s.Key($"starts:{n}")) > 1) restarted++;
        Assert.True(restarted > 0, "no task was started twice: the kill did not land mid-task");
        Assert.False(b.HasExited, b.Dump());
    }

    [Fact]
    public async Task A_chord_whose_member_s_worker_is_killed_runs_its_callback_exactly_once()
    {
        await using var s = await NewScenario();
        var a = await s.StartWorkerAsync("-w", "4", "--name", "victim");
        var b = await s.StartWorkerAsync("-w", "4", "--name", "survivor");
        var chord = await Tracked.Map(Enumerable.Range(0, 400).Select(n => (n, 20))).Then(ChordTotal.Step()).EnqueueAsync(s.App);

        await Eventually.UntilAsync(async () => (int?)await s.Db.StringGetAsync(s.Key("last-pid")) == a.Id, "the victim to be running a member");
        a.KillHard();

        Assert.Equal(Enumerable.Range(0, 400).Sum(), await chord.GetAsync(Long));
        Assert.Equal(1, (int)await s.Db.StringGetAsync(s.Key("chord-callbacks")));
        Assert.Equal(0, await s.Db.ListLengthAsync(s.Key("overlaps")));
        var restarted = 0;
        for (int n = 0; n < 400; n++) if ((int)await s.Db.StringGetAsync(s.Key($"starts:{n}")) > 1) restarted++;
        Assert.True(restarted > 0, "no member was started twice: the kill did not land mid-chord");
        Assert.False(b.HasExited, b.Dump());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Several_worker_processes_run_every_task_exactly_once(int processes)
    {
        await using var s = await NewScenario();
        for (int i = 0; i < processes; i++) await s.StartWorkerAsync("-w", "2");
        var handles = await Count.With(s.App).EnqueueManyAsync(Enumerable.Range(0, 1000));
        foreach (var h in handles) await h.GetAsync(timeout: Long);
        var counts = await s.Db.HashGetAllAsync(s.Key("counts"));
        Assert.Equal(1000, counts.Length);
        Assert.All(counts, c => Assert.Equal(1, (int)c.Value));
    }

    [Fact]
    public async Task Workers_reconnect_after_redis_restarts_and_finish_every_task()
    {
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        var storage = await Redis.RedisStorage.ConnectAsync(new Redis.RedisStorageOptions { ConnectionString = server.ConnectionString, ApplicationName = "restart" });
        await using var app = new TaskApp(storage);
        var args = new[] { "--redis", server.ConnectionString, "--app", "restart", "-w", "2", "--visibility-timeout", "3" };
        await using var w1 = await WorkerProcess.StartAsync(args);
        await using var w2 = await WorkerProcess.StartAsync(args);

        var before = await Twice.With(app).EnqueueManyAsync(Enumerable.Range(0, 300));
        await server.ShutdownAsync();
        await server.StartAgainAsync();
        var after = await EnqueueWhenReachable(() => Twice.With(app).EnqueueManyAsync(Enumerable.Range(300, 300)).AsTask());

        var all = before.Concat(after).ToList();
        for (int n = 0; n < all.Count; n++) Assert.Equal(2 * n, await all[n].GetAsync(timeout: Long));
        Assert.False(w1.HasExited, w1.Dump());
        Assert.False(w2.HasExited, w2.Dump());
    }

    private static async Task<T> EnqueueWhenReachable<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + Long;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && (e is StackExchange.Redis.RedisConnectionException or TimeoutException or StackExchange.Redis.RedisTimeoutException
                                        || e.Message.Contains("LOADING", StringComparison.Ordinal)))
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task Bad_messages_go_to_dead_letters_and_the_worker_runs_the_good_tasks_around_them()
    {
        await using var s = await NewScenario();
        await s.StartWorkerAsync("-w", "1");
        var first = Twice.With(s.App).Enqueue(1);
        await s.App.Storage.EnqueueAsync("default", new byte[] { 0xc1, 0x00, 0xff });
        await s.App.Storage.EnqueueAsync("default", MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = "Gone.Task", Arguments = new byte[] { 0x90 } }));
        var wrongArgs = PayloadBuffer.Encode(0, static (ref MessagePackWriter w, int _) => { w.WriteArrayHeader(1); w.Write("not a number"); });
        await s.App.Storage.EnqueueAsync("default", MessageCodec.Encode(new TaskMessage { Id = TaskId.New(), Name = Twice.Name, Arguments = wrongArgs }));
        var last = Twice.With(s.App).Enqueue(2);

        Assert.Equal(2, await first.GetAsync(timeout: Long));
        Assert.Equal(4, await last.GetAsync(timeout: Long));
        await Eventually.UntilAsync(async () => (await s.App.DeadLettersAsync()).Count == 3, "three dead letters");
        var reasons = (await s.App.DeadLettersAsync()).Select(d => d.Reason).ToList();
        Assert.Contains(reasons, r => r.StartsWith("malformed message"));
        Assert.Contains(reasons, r => r.Contains("no task named 'Gone.Task'"));
        Assert.Contains(reasons, r => r.Contains("argument 'n'"));
    }

    [Fact]
    public async Task SIGTERM_lets_a_running_task_finish_store_its_result_and_exit_0()
    {
        await using var s = await NewScenario();
        var worker = await s.StartWorkerAsync("-w", "1");
        var r = Linger.With(s.App).Enqueue(2000);
        await Eventually.UntilAsync(async () => (await s.Db.StringGetAsync(s.Key("linger:started"))).HasValue, "the task to start");
        worker.Signal(15);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("lingered 2000 ms", await r.GetAsync(blocking: false));
        Assert.Contains(worker.Output, l => l.Contains("SIGTERM received"));
    }

    [Fact]
    public async Task A_second_signal_stops_at_once_and_hands_the_task_back()
    {
        await using var s = await NewScenario();
        var worker = await s.StartWorkerAsync("-w", "1", "--no-periodic");   // the test host's every-second task would be pending too
        var r = Linger.With(s.App).Enqueue(60_000);
        await Eventually.UntilAsync(async () => (await s.Db.StringGetAsync(s.Key("linger:started"))).HasValue, "the task to start");
        worker.Signal(15);
        await Eventually.UntilAsync(() => worker.Output.Any(l => l.Contains("SIGTERM received")), "the first signal to be seen");
        // SIGTERM again: a process started in the background of a non-interactive shell (as CI runs
        // this suite) inherits SIGINT ignored, and .NET keeps it ignored, so Ctrl-C cannot be tested there.
        worker.Signal(15);
        int code = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(code == 1, $"exit code {code}; the worker said:\n{worker.Dump()}");
        Assert.Equal(r.Id, Assert.Single(await s.App.PendingAsync()).Id);
    }

    [Fact]
    public async Task A_task_deaf_to_cancellation_is_handed_back_after_the_grace_and_the_worker_exits_3()
    {
        await using var s = await NewScenario();
        var worker = await s.StartWorkerAsync("-w", "1", "--grace", "1", "--no-periodic");
        var r = Deaf.With(s.App).Enqueue(60_000);
        await Eventually.UntilAsync(async () => (await s.Db.StringGetAsync(s.Key("deaf:started"))).HasValue, "the task to start");
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        worker.Signal(15);
        int code = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.True(code == ExitCodes.TasksLeftRunning, $"exit code {code}; the worker said:\n{worker.Dump()}");
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));   // 1 s grace + 1 s to honour the token, with room
        Assert.Contains(worker.Output, l => l.Contains("ignored their cancellation token"));
        Assert.Equal(r.Id, Assert.Single(await s.App.PendingAsync()).Id);
        Assert.Equal(0, await s.App.Storage.InFlightCountAsync());
    }

    [Fact]
    public async Task A_redis_outage_is_one_warning_and_one_recovery_line_and_ready_waits_for_redis()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await server.ShutdownAsync();
        var args = new[] { "--redis", server.ConnectionString, "--app", "outage", "-w", "4", "--visibility-timeout", "3" };
        await using var worker = await WorkerProcess.StartAsync(args, waitReady: false);
        await Eventually.UntilAsync(() => worker.Output.Any(l => l.Contains("Storage failing")), "the worker to say it cannot reach Redis");
        Assert.DoesNotContain(worker.Output, l => l.Contains(" ready:"));

        await server.StartAgainAsync();
        await Eventually.UntilAsync(() => worker.Output.Any(l => l.Contains(" ready:")), "the worker to be ready once Redis is up");
        var storage = await Redis.RedisStorage.ConnectAsync(new Redis.RedisStorageOptions { ConnectionString = server.ConnectionString, ApplicationName = "outage" });
        await using var app = new TaskApp(storage);
        Assert.Equal(2, await Twice.With(app).Enqueue(1).GetAsync(timeout: Long));

        // A second outage of three seconds while the worker runs.
        await server.ShutdownAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await server.StartAgainAsync();
        var after = await EnqueueWhenReachable(() => Twice.With(app).EnqueueAsync(2).AsTask());
        Assert.Equal(4, await after.GetAsync(timeout: Long));
        await Eventually.UntilAsync(() => worker.Output.Count(l => l.Contains("Storage back")) == 2, "a recovery line for each outage");

        Assert.Equal(2, worker.Output.Count(l => l.Contains("Storage failing")));
        Assert.DoesNotContain(worker.Output, l => l.Contains("fail:") || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.False(worker.HasExited, worker.Dump());
    }
}
