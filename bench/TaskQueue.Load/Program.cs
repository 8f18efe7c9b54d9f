// The end-to-end load tool: TaskQueue on a real Redis, beside redis-benchmark LPUSH on the same server
// (with the drain with priorities in use beside the plain drain, and pipelines and chords beside plain
// tasks), then the drain on private Redis Clusters of 1 and 3 shards, beside the bare client on the same cluster.
// Usage: see LoadOptions.Usage below, or run with --help.
using System.Diagnostics;
using System.Globalization;
using TaskQueue.Load;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}
if (options.DrainWorker) return await Drain.RunWorkerProcessAsync(options);
if (options.Cluster == ClusterRun.Only)
{
    var clusterTable = new Table();
    Console.WriteLine($"TaskQueue load test on private Redis Clusters only ({Environment.ProcessorCount} cores, N = {options.ClusterN:N0})");
    await ClusterRows.AddAsync(clusterTable, options.ClusterN);
    clusterTable.Print();
    return 0;
}

await using var server = options.Redis is null ? await PrivateRedis.StartAsync() : null;
var redis = options.Redis ?? server!.Endpoint;
var table = new Table();
Console.WriteLine($"TaskQueue load test against Redis {redis} ({Environment.ProcessorCount} cores, N = {options.N:N0})");

var lpush = new RedisBenchmark(redis);
if (options.PriorityOnly)
{
    // Only the priority rows, beside what they are compared with: LPUSH -c16 and their pairs' plain 16-worker
    // drains (a plain row of its own would be the process's first drain of N, slower than those after it).
    var lpush16Only = lpush.Run(clients: 16, pipeline: 1);
    table.Add("redis-benchmark LPUSH -c 16 -P 1", lpush16Only, "/s");
    await using var priorityBench = await Bench.CreateAsync(redis);
    await priorityBench.DrainInProcessAsync(Math.Min(options.N, 20_000), PriorityRows.Workers);   // warm-up, as the 1- and 4-worker drains are in a full run
    await PriorityRows.AddAsync(table, priorityBench, options.N, plainRow: null, lpush16Only);
    table.Print();
    return 0;
}
if (options.FlowsOnly)
{
    // Only the flow rows: pipelines and chords beside plain tasks, each measured in the same rounds.
    await using var flowBench = await Bench.CreateAsync(redis);
    await flowBench.DrainInProcessAsync(Math.Min(options.N, 20_000), FlowRows.Workers);   // warm-up, as the 1- and 4-worker drains are in a full run
    await FlowRows.AddAsync(table, flowBench, options, plainRow: null);
    table.Print();
    return 0;
}
if (options.TailsOnly)
{
    // Only the rows of issue 12's targets, beside what they are compared with: LPUSH -c1, the bare
    // client's awaited RPUSH and its legs of the enqueue→start path.
    var lpush1Only = lpush.Run(clients: 1, pipeline: 1);
    table.Add("redis-benchmark LPUSH -c 1 -P 1", lpush1Only, "/s");
    await using var tailBench = await Bench.CreateAsync(redis);
    await TailRows.AddEnqueueAsync(table, tailBench, options, lpush1Only);
    await TailRows.AddLatencyAsync(table, tailBench, options);
    await TailRows.AddScheduleAccuracyAsync(table, tailBench);
    await TailRows.AddRecurringAsync(table, tailBench, options);
    if (options.ManyRecords) await TailRows.AddManyRecordsAsync(table, tailBench);
    table.Print();
    return 0;
}
var lpush1 = lpush.Run(clients: 1, pipeline: 1);
var lpush16 = lpush.Run(clients: 16, pipeline: 1);
var lpush64 = lpush.Run(clients: 1, pipeline: 64);
table.Add("redis-benchmark LPUSH -c 1 -P 1", lpush1, "/s");
table.Add("redis-benchmark LPUSH -c 16 -P 1", lpush16, "/s");
table.Add("redis-benchmark LPUSH -c 1 -P 64", lpush64, "/s");

