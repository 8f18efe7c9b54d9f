using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Consumer;
using TaskQueue.Redis;

namespace TaskQueue.Load;

/// <summary>
/// The drain on a Redis Cluster (<see cref="PrivateCluster"/>): no-op tasks spread over
/// <see cref="QueueCount"/> queues, placed so that every shard holds as many of them, drained by
/// <see cref="Consumers"/> consumers of <see cref="WorkersPerConsumer"/> workers in this process,
/// beside the bare StackExchange.Redis client's at-least-once drain of as many messages on as many
/// queue keys of its own (a hash tag each, spread the same way) by as many loops. Each drain also
/// gives the Redis CPU it cost, summed over the shards (<c>INFO cpu</c> of every primary before and after).
/// </summary>
/// <remarks>
/// A consumer takes from its queues in priority order (the first queue until it is empty), so the
/// consumers' queue lists are the same queues rotated: with 3 shards each consumer starts on a
/// different shard, and all shards are busy at once. The bare loops use the same lists.
/// </remarks>
internal sealed class ClusterBench : IAsyncDisposable
{
    public const int QueueCount = 6;
    public const int Consumers = 3;
    public const int WorkersPerConsumer = 5;
    public const int Batch = 64;

    /// <summary>The partitions of the partitioned queue (one per shard on 3 shards).</summary>
    public const int Partitions = 3;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(3);
    private static readonly byte[] NoArguments = [0x90];   // a MessagePack empty array: the arguments of a task without parameters
    private static readonly byte[] BarePayload = new byte[56];   // about the size of a no-op task's message, as in Bench

    private readonly PrivateCluster cluster;
    private readonly ConnectionMultiplexer admin;
    private readonly int[] shardOfSlot;
    private readonly TaskApp app;
    private readonly string application;
    private long bareDone;

    private ClusterBench(PrivateCluster cluster, ConnectionMultiplexer admin, int[] shardOfSlot, TaskApp app, string application,
        IReadOnlyList<string> queues, IReadOnlyList<string> bareQueues, string? partitioned)
    {
        this.cluster = cluster;
        this.admin = admin;
        this.shardOfSlot = shardOfSlot;
        this.app = app;
        this.application = application;
        Queues = queues;
        BareQueues = bareQueues;
        PartitionedQueue = partitioned;
    }

    /// <summary>The TaskQueue queues, in shard order: shard 0, 1, 2, 0, 1, 2 on 3 shards.</summary>
    public IReadOnlyList<string> Queues { get; }

    /// <summary>The bare client's queues (names inside its own hash tags), placed as <see cref="Queues"/>.</summary>
    public IReadOnlyList<string> BareQueues { get; }

    /// <summary>A queue whose <see cref="Partitions"/> partitions lie on different shards (with 3 shards or more), or null.</summary>
    public string? PartitionedQueue { get; }

