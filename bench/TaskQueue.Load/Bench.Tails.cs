using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Consumer;

namespace TaskQueue.Load;

/// <summary>
/// The measurements behind issue 12's targets that the other files do not make: one-at-a-time enqueue
/// in pairs with the bare client's awaited RPUSH, the bare client's legs of the enqueue→start path (the
/// profile beside TaskQueue's latency), and 100,000 every-minute recurring records.
/// </summary>
internal sealed partial class Bench
{
    /// <summary>
    /// <paramref name="pairs"/> back-to-back pairs of the bare client's awaited RPUSH and one-at-a-time
    /// enqueue, <paramref name="n"/> each, every other pair the other way round (so that a drift in the
    /// load weighs on both sides); each pair is printed as it ends.
    /// </summary>
    public async Task<EnqueuePairs> EnqueuePairsAsync(int n, int pairs)
    {
        var bare = new double[pairs];
        var one = new double[pairs];
        for (int k = 0; k < pairs; k++)
        {
            bool bareFirst = k % 2 == 0;
            if (bareFirst)
            {
                bare[k] = await BareRpushAsync(n);
                one[k] = await EnqueueOneAtATimeAsync(n);
            }
            else
            {
                one[k] = await EnqueueOneAtATimeAsync(n);
                bare[k] = await BareRpushAsync(n);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    pair {k + 1} ({(bareFirst ? "bare first" : "enqueue first")}): bare RPUSH {bare[k]:N0}/s, enqueue {one[k]:N0}/s: {one[k] / bare[k]:0.00}×"));
        }
        return new EnqueuePairs(bare, one);
    }

    /// <summary>
    /// The take of the profile: what a take must do at the least, pop the head and record it as taken
    /// (KEYS[1] the list, KEYS[2] a hash of taken entries, ARGV[1] the field).
    /// </summary>
    private const string ProfileTakeScript = """
        local v = redis.call('LPOP', KEYS[1])
        if v then redis.call('HSET', KEYS[2], ARGV[1], v) end
        return v
        """;

    /// <summary>Bytes of a profile message: as many as the bare RPUSH rows send; the first 8 are the producer's Stopwatch timestamp.</summary>
    private const int ProfileMessageBytes = 56;

    /// <summary>Messages sent through each leg before the measured ones (JIT, connections, Redis' buffers).</summary>
    private const int ProfileWarmUp = 200;

    /// <summary>
    /// The bare StackExchange.Redis legs of the enqueue→start path, on this Redis at
    /// <paramref name="perSecond"/> for <paramref name="seconds"/> each, paced as <see cref="LatencyAsync"/>
    /// paces its pings: (a) an awaited PING and an awaited RPUSH, each tick; (b) RPUSH on the shared
    /// connection until <c>BLMOVE q q LEFT LEFT</c> blocked on a second connection returns (the wake-up
    /// TaskQueue's waiter waits for); (c) that and then one EVALSHA of <see cref="ProfileTakeScript"/>
    /// on the shared connection (the take). Each message carries the producer's Stopwatch timestamp, so
    /// one process's clock measures it and an overlapping send cannot stand in for it.
    /// </summary>
    public async Task<PathProfile> EnqueueToStartProfileAsync(int perSecond, int seconds)
    {
        int total = perSecond * seconds;
        var db = mux.GetDatabase();
        RedisKey queue = $"{{tq:{application}}}:profile";
        RedisKey taken = $"{{tq:{application}}}:profile-taken";
        await db.KeyDeleteAsync([queue, taken]);

        // (a) Round trips: a PING, then an RPUSH of the same bytes as the others, each tick.
        var pings = new List<double>(total);
        var pushes = new List<double>(total);
        await PacedAsync(ProfileWarmUp + total, perSecond, async i =>
        {
            long t0 = Stopwatch.GetTimestamp();
            await db.PingAsync();
            long t1 = Stopwatch.GetTimestamp();
            await db.ListRightPushAsync(queue, ProfileMessage(t1));
            long t2 = Stopwatch.GetTimestamp();
            if (i < ProfileWarmUp) return;
            pings.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            pushes.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        });
        await db.KeyDeleteAsync(queue);

        // (b) and (c): a second connection blocks as TaskQueue's waiter does.
        await using var blocking = await ConnectionMultiplexer.ConnectAsync(redis);
        byte[] take = await mux.GetServer(mux.GetEndPoints()[0]).ScriptLoadAsync(ProfileTakeScript);
        var wakeUp = await WakeAsync(db, blocking.GetDatabase(), queue, taken, take: null, perSecond, total);
        var wakeAndTake = await WakeAsync(db, blocking.GetDatabase(), queue, taken, take, perSecond, total);
        await db.KeyDeleteAsync([queue, taken]);
        return new PathProfile(Percentiles.Of(pings), Percentiles.Of(pushes), wakeUp, wakeAndTake);
    }

    /// <summary>
    /// A paced producer RPUSHes <see cref="ProfileWarmUp"/> + <paramref name="total"/> messages on the
    /// shared connection; a consumer loops on <c>BLMOVE q q LEFT LEFT 0.5</c> on the blocking connection
    /// and, when it returns, records the time since the message's timestamp: at once (then pops the
    /// message, untimed, so that the next BLMOVE blocks), or once the take script (EVALSHA on the shared
    /// connection, as TaskQueue's take runs on its shared connection) has popped it and recorded it taken.
    /// </summary>
    private static async Task<Percentiles> WakeAsync(IDatabase db, IDatabase blocking, RedisKey queue, RedisKey taken, byte[]? take, int perSecond, int total)
    {
        int all = ProfileWarmUp + total;
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(all / (double)perSecond + 60);
        var consumer = Task.Run(async () =>
        {
            var latencies = new List<double>(total);
            for (int seen = 0; seen < all;)
            {
                if (deadline.Elapsed > limit) throw new TimeoutException($"the profile's consumer saw {seen:N0} of {all:N0} messages");
                var head = await blocking.ExecuteAsync("BLMOVE", queue, queue, "LEFT", "LEFT", "0.5");
                if (head.IsNull) continue;   // the 0.5 s timeout: nothing sent yet
                long now;
                byte[] message;
                if (take is null)
                {
                    now = Stopwatch.GetTimestamp();
                    message = (byte[])head!;
                    await db.ListLeftPopAsync(queue);
                }
                else
                {
                    var popped = await db.ScriptEvaluateAsync(take, [queue, taken], [seen]);
                    now = Stopwatch.GetTimestamp();
                    if (popped.IsNull) continue;
                    message = (byte[])popped!;
                }
                if (seen++ >= ProfileWarmUp) latencies.Add(Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(message), now).TotalMilliseconds);
            }
            return latencies;
        });
        await PacedAsync(all, perSecond, async _ => await db.ListRightPushAsync(queue, ProfileMessage(Stopwatch.GetTimestamp())));
        return Percentiles.Of(await consumer);
    }

