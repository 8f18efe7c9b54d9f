using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Consumer;

namespace TaskQueue.Load;

/// <summary>What a flow drain runs: plain tasks, pipelines or chords.</summary>
internal enum FlowShape
{
    PlainNoop,
    PlainPass,
    Pipeline,
    Chord,
}

/// <summary>
/// One workload of the flow rows. <paramref name="Size"/>: a pipeline's steps, a chord's members, 1 for plain tasks. <paramref name="Unit"/> names what the rate counts (tasks, steps, members).
/// </summary>
internal sealed record FlowWorkload(FlowShape Shape, int Size, string Label, string Unit)
{
    /// <summary>The units (tasks, steps, members) of a drain of about <paramref name="n"/>: whole pipelines or chords.</summary>
    public int Units(int n) => n / Size * Size;
}

/// <summary>
/// A timed flow drain: units per second; Redis CPU per unit, sent and run (<paramref name="CpuUs"/>) and run alone
/// (<paramref name="RunCpuUs"/>: the drain, which for pipelines and chords includes the workers' sends of the next steps
/// and callbacks); when asked, the Redis memory its run left.
/// </summary>
internal sealed record FlowDrain(double Rate, double CpuUs, double RunCpuUs, FlowMemory? Memory);

/// <summary>Redis memory left after a flow drain: <c>used_memory</c> after − before, per unit; and the keys it left, by kind.</summary>
internal sealed record FlowMemory(double BytesPerUnit, IReadOnlyList<KeyKind> Kinds);

/// <summary>Keys of one kind left after a drain, and the sum of their <c>MEMORY USAGE</c>.</summary>
internal sealed record KeyKind(string Name, long Keys, long Bytes);

/// <summary>The flow rows' measurements: drains of plain tasks, pipelines and chords; hand-off latencies; what sending costs.</summary>
internal sealed partial class Bench
{
    /// <summary>Sends in flight at once while a flow drain's pipelines or chords are sent (each send awaited).</summary>
    private const int FlowSendsInFlight = 64;