    public static async Task<ClusterBench> CreateAsync(PrivateCluster cluster)
    {
        var admin = await ConnectionMultiplexer.ConnectAsync(cluster.Endpoints + ",allowAdmin=true");
        try
        {
            var shardOfSlot = await SlotMapAsync(admin, cluster);
            var application = "load" + Guid.NewGuid().ToString("N")[..8];
            // Queue names chosen so that each shard holds QueueCount / shards of them.
            var server = admin.GetServer("127.0.0.1", cluster.Ports[0]);
            var queues = await SpreadAsync(server, shardOfSlot, cluster.Shards, q => QueueTag(application, q));
            var bare = await SpreadAsync(server, shardOfSlot, cluster.Shards, q => BareTag(application, q));
            string? partitioned = null;
            if (cluster.Shards >= Partitions)
            {
                for (int i = 0; partitioned is null; i++)
                {
                    var name = $"split{i}";
                    var shards = new HashSet<int>();
                    for (int k = 0; k < Partitions; k++) shards.Add(shardOfSlot[await KeySlotAsync(server, QueueTag(application, PartitionName(name, k)))]);
                    if (shards.Count == Partitions) partitioned = name;
                }
            }
            var options = new RedisStorageOptions { ConnectionString = cluster.Endpoints, ApplicationName = application };
            if (partitioned is not null) options.Partitions[partitioned] = Partitions;
            var app = new TaskApp(await RedisStorage.ConnectAsync(options)) { ResultTtl = TimeSpan.FromMinutes(10) };
            var bench = new ClusterBench(cluster, admin, shardOfSlot, app, application, queues, bare, partitioned);
            try
            {
                await bench.CheckPlacementAsync();
                return bench;
            }
            catch
            {
                await bench.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await admin.DisposeAsync();   // a second time if the bench was made: harmless
            throw;
        }
    }

    /// <summary>The hash tag (as a key) of TaskQueue's queue <paramref name="queue"/>: <c>{tq:&lt;app&gt;:q:&lt;queue&gt;}</c>.</summary>
    private static string QueueTag(string application, string queue) => $"{{tq:{application}:q:{queue}}}";

    private static string BareTag(string application, string queue) => $"{{bare:{application}:q:{queue}}}";

    private static string PartitionName(string queue, int index) => index == 0 ? queue : $"{queue}#{index}";

    private string BareReady(string queue) => BareTag(application, queue) + ":ready";

    private string BareProcessing(string queue, string worker) => BareTag(application, queue) + ":p:" + worker;

    /// <summary>Which shard (index into <see cref="PrivateCluster.Ports"/>) serves each slot, from <c>CLUSTER SLOTS</c>.</summary>
    private static async Task<int[]> SlotMapAsync(ConnectionMultiplexer admin, PrivateCluster cluster)
    {
        var owner = new int[16384];
        Array.Fill(owner, -1);
        var ports = cluster.Ports.ToList();
        var reply = (RedisResult[])(await admin.GetServer("127.0.0.1", ports[0]).ExecuteAsync("CLUSTER", "SLOTS"))!;
        foreach (var entry in reply)
        {
            // [first slot, last slot, [host, port, id], replicas…]
            var range = (RedisResult[])entry!;
            int first = (int)range[0], last = (int)range[1];
            int port = (int)((RedisResult[])range[2]!)[1];
            int shard = ports.IndexOf(port);
            if (shard < 0) throw new InvalidOperationException($"CLUSTER SLOTS names port {port}, not a node of this cluster");
            for (int s = first; s <= last; s++) owner[s] = shard;
        }
        if (owner.Contains(-1)) throw new InvalidOperationException("CLUSTER SLOTS leaves slots unassigned");
        return owner;
    }

    /// <summary>
    /// <see cref="QueueCount"/> queue names q0, q1, … taken in order while their shard has fewer than its
    /// share, returned in shard order (0, 1, 2, 0, 1, 2 on 3 shards) so that rotations start on different shards.
    /// </summary>
    private static async Task<List<string>> SpreadAsync(IServer server, int[] shardOfSlot, int shards, Func<string, string> tag)
    {
        int perShard = QueueCount / shards;
        var byShard = Enumerable.Range(0, shards).Select(_ => new List<string>()).ToArray();
        for (int i = 0; byShard.Any(l => l.Count < perShard); i++)
        {
            var name = $"q{i}";
            var list = byShard[shardOfSlot[await KeySlotAsync(server, tag(name))]];
            if (list.Count < perShard) list.Add(name);
        }
        var ordered = new List<string>();
        for (int k = 0; k < perShard; k++) ordered.AddRange(byShard.Select(l => l[k]));
        return ordered;
    }

    /// <summary>The slot of <paramref name="key"/>, as the server computes it (<c>CLUSTER KEYSLOT</c>).</summary>
    private static async Task<int> KeySlotAsync(IServer server, string key) => (int)await server.ExecuteAsync("CLUSTER", "KEYSLOT", key);

    /// <summary>
    /// Prints where each queue lies (slot, shard), checking that the client routes its keys there:
    /// StackExchange.Redis computes no slots on a one-node cluster, which it treats as one server.
    /// </summary>
    private async Task CheckPlacementAsync()
    {
        var server = admin.GetServer("127.0.0.1", cluster.Ports[0]);
        var placed = new List<(string What, int Shard, int Slot)>();
        async Task PlaceAsync(string what, string tag)
        {
            int slot = await KeySlotAsync(server, tag);
            int client = admin.HashSlot(tag);
            if (client >= 0 && slot != client) throw new InvalidOperationException($"CLUSTER KEYSLOT {tag} is {slot}, the client computed {client}");
            placed.Add((what, shardOfSlot[slot], slot));
        }
        foreach (var q in Queues) await PlaceAsync(q, QueueTag(application, q));
        if (PartitionedQueue is { } p)
        {
            for (int k = 0; k < Partitions; k++) await PlaceAsync(PartitionName(p, k), QueueTag(application, PartitionName(p, k)));
        }
        foreach (var q in BareQueues) await PlaceAsync("bare " + q, BareTag(application, q));
        for (int s = 0; s < cluster.Shards; s++)
        {
            var here = placed.Where(x => x.Shard == s).Select(x => $"{x.What} (slot {x.Slot})");
            Console.WriteLine($"    shard {s + 1} (127.0.0.1:{cluster.Ports[s]}): {string.Join(", ", here)}");
        }
    }

    /// <summary>
    /// The queue list of each consumer (and bare loop group): <paramref name="queues"/> rotated by 0, 2 and 4
    /// places, so that on 3 shards the consumers start on shards 1, 3 and 2.
    /// </summary>
    private static List<string>[] Orders(IReadOnlyList<string> queues)
        => [.. Enumerable.Range(0, Consumers).Select(c => Enumerable.Range(0, queues.Count).Select(i => queues[(i + c * queues.Count / Consumers) % queues.Count]).ToList())];

    /// <summary>TaskQueue's drain of <paramref name="n"/> no-op tasks spread evenly over <see cref="Queues"/>.</summary>
    public Task<DrainFigures> DrainAsync(int n) => DrainTaskQueueAsync(n, Queues, Orders(Queues));

    /// <summary>TaskQueue's drain of <paramref name="n"/> no-op tasks sent to the partitioned queue (the producer puts each batch in the next partition).</summary>
    public Task<DrainFigures> DrainPartitionedAsync(int n)
    {
        var queue = PartitionedQueue ?? throw new InvalidOperationException("no partitioned queue on this cluster");
        return DrainTaskQueueAsync(n, [queue], [.. Enumerable.Range(0, Consumers).Select(_ => new List<string> { queue })]);
    }

    private async Task<DrainFigures> DrainTaskQueueAsync(int n, IReadOnlyList<string> sendTo, List<string>[] orders)
    {
        await app.Storage.FlushAsync();
        Observed.Reset();
        await FillAsync(n, sendTo);
        var keys = await KeysPerShardAsync();
        var cpu = await CpuSecondsAsync();
        var consumers = orders.Select(o => new TaskConsumer(app, new ConsumerOptions
        {
            Workers = WorkersPerConsumer, BatchSize = Batch, Queues = o, RunScheduler = false, RunPeriodic = false, RunRecurring = false,
        })).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            foreach (var c in consumers) c.Start();
            // Watch the in-process count first, so that polling Redis does not weigh on its CPU figure.
            while (Interlocked.Read(ref Observed.Done) < n)
            {
                if (clock.Elapsed > DrainTimeout) throw new TimeoutException($"the cluster drain ran {Interlocked.Read(ref Observed.Done)} of {n} tasks in {DrainTimeout}");
                await Task.Delay(1);
            }
            while (await app.Storage.InFlightCountAsync() > 0)
            {
                if (clock.Elapsed > DrainTimeout) throw new TimeoutException("the cluster drain left tasks in flight");
                await Task.Delay(1);
            }
            var elapsed = clock.Elapsed;
            var used = Delta(cpu, await CpuSecondsAsync());
            foreach (var q in sendTo)
            {
                long left = await app.Storage.QueueLengthAsync(q);
                if (left != 0) throw new InvalidOperationException($"queue {q} still holds {left} messages after the drain");
            }
            return new DrainFigures(n / elapsed.TotalSeconds, used, n, keys);
        }
        finally
        {
            foreach (var c in consumers) await c.DisposeAsync();
        }
    }