    private static byte[] ProfileMessage(long timestamp)
    {
        var message = new byte[ProfileMessageBytes];
        BinaryPrimitives.WriteInt64LittleEndian(message, timestamp);
        return message;
    }

    /// <summary>
    /// Calls <paramref name="send"/> <paramref name="count"/> times, the i-th at i / <paramref name="perSecond"/>
    /// seconds from now, each awaited. It paces without spinning: on 2 cores a spinning producer would
    /// steal the consumers' core.
    /// </summary>
    private static async Task PacedAsync(int count, int perSecond, Func<int, Task> send)
    {
        var start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            while (Stopwatch.GetElapsedTime(start) < due) await Task.Delay(1);
            await send(i);
        }
    }

    /// <summary>The schedule of the many-records measurement: second 0 of every minute.</summary>
    public const string EveryMinute = "0 * * * * *";

    /// <summary>
    /// <paramref name="records"/> recurring records of the <c>MinuteBeat</c> task on <see cref="EveryMinute"/>,
    /// saved as the every-second measurement saves its records (the stub's <c>Recurring(…).SaveAsync()</c>,
    /// 500 at a time), then run by <paramref name="consumers"/> consumers (4 workers, batch 64, periodic off)
    /// through <paramref name="minutes"/> whole minutes: the first occurrence at least 5 s after the
    /// consumers start (one later when a minute began while the records were saved: those records are
    /// due at once, and their burst is not measured), and until every measured occurrence has run or a
    /// minute after the last one ended.
    /// </summary>
    public async Task<ManyRecords> ManyRecordsAsync(int records, int minutes, int consumers)
    {
        var total = Stopwatch.StartNew();
        await FreshAsync();
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        long before = await UsedMemoryAsync(server);
        var beat = MinuteBeat.With(app);
        var savedFrom = await RedisNowAsync(server);
        var saving = Stopwatch.StartNew();
        var saves = new List<Task>(500);
        for (int i = 0; i < records; i++)
        {
            saves.Add(beat.Recurring(schedule: EveryMinute, label: $"minute-{i}").SaveAsync());
            if (saves.Count == 500)
            {
                await Task.WhenAll(saves);
                saves.Clear();
            }
        }
        await Task.WhenAll(saves);
        double saveSeconds = saving.Elapsed.TotalSeconds;
        double bytes = (await UsedMemoryAsync(server) - before) / (double)records;
        var savedTo = await RedisNowAsync(server);

        var running = new List<TaskConsumer>();
        for (int i = 0; i < consumers; i++)
        {
            var c = new TaskConsumer(app, new ConsumerOptions { Workers = 4, BatchSize = 64, RunPeriodic = false });
            c.Start();
            running.Add(c);
        }
        var started = await RedisNowAsync(server);
        var first = MinuteAtOrAfter(started.AddSeconds(5));
        bool burst = MinuteAtOrAfter(savedFrom) != MinuteAtOrAfter(savedTo);
        if (burst) first = first.AddMinutes(1);
        var end = first.AddMinutes(minutes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {records:N0} every-minute records saved in {saveSeconds:0.0} s ({records / saveSeconds:N0}/s); measuring the occurrences from {first:HH:mm:ss} to {end.AddMinutes(-1):HH:mm:ss} UTC{(burst ? " (a minute began while saving: its burst is not measured)" : "")}"));

        long firstMs = first.ToUnixTimeMilliseconds(), endMs = end.ToUnixTimeMilliseconds();
        int expected = records * minutes;
        bool InWindow((string RecordId, long EtaUnixMs, double LateMs) run) => run.EtaUnixMs >= firstMs && run.EtaUnixMs < endMs;
        while (true)
        {
            await Task.Delay(1000);
            var now = await RedisNowAsync(server);
            if (now < end.AddMinutes(-1)) continue;   // the last occurrence is not due yet
            if (now >= end.AddMinutes(1)) break;
            if (Observed.MinuteRuns.Count(InWindow) >= expected
                && Observed.MinuteRuns.Where(InWindow).Select(r => (r.RecordId, r.EtaUnixMs)).Distinct().Count() >= expected)
            {
                break;
            }
        }
        foreach (var c in running) await c.DisposeAsync();
        long after = await UsedMemoryAsync(server);

        var runs = Observed.MinuteRuns.Where(InWindow).ToList();
        var perMinute = Enumerable.Range(0, minutes).Select(m => runs.Count(r => r.EtaUnixMs == firstMs + m * 60_000L)).ToArray();
        int distinct = runs.Select(r => (r.RecordId, r.EtaUnixMs)).Distinct().Count();
        var result = new ManyRecords(records, minutes, first, saveSeconds, bytes, (after - before) / (double)records, perMinute,
            Missed: expected - distinct, Duplicates: runs.Count - distinct, Percentiles.Of(runs.Select(r => r.LateMs)),
            LateOverSecond: runs.Count(r => r.LateMs > 1000), LastStartMs: runs.Count == 0 ? 0 : runs.Max(r => r.LateMs), Seconds: 0);
        await FreshAsync();
        return result with { Seconds = total.Elapsed.TotalSeconds };
    }

    private static async Task<DateTimeOffset> RedisNowAsync(IServer server)
        => new(DateTime.SpecifyKind(await server.TimeAsync(), DateTimeKind.Utc));

    /// <summary>The first whole minute at or after <paramref name="time"/>.</summary>
    private static DateTimeOffset MinuteAtOrAfter(DateTimeOffset time)
    {
        var minute = new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, TimeSpan.Zero);
        return minute == time ? minute : minute.AddMinutes(1);
    }
}

