using System.Diagnostics;
using TaskQueue.Redis;
using TaskQueue.Testing;
using TaskQueue.Worker.TestHost;

namespace TaskQueue.Worker.Tests;

/// <summary>What a client and workers see when Redis dies under them and comes back.</summary>
[Collection(WorkerCollection.Name)]
public sealed class FailoverTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_producer_enqueueing_and_reading_results_through_a_redis_kill_loses_nothing_runs_nothing_twice_and_leaves_nothing_in_flight()
    {
        // The killed server keeps its data as a primary with an fsync per write would; the probe the
        // tasks count their runs in is another server that stays up.
        await using var server = await RedisServerProcess.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        const string application = "failover";
        string prefix = "probe-failover-" + Guid.NewGuid().ToString("N")[..8];
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = server.ConnectionString, ApplicationName = application });
        await using var app = new TaskApp(storage) { StorageRetryTime = TimeSpan.FromSeconds(30) };
        var environment = new Dictionary<string, string> { ["TASKQUEUE_PROBE_REDIS"] = redis.ConnectionString, ["TASKQUEUE_PROBE_PREFIX"] = prefix };
        string[] arguments = ["--redis", server.ConnectionString, "--app", application, "-w", "2", "--no-periodic"];
        await using var w1 = await WorkerProcess.StartAsync(arguments, environment);
        await using var w2 = await WorkerProcess.StartAsync(arguments, environment);

        const int total = 3000;
        var handles = new TaskResult<int>?[total];
        int produced = 0;
        var slowest = TimeSpan.Zero;
        var produce = Task.Run(async () =>
        {
            for (int n = 0; n < total; n++)
            {
                var clock = Stopwatch.StartNew();
                Volatile.Write(ref handles[n], await Count.With(app).EnqueueAsync(n));
                if (clock.Elapsed > slowest) slowest = clock.Elapsed;
                Interlocked.Increment(ref produced);
                if (n % 20 == 0) await Task.Delay(1);
            }
        });
        var read = Task.Run(async () =>
        {
            for (int n = 0; n < total; n++)
            {
                TaskResult<int>? handle;
                while ((handle = Volatile.Read(ref handles[n])) is null) await Task.Delay(1);
                Assert.Equal(n, await handle.GetAsync(timeout: Long));
            }
        });

        await Eventually.UntilAsync(() => Task.FromResult(Volatile.Read(ref produced) >= total / 3), "a third of the tasks to be enqueued", Long);
        await server.KillAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(produce.IsCompleted, "the producer finished before the outage: nothing was tested");
        await server.StartAgainAsync();

        await produce.WaitAsync(Long);
        await read.WaitAsync(Long);
        Assert.True(slowest > TimeSpan.FromMilliseconds(500), $"no enqueue waited out the outage (slowest {slowest.TotalMilliseconds:0} ms)");

        var counts = await redis.Connection.GetDatabase().HashGetAllAsync(prefix + ":counts");
        Assert.Equal(total, counts.Length);
        Assert.Empty(counts.Where(c => (int)c.Value != 1).Select(c => $"task {c.Name} ran {c.Value} times"));
        var left = await storage.CountAsync([TaskDescriptor.DefaultQueue]);
        Assert.Equal((0L, 0L, 0L, 0L), (left.QueueLengths[0], left.Scheduled, left.InFlight, left.DeadLetters));
        Assert.False(w1.HasExited, w1.Dump());
        Assert.False(w2.HasExited, w2.Dump());
        await redis.Connection.GetDatabase().KeyDeleteAsync(prefix + ":counts");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_recurring_record_is_running_exactly_while_a_worker_process_runs_it(bool allowOverlap)
    {
        await using var s = await Scenario.CreateAsync(redis.ConnectionString, redis.Connection);
        var record = Linger.With(s.App).Recurring(1500, schedule: "* * * * * *", iterations: 1, allowOverlap: allowOverlap);
        await record.SaveAsync();
        // A worker on another queue fires the record: its run waits in the default queue, which nobody serves yet.
        await s.StartWorkerAsync("--no-periodic", "--queue", "elsewhere");
        await Eventually.UntilAsync(async () => (await s.App.Recurring.GetAsync(record.Id))!.RunCount == 1, "the record to fire", Long);
        var queued = (await s.App.Recurring.GetAsync(record.Id))!;
        Assert.Equal((false, !allowOverlap), (queued.Running, queued.Busy));

        await s.StartWorkerAsync("--no-periodic");
        await Eventually.UntilAsync(async () => await s.Db.KeyExistsAsync(s.Key("linger:started")), "the run to start", Long);
        var running = (await s.App.Recurring.GetAsync(record.Id))!;
        Assert.Equal((true, !allowOverlap), (running.Running, running.Busy));

        await Eventually.UntilAsync(async () => !(await s.App.Recurring.GetAsync(record.Id))!.Running, "the run to end", Long);
        var done = (await s.App.Recurring.GetAsync(record.Id))!;
        Assert.False(done.Busy);
        Assert.Equal("lingered 1500 ms", await Linger.With(s.App).Result(await LastTaskIdAsync(s)).GetAsync(timeout: Long));
    }

    private static async Task<string> LastTaskIdAsync(Scenario s)
    {
        // The run stops counting as running before its result is stored.
        await Eventually.UntilAsync(async () => (await s.App.ResultsAsync()).Count > 0, "the run's result", Long);
        return Assert.Single(await s.App.ResultsAsync()).Key;
    }
}