    private async Task FillAsync(int n, IReadOnlyList<string> queues)
    {
        var payloads = Enumerable.Repeat((ReadOnlyMemory<byte>)NoArguments, 1000).ToArray();
        for (int i = 0; i < queues.Count; i++)
        {
            // The no-op task, sent to queue i: its descriptor with that queue (tasks are run by name).
            var noop = new TaskDescriptor(Noop.Descriptor.Name, queues[i], 0, TimeSpan.Zero, Noop.Descriptor.Invoker);
            int count = n / queues.Count + (i < n % queues.Count ? 1 : 0);
            for (int sent = 0; sent < count; sent += 1000) await app.EnqueueManyAsync(noop, payloads.AsSpan(0, Math.Min(1000, count - sent)).ToArray());
        }
    }

    /// <summary>
    /// The bare client's at-least-once drain of <paramref name="n"/> messages of 56 bytes spread over
    /// <see cref="BareQueues"/>, the least a batched at-least-once take can do: each loop moves up to
    /// <see cref="Batch"/> messages from a queue to a processing list of its own in the queue's slot
    /// (<see cref="MoveScript"/>, one round trip), "runs" them (counts them), and deletes its processing
    /// list (one more); a loop that died in between would leave them there to be handed back. A loop
    /// takes from its queues in order, as a consumer does, and ends when all of them are empty.
    /// </summary>
    /// <remarks>
    /// Redis has no command that moves many list entries at once; 64 pipelined <c>LMOVE</c>s instead of
    /// the script cost the client so much that they drained 5× slower on one shard (about 67,000/s
    /// against 350,000/s in one run), which would make a poor bound.
    /// </remarks>
    public async Task<DrainFigures> BareDrainAsync(int n)
    {
        var db = admin.GetDatabase();
        foreach (var q in BareQueues) await db.KeyDeleteAsync(BareReady(q));
        var chunk = Enumerable.Repeat((RedisValue)BarePayload, 1000).ToArray();
        for (int i = 0; i < BareQueues.Count; i++)
        {
            int count = n / BareQueues.Count + (i < n % BareQueues.Count ? 1 : 0);
            for (int sent = 0; sent < count; sent += 1000) await db.ListRightPushAsync(BareReady(BareQueues[i]), chunk.AsSpan(0, Math.Min(1000, count - sent)).ToArray());
        }
        var keys = await KeysPerShardAsync();
        Interlocked.Exchange(ref bareDone, 0);
        var orders = Orders(BareQueues);
        var cpu = await CpuSecondsAsync();
        var clock = Stopwatch.StartNew();
        var loops = new List<Task>();
        for (int c = 0; c < Consumers; c++)
        {
            for (int w = 0; w < WorkersPerConsumer; w++)
            {
                var order = orders[c];
                var worker = $"w{c}-{w}";
                loops.Add(Task.Run(() => BareLoopAsync(db, order, worker)));
            }
        }
        var all = Task.WhenAll(loops);
        if (await Task.WhenAny(all, Task.Delay(DrainTimeout)) != all) throw new TimeoutException("the bare cluster drain did not end");
        await all;
        var elapsed = clock.Elapsed;
        var used = Delta(cpu, await CpuSecondsAsync());
        long done = Interlocked.Read(ref bareDone);
        if (done != n) throw new InvalidOperationException($"the bare drain ran {done} of {n} messages");
        return new DrainFigures(n / elapsed.TotalSeconds, used, n, keys);
    }