    /// <summary>
    /// Sends about <paramref name="n"/> units of <paramref name="workload"/>, then drains them with the in-process drain's
    /// consumer (1 × <paramref name="workers"/>, batch 64): the clock runs from the consumer's start until every unit and
    /// every chord callback has run and nothing is waiting or in flight. With <paramref name="memory"/>, also what the
    /// run left in Redis once the consumer stopped.
    /// </summary>
    public async Task<FlowDrain> DrainFlowAsync(FlowWorkload workload, int n, int workers, bool memory)
    {
        await FreshAsync();
        int units = workload.Units(n);
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        long before = memory ? await SettledKeyMemoryAsync(server) : 0;
        double cpuBefore = await RedisCpuSecondsAsync();
        int callbacks = await SendFlowAsync(workload, units);
        double cpuSent = await RedisCpuSecondsAsync();
        TimeSpan elapsed;
        double cpuRun;
        await using (var consumer = new TaskConsumer(app, DrainOptions(workers)))
        {
            var clock = Stopwatch.StartNew();
            consumer.Start();
            await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= units && Interlocked.Read(ref Observed.Callbacks) >= callbacks);
            elapsed = clock.Elapsed;
            cpuRun = await RedisCpuSecondsAsync();
        }
        var left = memory ? new FlowMemory((await KeyMemoryAsync(server) - before) / (double)units, await KeysLeftAsync(server)) : null;
        return new FlowDrain(units / elapsed.TotalSeconds, (cpuRun - cpuBefore) * 1e6 / units, (cpuRun - cpuSent) * 1e6 / units, left);
    }

    /// <summary>Sends <paramref name="units"/> units of <paramref name="workload"/>; returns the chord callbacks to wait for.</summary>
    private async Task<int> SendFlowAsync(FlowWorkload workload, int units)
    {
        switch (workload.Shape)
        {
            case FlowShape.PlainNoop:
                await FillAsync(units);
                return 0;
            case FlowShape.PlainPass:
                var pass = Pass.With(app);
                for (int sent = 0; sent < units; sent += 1000) await pass.EnqueueManyAsync(Enumerable.Range(sent, Math.Min(1000, units - sent)));
                return 0;
            case FlowShape.Pipeline:
                var step = Pass.Step();
                await SendConcurrentlyAsync(units / workload.Size, async i => await PipelineOf(i, workload.Size, step).EnqueueAsync(app));
                return 0;
            default:
                int size = workload.Size, chords = units / size;
                Observed.TrackEnds(chords);
                var done = ChordDone.Step();
                await SendConcurrentlyAsync(chords, async c => await ChordMember.Map(Enumerable.Repeat(c, size)).Then(done).EnqueueAsync(app));
                return chords;
        }
    }

    /// <summary><c>Pass.S(value)</c>, then <paramref name="steps"/> − 1 times <paramref name="step"/> (at least 2 steps).</summary>
    private static TaskPipeline<int> PipelineOf(int value, int steps, TaskStep<int, int> step)
    {
        var pipeline = Pass.S(value).Then(step);
        for (int k = 2; k < steps; k++) pipeline = pipeline.Then(step);
        return pipeline;
    }

    /// <summary>Calls <paramref name="send"/> for 0 to <paramref name="count"/> − 1, <see cref="FlowSendsInFlight"/> at a time.</summary>
    private static async Task SendConcurrentlyAsync(int count, Func<int, Task> send)
    {
        var pending = new List<Task>(FlowSendsInFlight);
        for (int i = 0; i < count; i++)
        {
            pending.Add(send(i));
            if (pending.Count < FlowSendsInFlight) continue;
            await Task.WhenAll(pending);
            pending.Clear();
        }
        await Task.WhenAll(pending);
    }

    /// <summary>
    /// Redis' <c>used_memory</c> less its clients' buffers (<c>mem_clients_normal</c>): a burst of large sends (a chord's
    /// members in one command) leaves query buffers that Redis shrinks only later, and that are no key's.
    /// </summary>
    private static async Task<long> KeyMemoryAsync(IServer server)
    {
        var info = (await server.InfoAsync("memory")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return long.Parse(info["used_memory"], CultureInfo.InvariantCulture) - long.Parse(info["mem_clients_normal"], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <see cref="KeyMemoryAsync"/> once the keyspace's hash tables have shrunk after a flush: Redis shrinks them in its
    /// cron (10 times a second), so a reading taken at once would count the previous drain's emptied tables, and the
    /// drain measured would seem to free them. Read every 150 ms until two readings agree (at most 2 s).
    /// </summary>
    private static async Task<long> SettledKeyMemoryAsync(IServer server)
    {
        long last = await KeyMemoryAsync(server);
        for (int i = 0; i < 13; i++)
        {
            await Task.Delay(150);
            long now = await KeyMemoryAsync(server);
            if (now == last) break;
            last = now;
        }
        return last;
    }

    /// <summary>The keys a flow drain leaves, by kind: pipeline step keys, results, chord hashes.</summary>
    private async Task<IReadOnlyList<KeyKind>> KeysLeftAsync(IServer server) =>
    [
        await KeyKindAsync(server, "step keys", $"{{tq:{application}:q:{TaskDescriptor.DefaultQueue}}}:u:step:*"),
        await KeyKindAsync(server, "results", $"{{tq:{application}:r:*"),
        await KeyKindAsync(server, "chord hashes", $"{{tq:{application}}}:chord:*"),
    ];

    private async Task<KeyKind> KeyKindAsync(IServer server, string name, string pattern)
    {
        var db = mux.GetDatabase();
        long keys = 0, bytes = 0;
        var page = new List<Task<RedisResult>>(1000);
        await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
        {
            keys++;
            page.Add(db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0"));
            if (page.Count < 1000) continue;
            bytes += Sum(await Task.WhenAll(page));
            page.Clear();
        }
        bytes += Sum(await Task.WhenAll(page));
        return new KeyKind(name, keys, bytes);

        // A key that expired meanwhile has no usage.
        static long Sum(RedisResult[] usages) => usages.Sum(u => u.IsNull ? 0 : (long)u);
    }

    /// <summary>
    /// Latencies on idle workers (the flow drains' consumer, 1 × <paramref name="workers"/>), in milliseconds, sent one at
    /// a time, each once the one before it has run, interleaved: a plain task's enqueue→start (<c>Ping</c>); a 2-step
    /// pipeline's hand-off, from its first step's end to its second step's start; and every so often a chord of
    /// <paramref name="chordSize"/> members' callback, from its last member's end to the callback's start.
    /// </summary>
    public async Task<(Percentiles Plain, Percentiles HandOff, Percentiles Callback)> FlowLatencyAsync(int samples, int chords, int chordSize, int workers)
    {
        const int WarmUp = 20;
        await FreshAsync();
        Observed.TrackEnds(2 * WarmUp + samples + chords);
        await using var consumer = new TaskConsumer(app, DrainOptions(workers));
        consumer.Start();
        var ping = Ping.With(app);
        var arrived = StepArrived.Step();
        var done = ChordDone.Step();
        int key = 0;

        async Task PlainAsync()
        {
            int expected = Observed.LatenciesMs.Count + 1;
            await ping.EnqueueAsync(Stopwatch.GetTimestamp());
            await UntilAsync(() => Observed.LatenciesMs.Count >= expected);
        }
        async Task HandOffAsync()
        {
            int expected = Observed.HandOffsMs.Count + 1;
            await ChordMember.S(key++).Then(arrived).EnqueueAsync(app);
            await UntilAsync(() => Observed.HandOffsMs.Count >= expected);
        }
        async Task ChordAsync()
        {
            long expected = Interlocked.Read(ref Observed.Callbacks) + 1;
            await ChordMember.Map(Enumerable.Repeat(key++, chordSize)).Then(done).EnqueueAsync(app);
            await UntilAsync(() => Interlocked.Read(ref Observed.Callbacks) >= expected);
        }

        for (int i = 0; i < WarmUp; i++)
        {
            await PlainAsync();
            await HandOffAsync();
            if (i % 10 == 0) await ChordAsync();
        }
        Observed.LatenciesMs.Clear();
        Observed.HandOffsMs.Clear();
        Observed.CallbackMs.Clear();
        int every = Math.Max(1, samples / chords), sentChords = 0;
        for (int i = 0; i < samples; i++)
        {
            await PlainAsync();
            await HandOffAsync();
            if (i % every != 0 || sentChords >= chords) continue;
            await ChordAsync();
            sentChords++;
        }
        while (sentChords++ < chords) await ChordAsync();
        return (Percentiles.Of(Observed.LatenciesMs), Percentiles.Of(Observed.HandOffsMs), Percentiles.Of(Observed.CallbackMs));
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var limit = Stopwatch.StartNew();
        while (!condition())
        {
            if (limit.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("a flow latency sample did not run");
            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Microseconds per send, <paramref name="count"/> sends awaited one at a time (after a tenth as many unmeasured),
    /// on a fresh namespace with nobody consuming. <paramref name="send"/> gets the app and the send's number.
    /// </summary>
    public async Task<double> SendCostAsync(int count, Func<TaskApp, int, Task> send)
    {
        await FreshAsync();
        for (int i = 0; i < Math.Max(20, count / 10); i++) await send(app, i);
        await FreshAsync();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++) await send(app, i);
        double us = clock.Elapsed.TotalMicroseconds / count;
        await FreshAsync();
        return us;
    }

    /// <summary>The flow rows' plain send: <paramref name="count"/> <c>Pass</c> tasks, each enqueue awaited before the next.</summary>
    public static async Task SendPlainTasksAsync(TaskApp app, int first, int count)
    {
        var pass = Pass.With(app);
        for (int i = 0; i < count; i++) await pass.EnqueueAsync(first + i);
    }

    /// <summary>A pipeline of <paramref name="steps"/> <c>Pass</c> steps (1: a plain <c>Pass</c> task).</summary>
    public static async Task SendPipelineAsync(TaskApp app, int value, int steps)
    {
        if (steps == 1) await Pass.With(app).EnqueueAsync(value);
        else await PipelineOf(value, steps, Pass.Step()).EnqueueAsync(app);
    }

    /// <summary><paramref name="count"/> plain <c>Pass</c> tasks in one <c>EnqueueManyAsync</c>.</summary>
    public static async Task SendManyAsync(TaskApp app, int first, int count) => await Pass.With(app).EnqueueManyAsync(Enumerable.Range(first, count));

    /// <summary>A group of <paramref name="count"/> <c>Pass</c> calls: <c>Pass.Map(…).EnqueueAsync</c>.</summary>
    public static async Task SendGroupAsync(TaskApp app, int first, int count) => await Pass.Map(Enumerable.Range(first, count)).EnqueueAsync(app);

    /// <summary>A chord of <paramref name="count"/> <c>ChordMember</c> calls and the <c>ChordDone</c> callback.</summary>
    public static async Task SendChordAsync(TaskApp app, int key, int count)
        => await ChordMember.Map(Enumerable.Repeat(key, count)).Then(ChordDone.Step()).EnqueueAsync(app);

    /// <summary>
    /// The size in bytes of the first message <paramref name="send"/> puts on the default queue's ready list (without the
    /// list entry's delivery byte), with nobody consuming; the list is emptied before and after.
    /// </summary>
    public async Task<int> FirstMessageBytesAsync(Func<TaskApp, Task> send)
    {
        var db = mux.GetDatabase();
        RedisKey ready = $"{{tq:{application}:q:{TaskDescriptor.DefaultQueue}}}:ready";
        await db.KeyDeleteAsync(ready);
        await send(app);
        var entry = (byte[]?)await db.ListGetByIndexAsync(ready, 0) ?? throw new InvalidOperationException("nothing was queued");
        await db.KeyDeleteAsync(ready);
        return entry.Length - 1;
    }
}

/// <summary>
/// The flow rows: the drain of pipelines and chords beside plain tasks (rates, worker time, Redis CPU and the memory a
/// run leaves, per step and per member), the latency of a pipeline's hand-off and of a chord's callback beside a plain
/// task's enqueue→start, and what sending a pipeline or a group costs beside plain sends.
/// </summary>
/// <remarks>
/// Each drain is of N units (tasks, steps, members) by 1 process × <see cref="Workers"/> workers, batch 64, as the plain
/// in-process drain. On a shared machine one drain's rate moves by a third from one drain to the next, so every workload
/// is drained once per round, <see cref="Rounds"/> rounds, every other round in the reverse order (so that a drift in the
/// load weighs on all), and the rows give the median rate and the median of the rounds' ratios.
/// </remarks>
internal static class FlowRows
{
    /// <summary>The workers of the flow drains, as the plain 16-worker drain row.</summary>
    public const int Workers = 16;

    /// <summary>Rounds of drains: each workload once a round.</summary>
    public const int Rounds = 3;

    private static readonly FlowWorkload PlainNoop = new(FlowShape.PlainNoop, 1, "plain no-op tasks (Noop)", "task");
    private static readonly FlowWorkload PlainPass = new(FlowShape.PlainPass, 1, "plain tasks returning their argument (Pass(i) → i, result stored)", "task");
    private static readonly FlowWorkload Pipeline2 = new(FlowShape.Pipeline, 2, "pipelines of 2 steps (Pass.S(i).Then(Pass.Step())), N/2 of them", "step");
    private static readonly FlowWorkload Pipeline10 = new(FlowShape.Pipeline, 10, "pipelines of 10 steps (Pass.S(i), then Pass.Step() × 9), N/10 of them", "step");
    private static readonly FlowWorkload Chord100 = new(FlowShape.Chord, 100,
        "chords of 100 members (ChordMember.Map(…).Then(ChordDone.Step())), N/100 of them", "member");
    // Not one chord of all N: the chord's last member reads every result in one HMGET of unpack(fields), and Redis' Lua
    // unpacks at most 7,999 values (LUAI_MAXCSTACK); the last member of a chord of 8,000 or more fails, is handed back,
    // and the callback never runs.
    private static readonly FlowWorkload Chord5000 = new(FlowShape.Chord, LargeChord,
        "chords of 5,000 members (ChordMember.Map(…).Then(ChordDone.Step())), N/5,000 of them", "member");
    private static readonly FlowWorkload[] Workloads = [PlainNoop, PlainPass, Pipeline2, Pipeline10, Chord100, Chord5000];

    /// <summary>The members of the large chords: well under the 7,999 a chord's last member can read back on Redis.</summary>
    private const int LargeChord = 5_000;

    /// <summary>
    /// Adds the flow rows. <paramref name="plainRow"/>: the plain 1 × 16 row measured before, if any (a full run has it,
    /// --flows-only not).
    /// </summary>
    public static async Task AddAsync(Table table, Bench bench, LoadOptions options, double? plainRow)
    {
        var clock = Stopwatch.StartNew();
        await AddDrainsAsync(table, bench, options.N, plainRow);
        var drains = clock.Elapsed;
        await AddLatencyAsync(table, bench, options);
        var latencies = clock.Elapsed - drains;
        await AddSendsAsync(table, bench, options);
        var sends = clock.Elapsed - drains - latencies;
        Console.WriteLine(Invariant($"    the flow rows took {clock.Elapsed.TotalSeconds:0} s: drains {drains.TotalSeconds:0.0} s, latencies {latencies.TotalSeconds:0.0} s, sends {sends.TotalSeconds:0.0} s"));
    }

    private static async Task AddDrainsAsync(Table table, Bench bench, int n, double? plainRow)
    {
        // Warm-up: every workload once, small, so that the first round does not pay for the first runs of its paths.
        foreach (var w in Workloads) await bench.DrainFlowAsync(w, Math.Max(w.Size, Math.Min(n / 20, 1_000)), Workers, memory: false);
        var drains = Workloads.ToDictionary(w => w, _ => new FlowDrain[Rounds]);
        for (int r = 0; r < Rounds; r++)
        {
            var order = r % 2 == 0 ? Workloads : Enumerable.Reverse(Workloads).ToArray();
            // The memory a run leaves, in the first round (its key scan is outside the timed drain).
            foreach (var w in order) drains[w][r] = await bench.DrainFlowAsync(w, n, Workers, memory: r == 0);
            Console.WriteLine(Invariant($"    round {r + 1} ({(r % 2 == 0 ? "in order" : "reversed")}): ")
                + string.Join(", ", Workloads.Select(w => Invariant($"{Short(w)} {drains[w][r].Rate:N0}/s"))));
        }

        double Rate(FlowWorkload w) => Median(drains[w].Select(d => d.Rate));
        double RatioTo(FlowWorkload w, FlowWorkload basis) => Median(Enumerable.Range(0, Rounds).Select(r => drains[w][r].Rate / drains[basis][r].Rate));
        string RoundRates(FlowWorkload w) => "rounds " + string.Join(" / ", drains[w].Select(d => Invariant($"{d.Rate:N0}"))) + "/s";
        double noop = Rate(PlainNoop), pass = Rate(PlainPass);
        string what = Invariant($"1 process × {Workers} workers, median of {Rounds}");

        // Rates and worker time (1/throughput).
        table.Add($"flows: {PlainNoop.Label}, {what}", noop, "/s",
            note: Invariant($"1/throughput {1e6 / noop:0.0} µs a task; {RoundRates(PlainNoop)}")
                  + (plainRow is { } row ? Invariant($"; {noop / row:0.00}× the plain 1 × {Workers} row") : ""));
        table.Add($"flows: {PlainPass.Label}, {what}", pass, "/s", noop, "plain no-op",
            note: Invariant($"{RatioTo(PlainPass, PlainNoop):0.00}× plain no-op (median of the rounds' ratios); 1/throughput {1e6 / pass:0.0} µs a task; {RoundRates(PlainPass)}"));
        foreach (var w in Workloads.Skip(2))
        {
            double rate = Rate(w);
            string callbacks = w.Shape == FlowShape.Chord ? "; the callbacks run within the time, not counted" : "";
            double extra = 1e6 / rate - 1e6 / pass;
            table.Add($"flows: {w.Label}, {what}: {w.Unit}s", rate, "/s", pass, "plain Pass",
                note: Invariant($"{RatioTo(w, PlainPass):0.00}× plain Pass, {RatioTo(w, PlainNoop):0.00}× plain no-op (medians of the rounds' ratios); ")
                      + Invariant($"1/throughput {1e6 / rate:0.0} µs a {w.Unit} against {1e6 / pass:0.0} µs a plain Pass task (+{extra:0.0} µs{HandOff(w, extra)}) and {1e6 / noop:0.0} µs a no-op; ")
                      + RoundRates(w) + callbacks);
        }

        // Redis CPU, sent and run.
        double Cpu(FlowWorkload w) => Median(drains[w].Select(d => d.CpuUs));
        double RunCpu(FlowWorkload w) => Median(drains[w].Select(d => d.RunCpuUs));
        foreach (var w in Workloads)
        {
            double? basis = null;
            string? basisName = null;
            if (w == PlainPass) (basis, basisName) = (Cpu(PlainNoop), "plain no-op");
            else if (w != PlainNoop) (basis, basisName) = (Cpu(PlainPass), "plain Pass");
            string sent = w.Shape switch
            {
                FlowShape.Pipeline => "the first steps sent one at a time (64 in flight), the next ones by the workers, in the run",
                FlowShape.Chord => "each chord's members in one send, the callbacks by the workers, in the run",
                _ => "sent by EnqueueManyAsync × 1,000",
            };
            table.Add($"flows: Redis CPU per {w.Unit}, sent and run, {w.Label}, median of {Rounds}", Cpu(w), " µs", basis, basisName,
                note: Invariant($"{sent}; the run alone {RunCpu(w):0.00} µs") + (w.Shape is FlowShape.PlainNoop or FlowShape.PlainPass
                    ? ""
                    : Invariant($" (plain Pass {RunCpu(PlainPass):0.00} µs: +{RunCpu(w) - RunCpu(PlainPass):0.00} µs a {w.Unit}{HandOff(w, RunCpu(w) - RunCpu(PlainPass))})")));
        }

        // The memory a run leaves (first round).
        var passLeft = drains[PlainPass][0].Memory!;
        foreach (var w in Workloads)
        {
            var left = drains[w][0].Memory!;
            int units = w.Units(n);
            var kinds = left.Kinds.Where(k => k.Keys > 0)
                .Select(k => Invariant($"{k.Keys:N0} {k.Name} ({KeyTtl(k.Name)}) of {k.Bytes / (double)k.Keys:N0} B each, {k.Bytes / (double)units:0} B a {w.Unit}"))
                .ToList();
            string over = w.Shape is FlowShape.PlainNoop or FlowShape.PlainPass ? "" : Invariant($"+{left.BytesPerUnit - passLeft.BytesPerUnit:0} B a {w.Unit} over a plain Pass task; ");
            string note = kinds.Count == 0 ? "no keys of its own left (the noise floor: counters, send memos)" : over + "MEMORY USAGE: " + string.Join("; ", kinds);
            table.Add($"flows: Redis memory left after the run, per {w.Unit}, {w.Label}", left.BytesPerUnit, " B",
                w == PlainNoop ? null : passLeft.BytesPerUnit, w == PlainNoop ? null : "plain Pass", note: note);
        }
    }

    private static async Task AddLatencyAsync(Table table, Bench bench, LoadOptions options)
    {
        int samples = options.Quick ? 200 : 1000, chords = options.Quick ? 40 : 200;
        var (plain, handOff, callback) = await bench.FlowLatencyAsync(samples, chords, chordSize: 100, Workers);
        string idle = Invariant($"1 process × {Workers} idle workers, each sent once the one before ran");
        table.AddText($"flows: plain enqueue→start (Ping), {idle}, p50 / p99 / p99.9", Ms(plain), note: Invariant($"{samples:N0} samples; the basis of the two rows below"));
        table.AddText($"flows: pipeline hand-off, step 1's end → step 2's start (ChordMember.S(k).Then(StepArrived.Step())), {idle}, p50 / p99 / p99.9",
            Ms(handOff), Invariant($"p50 {handOff.P50 / plain.P50:0.0}×, p99 {handOff.P99 / plain.P99:0.0}× plain enqueue→start"),
            Invariant($"{samples:N0} samples, interleaved with the plain ones"));
        table.AddText($"flows: chord callback, the last member's end → the callback's start, chords of 100, {idle}, p50 / p99 / p99.9",
            Ms(callback), Invariant($"p50 {callback.P50 / plain.P50:0.0}×, p99 {callback.P99 / plain.P99:0.0}× plain enqueue→start"),
            Invariant($"{chords:N0} chords (their p99.9 is their slowest), interleaved with the rows above"));
    }

    private static async Task AddSendsAsync(Table table, Bench bench, LoadOptions options)
    {
        int pairs = options.Quick ? 3 : 5, count = options.Quick ? 200 : 1000;
        // A pipeline of 10 against 10 plain enqueues, each awaited; every other pair the other way round.
        var plain10 = new double[pairs];
        var pipeline10 = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            Task<double> Plain() => bench.SendCostAsync(count, (app, i) => Bench.SendPlainTasksAsync(app, 10 * i, 10));
            Task<double> Pipeline() => bench.SendCostAsync(count, (app, i) => Bench.SendPipelineAsync(app, i, 10));
            if (p % 2 == 0)
            {
                plain10[p] = await Plain();
                pipeline10[p] = await Pipeline();
            }
            else
            {
                pipeline10[p] = await Pipeline();
                plain10[p] = await Plain();
            }
        }
        // A group and a chord of 100 against EnqueueManyAsync of 100, in turn (the order rotated each time).
        var many = new double[pairs];
        var group = new double[pairs];
        var chord = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            var sends = new (double[] Into, Func<TaskApp, int, Task> Send)[]
            {
                (many, (app, i) => Bench.SendManyAsync(app, 100 * i, 100)),
                (group, (app, i) => Bench.SendGroupAsync(app, 100 * i, 100)),
                (chord, (app, i) => Bench.SendChordAsync(app, i, 100)),
            };
            for (int k = 0; k < sends.Length; k++)
            {
                var (into, send) = sends[(p + k) % sends.Length];
                into[p] = await bench.SendCostAsync(count, send);
            }
        }
        string of = Invariant($"{count:N0} sends awaited one at a time, median of {pairs}");
        table.Add($"flows: send 10 plain tasks (Pass, EnqueueAsync × 10, each awaited), {of}", Median(plain10), " µs");
        table.Add($"flows: send a pipeline of 10 steps (EnqueueAsync), {of}", Median(pipeline10), " µs", Median(plain10), "10 plain enqueues",
            note: "median of the pairs' ratios " + Invariant($"{Median(pipeline10.Zip(plain10, (a, b) => a / b)):0.00}"));
        table.Add($"flows: send 100 plain tasks (Pass, one EnqueueManyAsync), {of}", Median(many), " µs");
        table.Add($"flows: send a group of 100 (Pass.Map(…).EnqueueAsync), {of}", Median(group), " µs", Median(many), "EnqueueManyAsync × 100",
            note: "median of the ratios " + Invariant($"{Median(group.Zip(many, (a, b) => a / b)):0.00}"));
        table.Add($"flows: send a chord of 100 (ChordMember.Map(…).Then(ChordDone.Step()).EnqueueAsync), {of}", Median(chord), " µs", Median(many),
            "EnqueueManyAsync × 100", note: "median of the ratios " + Invariant($"{Median(chord.Zip(many, (a, b) => a / b)):0.00}"));

        // Message sizes: each step's message carries the steps after it, so a pipeline's messages together grow with the square of its length.
        var firsts = new int[101];
        for (int steps = 1; steps <= 100; steps++) firsts[steps] = await bench.FirstMessageBytesAsync(app => Bench.SendPipelineAsync(app, 1, steps));
        long Lifetime(int steps) => Enumerable.Range(1, steps).Sum(j => (long)firsts[j]);
        table.AddText("flows: message bytes, a plain Pass task / the first step of a pipeline of 2 / 10 / 100 steps",
            Invariant($"{firsts[1]:N0} / {firsts[2]:N0} / {firsts[10]:N0} / {firsts[100]:N0} B"),
            Invariant($"{firsts[2] / (double)firsts[1]:0.0}× / {firsts[10] / (double)firsts[1]:0.0}× / {firsts[100] / (double)firsts[1]:0.0}× the plain message"),
            Invariant($"each step's message carries the steps after it: all of a pipeline's messages together about {Lifetime(2):N0} / {Lifetime(10):N0} / {Lifetime(100):N0} B, ")
            + Invariant($"{Lifetime(2) / 2.0 / firsts[1]:0.0}× / {Lifetime(10) / 10.0 / firsts[1]:0.0}× / {Lifetime(100) / 100.0 / firsts[1]:0.0}× a plain message a step"));
        int groupMember = await bench.FirstMessageBytesAsync(app => Bench.SendGroupAsync(app, 1, 100));
        int chordMember = await bench.FirstMessageBytesAsync(app => Bench.SendChordAsync(app, 1, 100));
        table.AddText("flows: message bytes, a member of a group of 100 / of a chord of 100",
            Invariant($"{groupMember:N0} / {chordMember:N0} B"), Invariant($"{chordMember / (double)groupMember:0.0}× the group member"),
            "a chord member carries the callback's envelope");
    }

    /// <summary>
    /// For a pipeline, an extra cost per step restated per hand-off: every step but the last sends the next one, and the
    /// first steps were sent before the clock started, so a pipeline of k steps has k − 1 hand-offs in the run.
    /// </summary>
    private static string HandOff(FlowWorkload w, double extraPerStep)
        => w.Shape == FlowShape.Pipeline ? Invariant($", {extraPerStep * w.Size / (w.Size - 1):0.0} µs a hand-off") : "";

    /// <summary>How long a kind of key left by a run is kept (the results: the load tool's ResultTtl).</summary>
    private static string KeyTtl(string kind) => kind switch
    {
        "step keys" => "kept 1 day",
        "chord hashes" => "kept 7 days",
        _ => "kept 10 min here, 7 days by default",
    };

    private static string Short(FlowWorkload w) => w.Shape switch
    {
        FlowShape.PlainNoop => "plain no-op",
        FlowShape.PlainPass => "plain Pass",
        FlowShape.Pipeline => Invariant($"pipelines of {w.Size}"),
        _ => Invariant($"chords of {w.Size:N0}"),
    };

    private static string Ms(Percentiles p) => Invariant($"{p.P50:0.###} / {p.P99:0.###} / {p.P999:0.###} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
