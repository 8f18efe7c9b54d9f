// The end-to-end load tool: TaskQueue on a real Redis, beside redis-benchmark LPUSH on the same server.
// Usage: dotnet run -c Release --project bench/TaskQueue.Load -- --redis HOST:PORT [--n 100000] [--quick]
// With no --redis (and no TASKQUEUE_REDIS) it starts a private redis-server on a free port.
using System.Diagnostics;
using System.Globalization;
using TaskQueue.Load;

var options = LoadOptions.Parse(args);
if (options.DrainWorker) return await Drain.RunWorkerProcessAsync(options);

await using var server = options.Redis is null ? await PrivateRedis.StartAsync() : null;
var redis = options.Redis ?? server!.Endpoint;
var table = new Table();
Console.WriteLine($"TaskQueue load test against Redis {redis} ({Environment.ProcessorCount} cores, N = {options.N:N0})");

var lpush = new RedisBenchmark(redis);
var lpush1 = lpush.Run(clients: 1, pipeline: 1);
var lpush16 = lpush.Run(clients: 16, pipeline: 1);
var lpush64 = lpush.Run(clients: 1, pipeline: 64);
table.Add("redis-benchmark LPUSH -c 1 -P 1", lpush1, "/s");
table.Add("redis-benchmark LPUSH -c 16 -P 1", lpush16, "/s");
table.Add("redis-benchmark LPUSH -c 1 -P 64", lpush64, "/s");

await using (var bench = await Bench.CreateAsync(redis))
{
    var bare = await bench.BareRpushAsync(Math.Min(options.N, 20_000));
    table.Add("bare StackExchange.Redis RPUSH, awaited (the stack's bound)", bare, "/s", lpush1, "LPUSH -c1 -P1");
    var one = await bench.EnqueueOneAtATimeAsync(Math.Min(options.N, 20_000));
    table.Add("enqueue, one at a time (awaited)", one, "/s", lpush1, "LPUSH -c1 -P1", target: 0.50);
    var batched = await bench.EnqueueBatchedAsync(options.N, batch: 1000);
    table.Add("enqueue, batched (EnqueueManyAsync × 1000)", batched, "/s", lpush64, "LPUSH -c1 -P64", target: 0.25);
    var bytes = await bench.BytesPerQueuedTaskAsync(options.N);
    table.Add("Redis memory per queued no-op task", bytes, " B", target: null, note: "target ≤ 200 B");

    foreach (var workers in new[] { 1, 4, 16 })
    {
        var rate = await bench.DrainInProcessAsync(options.N, workers);
        table.Add($"process no-op tasks, 1 process × {workers} workers", rate, "/s", lpush16, "LPUSH -c16 -P1",
            target: workers == 16 ? Math.Min(0.40, 20_000 / lpush16) : null);
    }
    var twoProcesses = await bench.DrainInProcessesAsync(options.N, processes: 2, workers: 8);
    table.Add("process no-op tasks, 2 processes × 8 workers", twoProcesses, "/s", lpush16, "LPUSH -c16 -P1");

    var latency = await bench.LatencyAsync(perSecond: 1000, seconds: options.Quick ? 3 : 5, workers: 4);
    table.Add("enqueue→start p50 at 1,000/s, idle workers", latency.P50, " ms");
    table.Add("enqueue→start p99 at 1,000/s, idle workers", latency.P99, " ms", note: "target ≤ 2 ms");
    table.Add("enqueue→start p99.9 at 1,000/s, idle workers", latency.P999, " ms");

    var accuracy = await bench.ScheduleAccuracyAsync(count: 5000, workers: 16);
    table.Add("|start − eta| p50, 5,000 tasks due in the same second", accuracy.P50, " ms");
    table.Add("|start − eta| p99, 5,000 tasks due in the same second", accuracy.P99, " ms", note: "target ≤ 50 ms");

    int periodicSeconds = options.Quick ? 5 : 15;
    var periodic = await bench.PeriodicAsync(consumers: 3, seconds: periodicSeconds);
    table.Add($"every-second periodic task, 3 consumers, {periodicSeconds} s: occurrences run", periodic.Occurrences, "");
    table.Add("periodic occurrences enqueued twice", periodic.Duplicates, "", note: "target 0");
    table.Add("periodic occurrences missed", periodic.Missed, "", note: "target ≤ 1");
    table.Add("periodic start − occurrence p50", periodic.Late.P50, " ms");
    table.Add("periodic start − occurrence p99", periodic.Late.P99, " ms");

    int records = options.Quick ? 500 : 2000;
    var recurring = await bench.RecurringAsync(records, consumers: 2, seconds: options.Quick ? 5 : 10);
    table.Add($"{records:N0} every-second recurring records, 2 consumers: runs", recurring.RunsPerSecond, "/s", note: $"of {records:N0}/s scheduled");
    table.Add("recurring start − occurrence p50", recurring.Late.P50, " ms");
    table.Add("recurring start − occurrence p99", recurring.Late.P99, " ms");
    table.Add("Redis memory per recurring record", recurring.BytesPerRecord, " B");
}

table.Print();
return 0;

internal sealed record LoadOptions(string? Redis, int N, bool Quick, bool DrainWorker, string? App, int Workers)
{
    public static LoadOptions Parse(string[] args)
    {
        string? redis = Environment.GetEnvironmentVariable("TASKQUEUE_REDIS") is { Length: > 0 } r ? r : null, app = null;
        int n = 100_000, workers = 8;
        bool quick = false, drain = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--redis": redis = args[++i]; break;
                case "--n": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--quick": quick = true; n = 20_000; break;
                case "--drain-worker": drain = true; break;
                case "--app": app = args[++i]; break;
                case "--workers": workers = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'; use --redis HOST:PORT, --n N, --quick");
            }
        }
        return new LoadOptions(redis, n, quick, drain, app, workers);
    }
}