    /// <summary>Moves up to ARGV[1] entries from the head of KEYS[1] to the tail of KEYS[2] (same slot) and returns them.</summary>
    private const string MoveScript = """
        local m = redis.call('LRANGE', KEYS[1], 0, ARGV[1] - 1)
        if #m > 0 then
          redis.call('LTRIM', KEYS[1], #m, -1)
          redis.call('RPUSH', KEYS[2], unpack(m))
        end
        return m
        """;

    private async Task BareLoopAsync(IDatabase db, List<string> order, string worker)
    {
        while (true)
        {
            bool took = false;
            foreach (var q in order)
            {
                RedisKey ready = BareReady(q), processing = BareProcessing(q, worker);
                var moved = (RedisValue[])(await db.ScriptEvaluateAsync(MoveScript, [ready, processing], [Batch]))!;
                if (moved.Length == 0) continue;
                foreach (var _ in moved) Interlocked.Increment(ref bareDone);   // the no-op "run"
                await db.KeyDeleteAsync(processing);   // done: acknowledged
                took = true;
                break;
            }
            if (!took) return;
        }
    }

    /// <summary>Keys on each primary (<c>DBSIZE</c>): shows that the data lies on every shard.</summary>
    private async Task<long[]> KeysPerShardAsync()
    {
        var sizes = new long[cluster.Shards];
        for (int s = 0; s < sizes.Length; s++) sizes[s] = await admin.GetServer("127.0.0.1", cluster.Ports[s]).DatabaseSizeAsync();
        return sizes;
    }