await using (var bench = await Bench.CreateAsync(redis))
{
    await TailRows.AddEnqueueAsync(table, bench, options, lpush1);
    var batched = await bench.EnqueueBatchedAsync(options.N, batch: 1000);
    table.Add("enqueue, batched (EnqueueManyAsync × 1000)", batched, "/s", lpush64, "LPUSH -c1 -P64", target: 0.25);
    var bytes = await bench.BytesPerQueuedTaskAsync(options.N);
    table.Add("Redis memory per queued no-op task", bytes, " B", target: null, note: "target ≤ 200 B");

    // What a user pays at the server: Redis CPU per task, beside the bare client's RPUSH.
    int cpuN = Math.Min(options.N, 20_000);
    var bareCpu = await bench.RedisCpuPerEnqueueAsync(cpuN, batch: 0);
    table.Add("Redis CPU per message, bare RPUSH awaited", bareCpu, " µs");
    foreach (var batch in new[] { 1, 16, 64 })
    {
        var cpu = await bench.RedisCpuPerEnqueueAsync(batch == 1 ? cpuN : options.N, batch);
        table.Add($"Redis CPU per enqueued task, {(batch == 1 ? "one at a time" : $"EnqueueManyAsync × {batch}")}", cpu, " µs", note: $"{cpu / bareCpu:0.00}× the bare RPUSH");
    }
    foreach (var batch in new[] { 1, 16, 64 })
    {
        var cpu = await bench.RedisCpuPerExecutedAsync(batch == 1 ? cpuN : options.N, batch);
        table.Add($"Redis CPU per executed task, 4 workers taking {batch} at a time", cpu, " µs", note: $"{cpu / bareCpu:0.00}× the bare RPUSH");
    }

    double plain16 = 0;
    foreach (var workers in new[] { 1, 4, 16 })
    {
        var rate = await bench.DrainInProcessAsync(options.N, workers);
        AddDrainRow(table, workers, rate, lpush16);
        if (workers == PriorityRows.Workers) plain16 = rate;
    }
    // The same drain with priorities in use, beside the plain one just measured.
    await PriorityRows.AddAsync(table, bench, options.N, plain16, lpush16);
    // Pipelines and chords beside plain tasks (the cost of a step and of a member).
    await FlowRows.AddAsync(table, bench, options, plain16);
    var twoProcesses = await bench.DrainInProcessesAsync(options.N, processes: 2, workers: 8);
    table.Add("process no-op tasks, 2 processes × 8 workers", twoProcesses, "/s", lpush16, "LPUSH -c16 -P1");

    // Enqueue→start beside the bare client's legs of the same path, then schedule accuracy (issue 12's targets).
    await TailRows.AddLatencyAsync(table, bench, options);
    await TailRows.AddScheduleAccuracyAsync(table, bench);

    int periodicSeconds = options.Quick ? 5 : 15;
    var periodic = await bench.PeriodicAsync(consumers: 3, seconds: periodicSeconds);
    table.Add($"every-second periodic task, 3 consumers, {periodicSeconds} s: occurrences run", periodic.Occurrences, "");
    table.Add("periodic occurrences enqueued twice", periodic.Duplicates, "", note: "target 0");
    table.Add("periodic occurrences missed", periodic.Missed, "", note: "target ≤ 1");
    table.Add("periodic start − occurrence p50", periodic.Late.P50, " ms");
    table.Add("periodic start − occurrence p99", periodic.Late.P99, " ms");

    await TailRows.AddRecurringAsync(table, bench, options);
    if (options.ManyRecords) await TailRows.AddManyRecordsAsync(table, bench);
}

// The drain on private Redis Clusters of 1 and 3 shards, beside the bare client's on the same cluster.
if (options.Cluster == ClusterRun.Yes) await ClusterRows.AddAsync(table, options.ClusterN);

table.Print();
return 0;

// The plain in-process drain's row; 16 workers have a target: 40 % of LPUSH -c16, or 20,000/s where that is less.
static void AddDrainRow(Table table, int workers, double rate, double lpush16)
    => table.Add($"process no-op tasks, 1 process × {workers} workers", rate, "/s", lpush16, "LPUSH -c16 -P1",
        target: workers == 16 ? Math.Min(0.40, 20_000 / lpush16) : null);

internal enum ClusterRun
{
    Yes,
    No,
    Only,
}