/// <summary>The rates of the interleaved pairs: the bare client's awaited RPUSH and one-at-a-time enqueue, pair by pair.</summary>
internal sealed record EnqueuePairs(double[] Bare, double[] One)
{
    public double[] Ratios => [.. One.Zip(Bare, (one, bare) => one / bare)];
}

/// <summary>The bare client's legs of the enqueue→start path, in milliseconds: (a) PING and RPUSH round trips, (b) wake-up, (c) wake-up and take.</summary>
internal sealed record PathProfile(Percentiles Ping, Percentiles Rpush, Percentiles WakeUp, Percentiles WakeAndTake);

/// <summary>What the many-records measurement saw over its measured occurrences (runs by their occurrence, lateness in milliseconds).</summary>
internal sealed record ManyRecords(int Records, int Minutes, DateTimeOffset FirstMinute, double SaveSeconds, double BytesPerRecord, double BytesPerRecordAfterRuns,
    int[] RunsPerMinute, int Missed, int Duplicates, Percentiles Late, int LateOverSecond, double LastStartMs, double Seconds);

/// <summary>
/// The rows of issue 12's targets: one-at-a-time enqueue against the bare awaited RPUSH, enqueue→start
/// beside the bare client's legs of the same path, schedule accuracy, recurring records (and, on request,
/// 100,000 of them). A full run and <c>--tails-only</c> add them alike.
/// </summary>
internal static class TailRows
{
    /// <summary>The pace of the latency rows and of their profile.</summary>
    public const int PerSecond = 1000;