    /// <summary>Each primary's own CPU time so far (<c>INFO cpu</c>: user + system seconds), shard 0 first.</summary>
    private async Task<double[]> CpuSecondsAsync()
    {
        var seconds = new double[cluster.Shards];
        for (int s = 0; s < seconds.Length; s++)
        {
            var info = await admin.GetServer("127.0.0.1", cluster.Ports[s]).InfoAsync("cpu");
            var values = info.SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
            seconds[s] = double.Parse(values["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(values["used_cpu_sys"], CultureInfo.InvariantCulture);
        }
        return seconds;
    }

    private static double[] Delta(double[] before, double[] after) => [.. after.Zip(before, (a, b) => a - b)];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await app.Storage.FlushAsync();
            await app.DisposeAsync();
        }
        finally
        {
            await admin.DisposeAsync();
        }
    }
}

/// <summary>One drain on the cluster: tasks per second, and the Redis CPU seconds it cost on each shard.</summary>
internal sealed record DrainFigures(double Rate, double[] CpuSeconds, int Tasks, long[] KeysPerShard)
{
    /// <summary>Redis CPU microseconds per task, summed over the shards.</summary>
    public double CpuMicrosPerTask => CpuSeconds.Sum() * 1e6 / Tasks;

    /// <summary>Each shard's share of that CPU, e.g. "34 / 33 / 33 %"; empty with one shard.</summary>
    public string Shares
    {
        get
        {
            if (CpuSeconds.Length < 2) return "";
            double total = CpuSeconds.Sum();
            return total <= 0 ? "" : string.Join(" / ", CpuSeconds.Select(c => (100 * c / total).ToString("0", CultureInfo.InvariantCulture))) + " %";
        }
    }
}

