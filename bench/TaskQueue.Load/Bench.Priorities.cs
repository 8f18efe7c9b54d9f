using System.Diagnostics;
using System.Globalization;
using TaskQueue.Consumer;

namespace TaskQueue.Load;

/// <summary>
/// The drain with priorities in use: the plain in-process drain's N no-op tasks and consumer, the tasks
/// sent with <see cref="PriorityLevels"/> mixed (a batch per priority in turn), and the order they started in.
/// </summary>
internal sealed partial class Bench
{
    /// <summary>
    /// The priorities of the priority drain, in the order their batches are sent: lowest first, so that
    /// taken in the order sent they would run in the reverse of the order their priorities ask for. 0 is
    /// the queue's default list; each other priority has a list of its own.
    /// </summary>
    public static readonly int[] PriorityLevels = [-1, 0, 1, 2];

    /// <summary>Tasks per <see cref="TaskApp.EnqueueManyAsync"/> of the priority fill, as in the plain fill.</summary>
    public const int PriorityFillBatch = 1000;

    /// <summary>A MessagePack empty array: the arguments of a task without parameters (what the Noop stub sends).</summary>
    private static readonly ReadOnlyMemory<byte> NoArguments = new byte[] { 0x90 };

    /// <summary>The drain of <paramref name="n"/> no-op tasks of mixed priorities, nobody listening to the events: tasks per second.</summary>
    public async Task<double> DrainWithPrioritiesAsync(int n, int workers) => (await DrainWithPrioritiesAsync(n, workers, watch: false)).Rate;

    /// <summary>The same drain with a <see cref="TaskEventKind.Started"/> listener that records each task's start rank.</summary>
    public async Task<(double Rate, PriorityOrder Order)> DrainWithPrioritiesWatchedAsync(int n, int workers)
    {
        var (rate, order) = await DrainWithPrioritiesAsync(n, workers, watch: true);
        return (rate, order!);
    }

    private async Task<(double Rate, PriorityOrder? Order)> DrainWithPrioritiesAsync(int n, int workers, bool watch)
    {
        await FreshAsync();
        // The ids and priorities only for the watched drain: kept alive through an unwatched one, N ids would weigh on its GCs.
        var sent = await FillWithPrioritiesAsync(n, keep: watch);
        var starts = sent is { } s ? new StartRanks(s) : null;
        sent = null;
        // Subscribed after the fill: with a listener the enqueues would publish events too.
        using (starts is null ? null : app.Events.Subscribe(starts.OnEvent))
        {
            await using var consumer = new TaskConsumer(app, DrainOptions(workers));
            var clock = Stopwatch.StartNew();
            consumer.Start();
            await WaitDrainedAsync(() => Interlocked.Read(ref Observed.Done) >= n);
            var elapsed = clock.Elapsed;
            return (n / elapsed.TotalSeconds, starts?.Order());
        }
    }

    /// <summary>
    /// Sends <paramref name="n"/> no-op tasks in batches of <see cref="PriorityFillBatch"/>, the k-th batch
    /// with priority <c>PriorityLevels[k % 4]</c> (the Noop descriptor with that priority); with
    /// <paramref name="keep"/>, returns the ids in the order sent and each one's priority.
    /// </summary>
    private async Task<(List<string> Ids, int[] Priorities)?> FillWithPrioritiesAsync(int n, bool keep)
    {
        var noop = Noop.Descriptor;
        var descriptors = PriorityLevels
            .Select(p => new TaskDescriptor(noop.Name, noop.Queue, noop.Retries, noop.RetryDelay, noop.Invoker) { ArgumentsRenderer = noop.ArgumentsRenderer, Priority = p })
            .ToArray();
        var payloads = Enumerable.Repeat(NoArguments, PriorityFillBatch).ToArray();
        var ids = keep ? new List<string>(n) : null;
        var priorities = keep ? new int[n] : null;
        for (int sent = 0, k = 0; sent < n; k++)
        {
            int count = Math.Min(PriorityFillBatch, n - sent);
            var descriptor = descriptors[k % descriptors.Length];
            var batch = await app.EnqueueManyAsync(descriptor, count == payloads.Length ? payloads : payloads[..count]);
            ids?.AddRange(batch);
            priorities?.AsSpan(sent, count).Fill(descriptor.Priority);
            sent += count;
        }
        return keep ? (ids!, priorities!) : null;
    }