    /// <summary>Records of the many-records measurement.</summary>
    public const int ManyRecordCount = 100_000;

    /// <summary>Whole minutes (occurrences) the many-records measurement runs through.</summary>
    public const int ManyRecordMinutes = 2;

    /// <summary>
    /// The bare client's awaited RPUSH and one-at-a-time enqueue, the median of interleaved pairs (7; 5 with
    /// --quick) of 10,000 messages each: on a shared machine a single run's rate moves by half from one run to
    /// the next, so short runs back to back see more nearly the same machine.
    /// </summary>
    public static async Task AddEnqueueAsync(Table table, Bench bench, LoadOptions options, double lpush1)
    {
        int n = Math.Min(options.N, 10_000);
        int pairs = options.Quick ? 5 : 7;
        var measured = await bench.EnqueuePairsAsync(n, pairs);
        double[] ratios = measured.Ratios;
        double bare = Median(measured.Bare), one = Median(measured.One), ratio = Median(ratios);
        table.Add($"bare StackExchange.Redis RPUSH, awaited (the stack's bound), median of {pairs}", bare, "/s", lpush1, "LPUSH -c1 -P1");
        table.Add($"enqueue, one at a time (awaited), median of {pairs}", one, "/s", lpush1, "LPUSH -c1 -P1", target: 0.50,
            note: string.Create(CultureInfo.InvariantCulture,
                $"{ratio:P0} of the bare awaited RPUSH (median of the {pairs} interleaved pairs' ratios: {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))}): target ≥ 90 %, {(ratio >= 0.90 ? "met" : "missed")}"));
    }

    /// <summary>The bare client's legs of the enqueue→start path, then TaskQueue's enqueue→start on one queue and on three, at 1,000/s.</summary>
    public static async Task AddLatencyAsync(Table table, Bench bench, LoadOptions options)
    {
        int seconds = options.Quick ? 3 : 5;
        var profile = await bench.EnqueueToStartProfileAsync(PerSecond, seconds);
        const string Bare = "at 1,000/s, bare StackExchange.Redis";
        table.AddText($"enqueue→start profile (a): awaited PING round trip {Bare}, p50 / p99 / p99.9", Ms(profile.Ping));
        table.AddText($"enqueue→start profile (a): awaited RPUSH round trip {Bare}, p50 / p99 / p99.9", Ms(profile.Rpush));
        table.AddText($"enqueue→start profile (b): RPUSH until BLMOVE q q LEFT LEFT blocked on a second connection returns (wake-up) {Bare}, p50 / p99 / p99.9",
            Ms(profile.WakeUp));
        table.AddText($"enqueue→start profile (c): (b), then EVALSHA of a Lua LPOP + HSET on the first connection (wake-up and take) {Bare}, p50 / p99 / p99.9",
            Ms(profile.WakeAndTake), note: "the basis of the enqueue→start rows below");
        var one = await bench.LatencyAsync(PerSecond, seconds, workers: 4);
        AddLatency(table, "idle workers", one, profile);
        var three = await bench.LatencyAsync(PerSecond, seconds, workers: 4, queues: 3);
        AddLatency(table, "workers on 3 queues (the last one used)", three, profile);
    }

    private static void AddLatency(Table table, string workers, Percentiles taskQueue, PathProfile bare)
    {
        table.Add($"enqueue→start p50 at 1,000/s, {workers}", taskQueue.P50, " ms", bare.WakeAndTake.P50, "bare wake+take p50");
        table.Add($"enqueue→start p99 at 1,000/s, {workers}", taskQueue.P99, " ms", bare.WakeAndTake.P99, "bare wake+take p99",
            note: Table.AtMost(taskQueue.P99, 0.5, "0.5 ms") + string.Create(CultureInfo.InvariantCulture,
                $" (the wake-up's earlier ≤ 2 ms: {(taskQueue.P99 <= 2 ? "met" : "missed")}); of it, the bare wake-up and take's p99 is {bare.WakeAndTake.P99 / taskQueue.P99:P0}, the bare wake-up's alone {bare.WakeUp.P99 / taskQueue.P99:P0}"));
        table.Add($"enqueue→start p99.9 at 1,000/s, {workers}", taskQueue.P999, " ms", bare.WakeAndTake.P999, "bare wake+take p99.9");
    }

