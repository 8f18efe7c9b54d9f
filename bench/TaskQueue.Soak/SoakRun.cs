using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Soak;

/// <summary>The soak's phases: workers up, the drain rate, the paced load with kills, the drain, the count.</summary>
internal sealed class SoakRun(SoakOptions options, string redis)
{
    private const int WarmUp = 20_000;
    private static readonly string[] Queues = [TaskDescriptor.DefaultQueue];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string application = "soak" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Runs the soak and prints the report; returns the exit code.</summary>
    public async Task<int> RunAsync()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis + ",allowAdmin=true");
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis, ApplicationName = application });
        await using var app = new TaskApp(storage);
        var ledger = new Ledger(mux.GetDatabase(), application);
        var snapshot = new RedisSnapshot(server, ledger, application);
        var logDirectory = options.LogDirectory ?? Directory.CreateTempSubdirectory("taskqueue-soak-").FullName;
        Directory.CreateDirectory(logDirectory);
        await using var pool = new WorkerPool(options, redis, application, Path.Combine(logDirectory, $"{application}-workers.log"));
        var producer = new Producer(app);

        Console.WriteLine($"TaskQueue soak against Redis {redis} ({Environment.ProcessorCount} cores), app '{application}', " +
            $"{options.Processes} worker processes × {options.WorkersPerProcess} workers, visibility timeout {options.VisibilityTimeoutSeconds} s, seed {options.Seed}");
        Console.WriteLine($"  worker output: {pool.LogPath}");
        for (int i = 0; i < options.Processes; i++) pool.Start();
        await Task.WhenAll(pool.All.Select(w => w.Ready)).WaitAsync(StartTimeout);

        // Warm-up (JIT, connections), then the timed burst: no kills, so every task must run exactly once.
        await producer.BurstAsync(WarmUp);
        if (!await WaitDrainedAsync(app, TimeSpan.FromMinutes(2))) throw new TimeoutException("the warm-up burst did not drain");
        double? drainRate = null;
        if (options.Rate is null)
        {
            var clock = Stopwatch.StartNew();
            await producer.BurstAsync(options.Burst);
            if (!await WaitDrainedAsync(app, TimeSpan.FromMinutes(10))) throw new TimeoutException("the timed burst did not drain");
            drainRate = options.Burst / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"  drain rate: {options.Burst:N0} tasks in {clock.Elapsed.TotalSeconds:0.0} s = {drainRate:N0}/s");
        }
        var bursts = await ledger.TallyAsync(0, producer.Next, producer.IsUnconfirmed);
        Console.WriteLine($"  bursts: {bursts.Enqueued:N0} enqueued, {bursts.Lost.Count} lost, {bursts.RunTwice} run twice");
        double rate = options.Rate ?? options.Load * drainRate!.Value;

        await ledger.ResetLatencyAsync();
        long soakFrom = producer.Next;
        var memoryStart = await snapshot.TakeAsync();
        pool.ReadMemory(start: true);
        var soakStart = DateTimeOffset.UtcNow;
        var duration = TimeSpan.FromMinutes(options.Minutes);
        Console.WriteLine($"  soak: {rate:N0} tasks/s for {Format(duration)}, a worker SIGKILLed every {options.KillEverySeconds} s");
        var producing = producer.PacedAsync(rate, duration);
        var replacements = await KillAsync(pool, app, () => producer.Next - soakFrom, soakStart, duration);
        await producing;
        var produced = DateTimeOffset.UtcNow - soakStart;

        Console.WriteLine($"  produced {producer.Next - soakFrom:N0} tasks; waiting for queue, schedule and in-flight to empty");
        var drainClock = Stopwatch.StartNew();
        bool drained = await WaitDrainedAsync(app, TimeSpan.FromSeconds(options.DrainTimeoutSeconds));
        var drainTime = drainClock.Elapsed;
        await Task.WhenAll(replacements);
        pool.ReadMemory(start: false);
        var countsAtEnd = await app.Storage.CountAsync(Queues);
        var memoryEnd = await snapshot.TakeAsync();
        await pool.StopAsync(TimeSpan.FromSeconds(30));

        var tally = await ledger.TallyAsync(soakFrom, producer.Next, producer.IsUnconfirmed);
        var deadLetters = await app.DeadLettersAsync(limit: 1000);
        var figures = new SoakFigures(options, redis, application, drainRate, bursts, rate, produced, producer.FailedBatches, producer.MaxLag,
            drained, drainTime, countsAtEnd, tally, deadLetters, memoryStart, memoryEnd, pool.All, soakStart, pool.LogPath);
        SoakReport.Print(figures);

        bool failed = !figures.Passed;
        if (failed && options.Redis is not null)
        {
            Console.WriteLine($"Keys kept for inspection: {{tq:{application}}}:* and {{soak:{application}}}:*");
        }
        else
        {
            await app.Storage.FlushAsync();
            await ledger.DeleteAsync();
        }
        return failed ? 1 : 0;
    }

    /// <summary>Every --kill-every seconds until the end of production: SIGKILL one worker, start another at once.</summary>
    private async Task<List<Task>> KillAsync(WorkerPool pool, TaskApp app, Func<long> enqueued, DateTimeOffset soakStart, TimeSpan duration)
    {
        var random = new Random(options.Seed);
        var replacements = new List<Task>();
        var every = TimeSpan.FromSeconds(options.KillEverySeconds);
        for (var at = every; at < duration; at += every)
        {
            var wait = at - (DateTimeOffset.UtcNow - soakStart);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            foreach (var w in pool.All.Where(w => w.ExitedOnItsOwn)) Console.WriteLine($"  worker {w.Slot} (pid {w.Pid}) exited on its own, code {w.ExitCode}");
            if (!pool.Running.Any())
            {
                Console.WriteLine("  no worker left running to kill");
                continue;
            }
            var counts = await app.Storage.CountAsync(Queues);
            var victim = pool.KillOne(random);
            var replacement = pool.Start();
            replacements.Add(ReadStartMemoryAsync(replacement));
            Console.WriteLine($"  {Format(at)}  SIGKILL worker {victim.Slot} (pid {victim.Pid}, RSS {Mb(victim.RssEndKb)}), started worker {replacement.Slot} (pid {replacement.Pid}); " +
                $"enqueued {enqueued():N0}, queue {counts.QueueLengths[0]:N0}, in flight {counts.InFlight:N0}, scheduled {counts.Scheduled:N0}, dead {counts.DeadLetters:N0}");
        }
        return replacements;
    }

    /// <summary>A replacement's start figure is its RSS when it says it is ready.</summary>
    private static async Task ReadStartMemoryAsync(SoakWorker worker)
    {
        try
        {
            await worker.Ready.WaitAsync(StartTimeout);
            worker.RssStartKb = worker.ReadMemory().RssKb;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"  worker {worker.Slot} (pid {worker.Pid}) did not become ready: {e.Message}");
        }
    }

    /// <summary>Waits until nothing is queued, scheduled or in flight; false if that took longer than <paramref name="timeout"/>.</summary>
    private static async Task<bool> WaitDrainedAsync(TaskApp app, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var counts = await app.Storage.CountAsync(Queues);
            if (counts.QueueLengths[0] == 0 && counts.Scheduled == 0 && counts.InFlight == 0) return true;
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(10);
        }
    }

    internal static string Format(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    internal static string Mb(long? kb) => kb is { } k ? (k / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "–";
}

/// <summary>Everything the report shows.</summary>
internal sealed record SoakFigures(SoakOptions Options, string Redis, string Application, double? DrainRate, LedgerTally Bursts, double Rate,
    TimeSpan Produced, int FailedBatches, TimeSpan MaxLag, bool Drained, TimeSpan DrainTime, StorageCounts CountsAtEnd, LedgerTally Tally,
    IReadOnlyList<DeadLetter> DeadLetters, RedisMemory MemoryStart, RedisMemory MemoryEnd, IReadOnlyList<SoakWorker> Workers,
    DateTimeOffset SoakStart, string LogPath)
{
    public bool Passed => Drained && Tally.Lost.Count == 0 && Bursts.Lost.Count == 0;
}