internal sealed record LoadOptions(string? Redis, int N, bool Quick, bool DrainWorker, string? App, int Workers, bool Help = false, ClusterRun Cluster = ClusterRun.Yes,
    bool PriorityOnly = false, bool TailsOnly = false, bool ManyRecords = false, bool FlowsOnly = false)
{
    public const int DefaultN = 100_000;

    /// <summary>Tasks per cluster drain: N, but at least 50,000 with --quick (a drain of 20,000 lasts a fraction of a second).</summary>
    public int ClusterN => Quick ? Math.Max(N, 50_000) : N;

    public const string Usage = """
        TaskQueue load tool: enqueue, drain, latency, schedule accuracy, periodic and recurring tasks on a
        real Redis, each figure beside redis-benchmark LPUSH and the bare StackExchange.Redis client of
        the same run.

        usage: dotnet run -c Release --project bench/TaskQueue.Load -- [options]

          --redis HOST:PORT   the Redis to use (env TASKQUEUE_REDIS); without it a private
                              redis-server is started on a free loopback port
          --n N               tasks per throughput phase (default 100,000)
          --quick             a shorter run: N = 20,000, shorter latency, periodic and recurring phases,
                              and without the 100,000 every-minute recurring records
          --no-cluster        leave out the cluster rows (they start private Redis Clusters of 1 and
                              3 shards with redis-server, whatever --redis says; with --quick
                              their drains are of 50,000 tasks)
          --cluster-only      only the cluster rows
          --priority-only     only the drain with priorities (and the order its tasks started in),
                              beside what it is compared with: LPUSH -c 16 and the plain
                              1 process × 16 workers drains paired with it, on the single Redis
          --flows-only        only the flow rows, on the single Redis: drains of pipelines of 2 and
                              10 steps and of chords of 100 and of 5,000 members beside plain tasks
                              (rate, Redis CPU, memory left per step and per member), the hand-off and
                              callback latencies beside a plain enqueue→start, and what sending a
                              pipeline, a group or a chord costs beside plain sends
          --tails-only        only the rows of issue 12's targets, on the single Redis: one-at-a-time
                              enqueue in pairs with the bare client's awaited RPUSH, enqueue→start
                              beside the bare client's legs of the same path, schedule accuracy,
                              every-second recurring records, and (unless --quick or
                              --no-many-records) the 100,000 every-minute records
          --no-many-records   leave out the 100,000 every-minute recurring records run through 2
                              whole minutes by 2 consumers (1.5–2.5 minutes, up to 3.5 when a
                              minute begins while they are saved); --quick leaves them out too
          --help              this text

        used by the tool itself when it starts worker processes for the 2-process drain:
          --drain-worker      run as a drain worker process
          --app NAME          the application name to drain
          --workers N         workers in the drain process (default 8)
        """;

    public static LoadOptions Parse(string[] args)
    {
        string? redis = Environment.GetEnvironmentVariable("TASKQUEUE_REDIS") is { Length: > 0 } r ? r : null, app = null;
        int n = DefaultN, workers = 8;
        bool quick = false, drain = false, help = false, priorityOnly = false, tailsOnly = false, flowsOnly = false, manyRecords = true;
        var cluster = ClusterRun.Yes;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count()
            {
                string name = args[i], text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
                    ? value
                    : throw new ArgumentException($"{name}: '{text}' is not a positive whole number.");
            }
            switch (args[i])
            {
                case "--redis": redis = Value(); break;
                case "--n": n = Count(); break;
                case "--quick": quick = true; n = 20_000; break;
                case "--drain-worker": drain = true; break;
                case "--app": app = Value(); break;
                case "--workers": workers = Count(); break;
                case "--no-cluster": cluster = ClusterRun.No; break;
                case "--cluster-only": cluster = ClusterRun.Only; break;
                case "--priority-only": priorityOnly = true; break;
                case "--tails-only": tailsOnly = true; break;
                case "--flows-only": flowsOnly = true; break;
                case "--no-many-records": manyRecords = false; break;
                case "--help" or "-h" or "-?": help = true; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        int only = (priorityOnly ? 1 : 0) + (tailsOnly ? 1 : 0) + (flowsOnly ? 1 : 0) + (cluster == ClusterRun.Only ? 1 : 0);
        if (only > 1) throw new ArgumentException("--priority-only, --tails-only, --flows-only and --cluster-only exclude each other.");
        return new LoadOptions(redis, n, quick, drain, app, workers, help, cluster, priorityOnly, tailsOnly, ManyRecords: manyRecords && !quick, FlowsOnly: flowsOnly);
    }
}