/// <summary>
/// The cluster rows of the table: on private clusters of 1 and 3 shards, the bare client's drain (the
/// basis of that cluster's rows), TaskQueue's drain of 6 queues, and on 3 shards one queue in 3
/// partitions; each with the Redis CPU it cost per task, summed over the shards.
/// </summary>
internal static class ClusterRows
{
    public static async Task AddAsync(Table table, int n)
    {
        string workers = $"1 process × {ClusterBench.Consumers} consumers × {ClusterBench.WorkersPerConsumer} workers";
        string loops = $"{ClusterBench.Consumers * ClusterBench.WorkersPerConsumer} loops";
        var clock = Stopwatch.StartNew();
        DrainFigures? oneShardBare = null, oneShard = null;
        foreach (int shards in new[] { 1, 3 })
        {
            await using var cluster = await PrivateCluster.StartAsync(shards);
            string where = shards == 1 ? "cluster of 1 shard" : $"cluster of {shards} shards";
            // On a small machine the client process, not Redis, bounds every drain: more shards add processes, not cores.
            string bound = shards > 1 && Environment.ProcessorCount <= shards + 1
                ? $" ({Environment.ProcessorCount} cores for this process and {shards} servers: the client bounds it)"
                : "";
            Console.WriteLine($"  {where} (primaries only, no replicas): {cluster.Endpoints}");
            await using var bench = await ClusterBench.CreateAsync(cluster);
            // Warm-up: connections to every node, and the code paths of both drains.
            await bench.BareDrainAsync(3000);
            await bench.DrainAsync(3000);

            var bare = await bench.BareDrainAsync(n);
            Console.WriteLine($"    keys per shard, bare queues filled: {string.Join(" / ", bare.KeysPerShard)}");
            var basis = $"bare drain, {shards} shard{(shards == 1 ? "" : "s")}";
            table.Add($"{where}: bare StackExchange.Redis at-least-once drain, {ClusterBench.QueueCount} queues, {loops} (a Lua move of {ClusterBench.Batch} to a processing list, then DEL)",
                bare.Rate, "/s",
                note: shards == 1 ? "the basis of the 1-shard rows" : $"the basis of the {shards}-shard rows; {bare.Rate / oneShardBare!.Rate:0.00}× the 1-shard bare drain{bound}");
            table.Add($"{where}: Redis CPU per message, bare drain, all shards", bare.CpuMicrosPerTask, " µs", note: PerShard(bare));

            var drain = await bench.DrainAsync(n);
            Console.WriteLine($"    keys per shard, TaskQueue queues filled: {string.Join(" / ", drain.KeysPerShard)}");
            table.Add($"{where}: process no-op tasks, {ClusterBench.QueueCount} queues, {workers}", drain.Rate, "/s", bare.Rate, basis,
                note: shards == 1 ? null : $"{drain.Rate / oneShard!.Rate:0.00}× the 1-shard TaskQueue drain{bound}");
            table.Add($"{where}: Redis CPU per executed task, all shards", drain.CpuMicrosPerTask, " µs",
                note: $"{drain.CpuMicrosPerTask / bare.CpuMicrosPerTask:0.00}× the bare drain{(shards == 1 ? "" : "; " + PerShard(drain))}");

            if (bench.PartitionedQueue is not null)
            {
                var split = await bench.DrainPartitionedAsync(n);
                Console.WriteLine($"    keys per shard, partitioned queue filled: {string.Join(" / ", split.KeysPerShard)}");
                table.Add($"{where}: process no-op tasks, 1 queue in {ClusterBench.Partitions} partitions (one per shard), {workers}", split.Rate, "/s", bare.Rate, basis,
                    note: $"{split.Rate / drain.Rate:0.00}× the {ClusterBench.QueueCount}-queue drain");
                table.Add($"{where}: Redis CPU per executed task, 1 queue in {ClusterBench.Partitions} partitions, all shards", split.CpuMicrosPerTask, " µs",
                    note: $"{split.CpuMicrosPerTask / bare.CpuMicrosPerTask:0.00}× the bare drain; {PerShard(split)}");
            }
            if (shards == 1) (oneShardBare, oneShard) = (bare, drain);
        }
        Console.WriteLine($"  (cluster rows took {clock.Elapsed.TotalSeconds:0} s)");

        static string PerShard(DrainFigures f) => f.CpuSeconds.Length < 2 ? "" : "per shard " + f.Shares;
    }
}
