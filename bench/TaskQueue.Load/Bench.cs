using System.Diagnostics;
using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Redis;

namespace TaskQueue.Load;

/// <summary>The measurements, each on a fresh application namespace of one Redis (the priority drain: <c>Bench.Priorities.cs</c>).</summary>
internal sealed partial class Bench : IAsyncDisposable
{
    private readonly string redis;
    private readonly ConnectionMultiplexer mux;
    private TaskApp app;
    private string application;

    private Bench(string redis, ConnectionMultiplexer mux, TaskApp app, string application)
    {
        this.redis = redis;
        this.mux = mux;
        this.app = app;
        this.application = application;
    }

    public static async Task<Bench> CreateAsync(string redis)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var (app, name) = await NewAppAsync(redis);
        return new Bench(redis, mux, app, name);
    }

    private static async Task<(TaskApp, string)> NewAppAsync(string redis)
    {
        var name = "load" + Guid.NewGuid().ToString("N")[..8];
        var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis, ApplicationName = name });
        return (new TaskApp(storage) { ResultTtl = TimeSpan.FromMinutes(10) }, name);
    }

    private async Task FreshAsync()
    {
        await app.Storage.FlushAsync();
        Observed.Reset();
    }

    /// <summary>The bound for one-at-a-time enqueue on this stack: a bare awaited RPUSH of the same bytes through StackExchange.Redis.</summary>
    public async Task<double> BareRpushAsync(int n)
    {
        var db = mux.GetDatabase();
        RedisKey key = $"{{tq:{application}}}:bare";
        var payload = new byte[56];
        for (int i = 0; i < 1000; i++) await db.ListRightPushAsync(key, payload);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) await db.ListRightPushAsync(key, payload);
        var rate = n / clock.Elapsed.TotalSeconds;
        await db.KeyDeleteAsync(key);
        return rate;
    }

    public async Task<double> EnqueueOneAtATimeAsync(int n)
    {
        await FreshAsync();
        var noop = Noop.With(app);
        for (int i = 0; i < 1000; i++) await noop.EnqueueAsync();   // warm-up
        await FreshAsync();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) await noop.EnqueueAsync();
        return n / clock.Elapsed.TotalSeconds;
    }

    public async Task<double> EnqueueBatchedAsync(int n, int batch)
    {
        await FreshAsync();
        var noop = Noop.With(app);
        await noop.EnqueueManyAsync(batch);   // warm-up
        await FreshAsync();
        var clock = Stopwatch.StartNew();
        for (int sent = 0; sent < n; sent += batch) await noop.EnqueueManyAsync(Math.Min(batch, n - sent));
        return n / clock.Elapsed.TotalSeconds;
    }

    public async Task<double> BytesPerQueuedTaskAsync(int n)
    {
        await FreshAsync();
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        long before = await UsedMemoryAsync(server);
        var noop = Noop.With(app);
        for (int sent = 0; sent < n; sent += 1000) await noop.EnqueueManyAsync(Math.Min(1000, n - sent));
        long after = await UsedMemoryAsync(server);
        await FreshAsync();
        return (after - before) / (double)n;
    }

    private static async Task<long> UsedMemoryAsync(IServer server)
    {
        var info = await server.InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(kv => kv.Key == "used_memory").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Redis' own CPU time so far (<c>INFO cpu</c>: user + system seconds of the server process).</summary>
    private async Task<double> RedisCpuSecondsAsync()
    {
        var info = await mux.GetServer(mux.GetEndPoints()[0]).InfoAsync("cpu");
        var values = info.SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return double.Parse(values["used_cpu_user"], System.Globalization.CultureInfo.InvariantCulture)
               + double.Parse(values["used_cpu_sys"], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Redis CPU microseconds per message sent: a bare awaited RPUSH of the same bytes (batch 0),
    /// one enqueue at a time (batch 1), or EnqueueManyAsync of <paramref name="batch"/> messages.
    /// Redis' CPU counter moves in steps of a few milliseconds, so each phase runs for long enough.
    /// </summary>
    public async Task<double> RedisCpuPerEnqueueAsync(int n, int batch)
    {
        await FreshAsync();
        var noop = Noop.With(app);
        var db = mux.GetDatabase();
        RedisKey bare = $"{{tq:{application}}}:bare";
        var payload = new byte[56];
        double before = await RedisCpuSecondsAsync();
        if (batch == 0)
        {
            for (int i = 0; i < n; i++) await db.ListRightPushAsync(bare, payload);
        }
        else if (batch == 1)
        {
            for (int i = 0; i < n; i++) await noop.EnqueueAsync();
        }
        else
        {
            for (int sent = 0; sent < n; sent += batch) await noop.EnqueueManyAsync(Math.Min(batch, n - sent));
        }
        double used = await RedisCpuSecondsAsync() - before;
        await db.KeyDeleteAsync(bare);
        await FreshAsync();
        return used * 1e6 / n;
    }

    /// <summary>Redis CPU microseconds per task executed (take, settle, heartbeats) by 4 workers taking <paramref name="batchSize"/> at a time.</summary>
    public async Task<double> RedisCpuPerExecutedAsync(int n, int batchSize)
    {
        await FreshAsync();
        await FillAsync(n);
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 4, BatchSize = batchSize, RunScheduler = false, RunPeriodic = false, RunRecurring = false });
        double before = await RedisCpuSecondsAsync();
        consumer.Start();
        await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= n);
        double used = await RedisCpuSecondsAsync() - before;
        return used * 1e6 / n;
    }

    public async Task<double> DrainInProcessAsync(int n, int workers)
    {
        await FreshAsync();
        await FillAsync(n);
        await using var consumer = new TaskConsumer(app, DrainOptions(workers));
        var clock = Stopwatch.StartNew();
        consumer.Start();
        await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= n);
        var elapsed = clock.Elapsed;
        return n / elapsed.TotalSeconds;
    }

    /// <summary>The consumer of the in-process drains (plain and with priorities): batch 64, scheduler, periodic and recurring off.</summary>
    private static ConsumerOptions DrainOptions(int workers)
        => new() { Workers = workers, BatchSize = DrainBatch, RunScheduler = false, RunPeriodic = false, RunRecurring = false };

    /// <summary>How many messages a worker of the in-process drains takes at a time.</summary>
    public const int DrainBatch = 64;

    public async Task<double> DrainInProcessesAsync(int n, int processes, int workers)
    {
        await FreshAsync();
        await FillAsync(n);
        var go = $"{{tq:{application}}}:load-go";
        var self = Environment.GetCommandLineArgs()[0];
        var children = new List<Process>();
        for (int i = 0; i < processes; i++)
        {
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in new[] { "exec", self, "--drain-worker", "--redis", redis, "--app", application, "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(a);
            }
            var child = Process.Start(info)!;
            children.Add(child);
            await child.StandardOutput.ReadLineAsync();   // "ready"
        }
        var clock = Stopwatch.StartNew();
        await mux.GetDatabase().StringSetAsync(go, 1);
        await WaitDrainedAsync(() => true);
        var elapsed = clock.Elapsed;
        foreach (var child in children)
        {
            await child.WaitForExitAsync();
            child.Dispose();
        }
        return n / elapsed.TotalSeconds;
    }

    /// <summary>
    /// Enqueue→start latency of pings paced at <paramref name="perSecond"/>; with <paramref name="queues"/>
    /// the workers also serve that many queues in all, the pings' own queue last (the one served last).
    /// </summary>
    public async Task<Percentiles> LatencyAsync(int perSecond, int seconds, int workers, int queues = 1)
    {
        await FreshAsync();
        var served = Enumerable.Range(1, queues - 1).Select(i => $"idle-{i}").Append(TaskDescriptor.DefaultQueue).ToList();
        await using var consumer = new TaskConsumer(app, new ConsumerOptions
        {
            Workers = workers, Queues = served, RunScheduler = false, RunPeriodic = false, RunRecurring = false,
        });
        consumer.Start();
        var ping = Ping.With(app);
        for (int i = 0; i < 200; i++) await ping.EnqueueAsync(Stopwatch.GetTimestamp());   // warm-up
        await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= 200);
        Observed.Reset();
        int total = perSecond * seconds;
        await PacedAsync(total, perSecond, async _ => await ping.EnqueueAsync(Stopwatch.GetTimestamp()));
        await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= total);
        return Percentiles.Of(Observed.LatenciesMs);
    }

    public async Task<Percentiles> ScheduleAccuracyAsync(int count, int workers)
    {
        await FreshAsync();
        await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = workers, BatchSize = 64, RunPeriodic = false, RunRecurring = false });
        consumer.Start();
        var now = DateTimeOffset.UtcNow;
        var eta = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + 3);
        var due = Due.With(app);
        var pending = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            pending.Add(due.ScheduleAsync(eta.ToUnixTimeMilliseconds(), eta: eta).AsTask());
            if (pending.Count == 500)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
        await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= count, TimeSpan.FromSeconds(60));
        return Percentiles.Of(Observed.EtaErrorsMs.Select(Math.Abs));
    }

    /// <summary>
    /// The every-second periodic task with <paramref name="consumers"/> consumers on one app for
    /// <paramref name="seconds"/>: occurrences run, occurrences run twice, and how late they started.
    /// </summary>
    public async Task<(int Occurrences, int Duplicates, int Missed, Percentiles Late)> PeriodicAsync(int consumers, int seconds)
    {
        await FreshAsync();
        var running = new List<TaskConsumer>();
        for (int i = 0; i < consumers; i++)
        {
            var c = new TaskConsumer(app, new ConsumerOptions { Workers = 2, RunRecurring = false });
            c.Start();
            running.Add(c);
        }
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        foreach (var c in running) await c.DisposeAsync();
        var ticks = Observed.Ticks.ToArray();
        var perOccurrence = ticks.GroupBy(t => t.Eta).ToList();
        var first = perOccurrence.Min(g => g.Key);
        var last = perOccurrence.Max(g => g.Key);
        int expected = (int)(last - first).TotalSeconds + 1;
        return (perOccurrence.Count, perOccurrence.Count(g => g.Select(t => t.TaskId).Distinct().Count() > 1), expected - perOccurrence.Count,
            Percentiles.Of(Observed.EtaErrorsMs));
    }

    /// <summary>
    /// <paramref name="records"/> recurring-task records on an every-second schedule, run by
    /// <paramref name="consumers"/> consumers for <paramref name="seconds"/>: runs per second, how
    /// late runs started after their occurrence, and the Redis memory per record.
    /// </summary>
    public async Task<(double RunsPerSecond, Percentiles Late, double BytesPerRecord)> RecurringAsync(int records, int consumers, int seconds)
    {
        await FreshAsync();
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        long before = await UsedMemoryAsync(server);
        var beat = Beat.With(app);
        var saves = new List<Task>();
        for (int i = 0; i < records; i++)
        {
            saves.Add(beat.Recurring(schedule: "* * * * * *", label: $"beat-{i}").SaveAsync());
            if (saves.Count == 200)
            {
                await Task.WhenAll(saves);
                saves.Clear();
            }
        }
        await Task.WhenAll(saves);
        double bytes = (await UsedMemoryAsync(server) - before) / (double)records;
        var running = new List<TaskConsumer>();
        for (int i = 0; i < consumers; i++)
        {
            var c = new TaskConsumer(app, new ConsumerOptions { Workers = 4, BatchSize = 64, RunPeriodic = false });
            c.Start();
            running.Add(c);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));   // warm-up
        Observed.Reset();
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        double rate = Interlocked.Read(ref Observed.Beats) / clock.Elapsed.TotalSeconds;
        var late = Percentiles.Of(Observed.BeatLatesMs);
        foreach (var c in running) await c.DisposeAsync();
        return (rate, late, bytes);
    }

    private async Task FillAsync(int n)
    {
        var noop = Noop.With(app);
        for (int sent = 0; sent < n; sent += 1000) await noop.EnqueueManyAsync(Math.Min(1000, n - sent));
    }

    /// <summary>Waits until the condition holds and the queue has nothing waiting or in flight.</summary>
    private async Task WaitDrainedAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var limit = Stopwatch.StartNew();
        while (!(condition() && await app.Storage.QueueLengthAsync("default") == 0 && await app.Storage.InFlightCountAsync() == 0))
        {
            if (limit.Elapsed > (timeout ?? TimeSpan.FromMinutes(5))) throw new TimeoutException("the queue did not drain");
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.Storage.FlushAsync();
        await app.DisposeAsync();
        await mux.DisposeAsync();
    }
}

internal readonly record struct Percentiles(double P50, double P99, double P999)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return default;
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(At(0.50), At(0.99), At(0.999));
    }
}