    /// <summary>
    /// The listener of the watched drain: on each <see cref="TaskEventKind.Started"/> event, the task's
    /// start rank (1 for the first task started) by its id. One dictionary read (the ids are all known
    /// before the drain) and one interlocked increment per task.
    /// </summary>
    private sealed class StartRanks
    {
        private readonly Dictionary<string, int> indexOf;
        private readonly int[] priorities;
        private readonly int[] ranks;
        private int started;

        public StartRanks((List<string> Ids, int[] Priorities) sent)
        {
            var ids = sent.Ids;
            indexOf = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
            for (int i = 0; i < ids.Count; i++) indexOf.Add(ids[i], i);
            ranks = new int[ids.Count];
            priorities = sent.Priorities;
        }

        public void OnEvent(TaskEvent e)
        {
            if (e.Kind == TaskEventKind.Started && e.TaskId is { } id && indexOf.TryGetValue(id, out int i)) ranks[i] = Interlocked.Increment(ref started);
        }

        /// <summary>Where each priority's tasks fell in the start order, highest priority first.</summary>
        public PriorityOrder Order()
        {
            int n = ranks.Length, starts = Volatile.Read(ref started);
            double Position(int rank) => 100.0 * (rank - 1) / n;
            var levels = new List<LevelOrder>();
            int lastOfHigher = 0;
            foreach (var p in priorities.Distinct().OrderDescending())
            {
                // This priority's start ranks in the order its tasks were sent (0: never started).
                var mine = Enumerable.Range(0, n).Where(i => priorities[i] == p).Select(i => ranks[i]).ToArray();
                var sorted = mine.Order().ToArray();
                int before = mine.Count(r => r > 0 && r < lastOfHigher);
                // FIFO within the priority: how far each task's place among its priority's starts is from its place in the sending.
                var sentPlaceByStart = Enumerable.Range(0, mine.Length).OrderBy(k => mine[k]).ToArray();
                int displacement = sentPlaceByStart.Select((sentPlace, startPlace) => Math.Abs(sentPlace - startPlace)).Max();
                levels.Add(new LevelOrder(p, mine.Length, mine.Count(r => r == 0), Position(sorted[sorted.Length / 2]), mine.Average(r => Position(r)),
                    Position(sorted[0]), Position(sorted[^1]), before, displacement));
                lastOfHigher = Math.Max(lastOfHigher, sorted[^1]);
            }
            return new PriorityOrder(n, starts, levels);
        }
    }
}

/// <summary>One priority's tasks in the start order: positions are in % of all tasks started before them (0 % is the first task).</summary>
internal sealed record LevelOrder(int Priority, int Tasks, int NotStarted, double MedianPosition, double MeanPosition, double FirstPosition, double LastPosition,
    int StartedBeforeHigher, int FifoDisplacement);

/// <summary>Where each priority's tasks fell in the start order of the watched drain, highest priority first.</summary>
internal sealed record PriorityOrder(int Tasks, int Starts, IReadOnlyList<LevelOrder> Levels)
{
    /// <summary>Tasks that started before the last task of a higher priority.</summary>
    public int StartedBeforeHigher => Levels.Sum(l => l.StartedBeforeHigher);

    /// <summary>Whether each priority's median start position comes before the next lower priority's.</summary>
    public bool MediansInOrder => Levels.Zip(Levels.Skip(1)).All(pair => pair.First.MedianPosition < pair.Second.MedianPosition);
}

/// <summary>
/// The rows of the drain with priorities: its rate beside the plain in-process drain of the same run
/// (1 process × <see cref="Workers"/> workers, batch 64), the watched drain's rate, and the order its tasks started in.
/// </summary>
/// <remarks>
/// On a shared machine one drain's rate can move by a third or more from one drain to the next (and
/// drains speed up over a process's first seconds), so the ratio is taken over <see cref="Pairs"/>
/// back-to-back pairs of drains (plain, then with priorities; the next pair the other way round, so
/// that a drift weighs on both sides), and its median printed.
/// </remarks>
internal static class PriorityRows
{
    /// <summary>The workers of the plain drain row the priority rows sit beside.</summary>
    public const int Workers = 16;

    /// <summary>Back-to-back pairs of drains, plain and with priorities, for the ratio.</summary>
    public const int Pairs = 5;