    /// <summary>5,000 tasks due in the same second, 16 workers.</summary>
    public static async Task AddScheduleAccuracyAsync(Table table, Bench bench)
    {
        var accuracy = await bench.ScheduleAccuracyAsync(count: 5000, workers: 16);
        table.Add("|start − eta| p50, 5,000 tasks due in the same second", accuracy.P50, " ms");
        table.Add("|start − eta| p99, 5,000 tasks due in the same second", accuracy.P99, " ms", note: Table.AtMost(accuracy.P99, 20, "20 ms"));
    }

    /// <summary>2,000 every-second recurring records (500 with --quick), 2 consumers.</summary>
    public static async Task AddRecurringAsync(Table table, Bench bench, LoadOptions options)
    {
        int records = options.Quick ? 500 : 2000;
        var recurring = await bench.RecurringAsync(records, consumers: 2, seconds: options.Quick ? 5 : 10);
        table.Add($"{records:N0} every-second recurring records, 2 consumers: runs", recurring.RunsPerSecond, "/s", note: $"of {records:N0}/s scheduled");
        table.Add("recurring start − occurrence p50", recurring.Late.P50, " ms");
        table.Add("recurring start − occurrence p99", recurring.Late.P99, " ms",
            note: Table.AtMost(recurring.Late.P99, 20, "20 ms") + (records == 2000 ? "" : " (the target is for 2,000 records)"));
        table.Add("Redis memory per recurring record", recurring.BytesPerRecord, " B", note: Table.AtMost(recurring.BytesPerRecord, 300, "300 B (at 100,000 records)"));
    }

    /// <summary>100,000 every-minute recurring records, 2 consumers, 2 whole minutes (not with --quick or --no-many-records).</summary>
    public static async Task AddManyRecordsAsync(Table table, Bench bench)
    {
        var m = await bench.ManyRecordsAsync(ManyRecordCount, ManyRecordMinutes, consumers: 2);
        int occurrences = m.Records * m.Minutes, runs = m.RunsPerMinute.Sum();
        string what = string.Create(CultureInfo.InvariantCulture, $"{m.Records:N0} every-minute recurring records (`{Bench.EveryMinute}`), 2 consumers, {m.Minutes} whole minutes");
        var minutes = m.RunsPerMinute.Select((count, i) => string.Create(CultureInfo.InvariantCulture, $"{m.FirstMinute.AddMinutes(i):HH:mm} {count:N0}"));
        table.AddText($"{what}: runs per occurrence", string.Create(CultureInfo.InvariantCulture, $"{runs / (double)m.Minutes:N0}/min"),
            note: string.Create(CultureInfo.InvariantCulture, $"of {m.Records:N0} scheduled (UTC {string.Join(", ", minutes)}); {m.Duplicates:N0} run twice"));
        table.AddText($"{what}: start − occurrence p50 / p99 / p99.9", Ms(m.Late),
            note: string.Create(CultureInfo.InvariantCulture, $"the last run started {m.LastStartMs / 1000:0.0} s after its occurrence"));
        table.AddText($"{what}: runs started more than 1 s after their occurrence", string.Create(CultureInfo.InvariantCulture, $"{m.LateOverSecond:N0}"),
            note: string.Create(CultureInfo.InvariantCulture, $"{(runs == 0 ? 0 : m.LateOverSecond / (double)runs):P1} of the {runs:N0} runs; target 0 (all runs on time), {(m.LateOverSecond == 0 ? "met" : "missed")}"));
        table.AddText($"{what}: missed runs", string.Create(CultureInfo.InvariantCulture, $"{m.Missed:N0}"),
            note: string.Create(CultureInfo.InvariantCulture, $"of {occurrences:N0} occurrences (not run within a minute after the last one ended); target 0, {(m.Missed == 0 ? "met" : "missed")}"));
        table.Add($"Redis memory per recurring record, {m.Records:N0} records", m.BytesPerRecord, " B",
            note: Table.AtMost(m.BytesPerRecord, 300, "300 B") + string.Create(CultureInfo.InvariantCulture,
                $"; after the runs {m.BytesPerRecordAfterRuns:0} B a record (all the application's keys); saved in {m.SaveSeconds:0.0} s; the measurement took {m.Seconds:0} s"));
    }

    /// <summary>p50 / p99 / p99.9 in milliseconds: to the microsecond under 100 ms, whole milliseconds above.</summary>
    private static string Ms(Percentiles p) => $"{Ms(p.P50)} / {Ms(p.P99)} / {Ms(p.P999)} ms";

    private static string Ms(double ms) => ms.ToString(ms < 100 ? "0.###" : "N0", CultureInfo.InvariantCulture);

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