    /// <summary>
    /// Adds the rows: the plain drains of the pairs (median), the drains with priorities (median, with the
    /// median of the pair ratios), the watched drain, and the order rows. <paramref name="plainRow"/>: the
    /// plain 1 × <see cref="Workers"/> row measured just before, if any (the full run has it, --priority-only not).
    /// </summary>
    public static async Task AddAsync(Table table, Bench bench, int n, double? plainRow, double lpush16)
    {
        string levels = string.Join(", ", Bench.PriorityLevels);
        // Warm-up of the paths the plain drain does not take: the enqueue script with a priority, takes over several lists.
        await bench.DrainWithPrioritiesAsync(Math.Min(n, 10_000), Workers);

        var plains = new double[Pairs];
        var rates = new double[Pairs];
        for (int i = 0; i < Pairs; i++)
        {
            if (i % 2 == 0)
            {
                plains[i] = await bench.DrainInProcessAsync(n, Workers);
                rates[i] = await bench.DrainWithPrioritiesAsync(n, Workers);
            }
            else
            {
                rates[i] = await bench.DrainWithPrioritiesAsync(n, Workers);
                plains[i] = await bench.DrainInProcessAsync(n, Workers);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    pair {i + 1} ({(i % 2 == 0 ? "plain first" : "priorities first")}): plain {plains[i]:N0}/s, with priorities {rates[i]:N0}/s: {rates[i] / plains[i]:0.00}×"));
        }
        var ratios = rates.Zip(plains, (r, p) => r / p).ToArray();
        double rate = Median(rates), ratio = Median(ratios), plain = Median(plains);
        table.Add($"process no-op tasks, 1 process × {Workers} workers, median of the {Pairs} plain drains paired with those below", plain, "/s", lpush16, "LPUSH -c16 -P1",
            note: plainRow is { } row ? string.Create(CultureInfo.InvariantCulture, $"{plain / row:0.00}× the plain 1 × {Workers} row") : null);
        table.Add($"process no-op tasks with priorities ({levels}: a batch of {Bench.PriorityFillBatch:N0} per priority in turn), 1 process × {Workers} workers, median of {Pairs}",
            rate, "/s", lpush16, "LPUSH -c16 -P1",
            note: string.Create(CultureInfo.InvariantCulture,
                $"{ratio:0.00}× the plain drain (median of the {Pairs} back-to-back pairs' ratios: {string.Join(", ", ratios.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))})")
                + (plainRow is { } r1 ? string.Create(CultureInfo.InvariantCulture, $"; {rate / r1:0.00}× the plain 1 × {Workers} row") : ""));

        var (watched, order) = await bench.DrainWithPrioritiesWatchedAsync(n, Workers);
        table.Add("the same, once, each start recorded by a Started listener (for the order rows)", watched, "/s", lpush16, "LPUSH -c16 -P1",
            note: string.Create(CultureInfo.InvariantCulture, $"{watched / rate:0.00}× the unwatched median"));

        foreach (var level in order.Levels)
        {
            string notStarted = level.NotStarted == 0 ? "" : $"; {level.NotStarted:N0} NOT STARTED";
            table.Add($"with priorities: start position of priority {level.Priority}'s {level.Tasks:N0} tasks, median (0 % = first started)", level.MedianPosition, " %",
                note: string.Create(CultureInfo.InvariantCulture,
                    $"mean {level.MeanPosition:0.0} %, first {level.FirstPosition:0.0} %, last {level.LastPosition:0.0} %; {level.StartedBeforeHigher:N0} started before the last of a higher priority; in the order sent to ±{level.FifoDisplacement:N0} places{notStarted}"));
        }

        // Takes serve one priority at a time, highest first, so only batches in flight at a change of priority overlap:
        // at each of the 3 changes, about the other workers' batches.
        int bound = (order.Levels.Count - 1) * Workers * Bench.DrainBatch;
        int early = order.StartedBeforeHigher;
        bool held = order.MediansInOrder && early <= bound && order.Starts == n && order.Levels.All(l => l.NotStarted == 0);
        table.Add("with priorities: tasks started before the last task of a higher priority", 100.0 * early / n, " %",
            note: (held ? "order held: " : "ORDER NOT HELD: ") + string.Create(CultureInfo.InvariantCulture,
                $"{early:N0} of {n:N0} (batches in flight at the {order.Levels.Count - 1} changes of priority: at most about {order.Levels.Count - 1} × {Workers} workers × {Bench.DrainBatch} = {bound:N0}); medians {(order.MediansInOrder ? "in" : "NOT in")} priority order; {order.Starts:N0} starts"));
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
