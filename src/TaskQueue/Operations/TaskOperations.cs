using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Operations;

/// <summary>One queue as an operator sees it.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Depth">Messages waiting in it.</param>
/// <param name="OldestWaiting">How long its head message has waited (since it was made), or null when it is empty or the head does not decode.</param>
/// <param name="LastMinute">What happened to its tasks in the last minute.</param>
/// <param name="LastHour">What happened to its tasks in the last hour.</param>
public sealed record QueueSummary(string Name, long Depth, TimeSpan? OldestWaiting, StatCounts LastMinute, StatCounts LastHour);

/// <summary>Counts of each <see cref="StatKind"/>.</summary>
public sealed record StatCounts(long Enqueued, long Started, long Succeeded, long Failed, long Retried, long DeadLettered)
{
    /// <summary>No counts.</summary>
    public static StatCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>The count of <paramref name="kind"/>.</summary>
    public long this[StatKind kind] => kind switch
    {
        StatKind.Enqueued => Enqueued,
        StatKind.Started => Started,
        StatKind.Succeeded => Succeeded,
        StatKind.Failed => Failed,
        StatKind.Retried => Retried,
        _ => DeadLettered,
    };

    internal StatCounts Plus(StatKind kind, long n) => kind switch
    {
        StatKind.Enqueued => this with { Enqueued = Enqueued + n },
        StatKind.Started => this with { Started = Started + n },
        StatKind.Succeeded => this with { Succeeded = Succeeded + n },
        StatKind.Failed => this with { Failed = Failed + n },
        StatKind.Retried => this with { Retried = Retried + n },
        _ => this with { DeadLettered = DeadLettered + n },
    };
}

/// <summary>What happened to one task (or one queue's tasks) over the last minute, hour and day.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Task">The task, or null for the queue as a whole.</param>
/// <param name="LastMinute">The last 60 s, estimated from minute counters: the current minute's counts and the share of the previous minute's that falls in the window.</param>
/// <param name="LastHour">The last 60 minutes.</param>
/// <param name="LastDay">The last 24 hours (by whole hours, the current one included).</param>
public sealed record StatRow(string Queue, string? Task, StatCounts LastMinute, StatCounts LastHour, StatCounts LastDay);

/// <summary>One minute of all queues' counts, for a chart.</summary>
/// <param name="Start">When the minute began.</param>
/// <param name="Counts">Its counts.</param>
public sealed record StatPoint(DateTimeOffset Start, StatCounts Counts);

/// <summary>The counters of the application, read from storage (every process's counts together).</summary>
/// <param name="Now">The storage's clock.</param>
/// <param name="Queues">Per queue.</param>
/// <param name="Tasks">Per task.</param>
/// <param name="LastHourByMinute">All queues together, one point per minute of the last hour, oldest first (minutes without counts included as zeros).</param>
public sealed record TaskStatistics(DateTimeOffset Now, IReadOnlyList<StatRow> Queues, IReadOnlyList<StatRow> Tasks, IReadOnlyList<StatPoint> LastHourByMinute);

/// <summary>A periodic task as an operator sees it.</summary>
/// <param name="Name">The task's name.</param>
/// <param name="Queue">Its queue.</param>
/// <param name="Schedule">Its schedule, as text.</param>
/// <param name="LastRun">The last occurrence fired, or null.</param>
/// <param name="NextRun">The next occurrence, or null when there is none (or the schedule does not load here).</param>
/// <param name="Paused">Whether it is paused: occurrences pass without a run.</param>
public sealed record PeriodicTaskSummary(string Name, string Queue, string Schedule, DateTimeOffset? LastRun, DateTimeOffset? NextRun, bool Paused);

/// <summary>
/// The read model and the actions of operators (<see cref="TaskApp.Operations"/>), shared by the
/// <c>taskqueue</c> command and the dashboard: queues, workers, what runs now, counters, periodic
/// tasks. Every call reads storage afresh.
/// </summary>
public sealed partial class TaskOperations
{
    private readonly TaskApp app;

    internal TaskOperations(TaskApp app) => this.app = app;

    /// <summary>The consumers alive now, by id.</summary>
    public async ValueTask<IReadOnlyList<ConsumerDescription>> WorkersAsync(CancellationToken cancellationToken = default)
    {
        var entries = await app.CallStorageAsync("list the workers", null, 0, static (s, _, ct) => s.ListConsumersAsync(ct), cancellationToken).ConfigureAwait(false);
        return entries.Select(e => ConsumerDescription.TryDecode(e.ConsumerId, e.Description)).OfType<ConsumerDescription>().ToList();
    }

    /// <summary>The tasks workers run now, oldest first.</summary>
    public async ValueTask<IReadOnlyList<(ConsumerDescription Consumer, RunningTask Task)>> RunningAsync(CancellationToken cancellationToken = default)
        => (await WorkersAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(c => c.Running.Select(r => (c, r))).OrderBy(x => x.r.StartedAt).ToList();

    /// <summary>
    /// The queues: the default one, those of this app's tasks, those consumers serve, and those with counts; with their
    /// depth, how long their head has waited, and their last minute and hour.
    /// </summary>
    public async ValueTask<IReadOnlyList<QueueSummary>> QueuesAsync(CancellationToken cancellationToken = default)
        => await QueuesAsync(await StatisticsAsync(cancellationToken).ConfigureAwait(false), await WorkersAsync(cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The queues as <see cref="QueuesAsync(CancellationToken)"/> lists them, from counters and workers
    /// the caller has already read (a page that shows them too reads them once).
    /// </summary>
    public async ValueTask<IReadOnlyList<QueueSummary>> QueuesAsync(TaskStatistics stats, IReadOnlyList<ConsumerDescription> workers,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(workers);
        var names = app.Tasks.All.Select(t => t.Queue)
            .Append(TaskDescriptor.DefaultQueue)
            .Concat(workers.SelectMany(w => w.Queues))
            .Concat(stats.Queues.Select(q => q.Queue))
            .Where(q => q != "?")
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var counts = await app.CallStorageAsync("count the queues", null, names, static (s, n, ct) => s.CountAsync(n, ct), cancellationToken).ConfigureAwait(false);
        var summaries = new List<QueueSummary>(names.Count);
        for (int i = 0; i < names.Count; i++)
        {
            TimeSpan? oldest = null;
            if (counts.QueueLengths[i] > 0)
            {
                var head = await app.CallStorageAsync("read the head of queue", names[i], names[i], static (s, q, ct) => s.PendingAsync(q, 1, ct), cancellationToken)
                    .ConfigureAwait(false);
                if (head.Count > 0 && TryDecode(head[0])?.CreatedAt is { } created) oldest = stats.Now - created;
            }
            var row = stats.Queues.FirstOrDefault(q => q.Queue == names[i]);
            summaries.Add(new QueueSummary(names[i], counts.QueueLengths[i], oldest < TimeSpan.Zero ? TimeSpan.Zero : oldest,
                row?.LastMinute ?? StatCounts.Zero, row?.LastHour ?? StatCounts.Zero));
        }
        return summaries;
    }

    /// <summary>The counters: per queue and per task over the last minute, hour and day, and a point per minute of the last hour.</summary>
    public async ValueTask<TaskStatistics> StatisticsAsync(CancellationToken cancellationToken = default)
    {
        var window = await app.CallStorageAsync("read the counters", null, 0, static (s, _, ct) => s.ReadStatsAsync(61, 24, ct), cancellationToken)
            .ConfigureAwait(false);
        var now = window.Now;
        var minuteStart = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var rows = new Dictionary<(string Queue, string? Task), StatCounts[]>();
        void Add(string queue, string? task, int slot, StatKind kind, long n)
        {
            if (!rows.TryGetValue((queue, task), out var slots)) rows[(queue, task)] = slots = [StatCounts.Zero, StatCounts.Zero, StatCounts.Zero];
            slots[slot] = slots[slot].Plus(kind, n);
        }
        var points = new StatCounts[60];
        Array.Fill(points, StatCounts.Zero);
        // The last 60 s: all of the current minute, and of the previous one the part not yet 60 s old.
        double previousShare = 1 - (now - minuteStart).TotalMinutes;
        foreach (var bucket in window.Minutes)
        {
            int age = (int)((minuteStart - bucket.Start).Ticks / TimeSpan.TicksPerMinute);
            foreach (var (key, n) in bucket.Counts)
            {
                if (!StatsRecorder.TryParse(key, out var kind, out var queue, out var task)) continue;
                if (age == 0) Add(queue, task, 0, kind, n);
                else if (age == 1) Add(queue, task, 0, kind, (long)Math.Round(n * previousShare));
                if (age < 60)
                {
                    Add(queue, task, 1, kind, n);
                    points[59 - age] = points[59 - age].Plus(kind, n);
                }
            }
        }
        foreach (var bucket in window.Hours)
        {
            foreach (var (key, n) in bucket.Counts)
            {
                if (StatsRecorder.TryParse(key, out var kind, out var queue, out var task)) Add(queue, task, 2, kind, n);
            }
        }
        // Queue rows sum their tasks' rows.
        foreach (var ((queue, task), slots) in rows.ToList())
        {
            if (task is null) continue;
            for (int slot = 0; slot < 3; slot++)
            {
                for (var kind = StatKind.Enqueued; kind <= StatKind.DeadLettered; kind++) Add(queue, null, slot, kind, slots[slot][kind]);
            }
        }
        StatRow Row(KeyValuePair<(string Queue, string? Task), StatCounts[]> r) => new(r.Key.Queue, r.Key.Task, r.Value[0], r.Value[1], r.Value[2]);
        return new TaskStatistics(now,
            rows.Where(r => r.Key.Task is null).OrderBy(r => r.Key.Queue, StringComparer.Ordinal).Select(Row).ToList(),
            rows.Where(r => r.Key.Task is not null).OrderBy(r => r.Key.Queue, StringComparer.Ordinal).ThenBy(r => r.Key.Task, StringComparer.Ordinal).Select(Row).ToList(),
            points.Select((c, i) => new StatPoint(minuteStart.AddMinutes(i - 59), c)).ToList());
    }

    /// <summary>This app's periodic tasks with their last and next run and whether they are paused.</summary>
    public async ValueTask<IReadOnlyList<PeriodicTaskSummary>> PeriodicAsync(CancellationToken cancellationToken = default)
    {
        var paused = await app.CallStorageAsync("list the paused periodic tasks", null, 0, static (s, _, ct) => s.PausedPeriodicAsync(ct), cancellationToken)
            .ConfigureAwait(false);
        var now = await app.StorageTimeAsync(cancellationToken).ConfigureAwait(false);
        var tasks = app.Tasks.All.Where(t => t.Periodic is not null).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        // One read per task, all sent at once: the storage pipelines them.
        var lasts = await Task.WhenAll(tasks.Select(t => app.CallStorageAsync("read the last run of", t.Name, t.Name,
            static (s, n, ct) => s.GetPeriodicLastFiredAsync(n, ct), cancellationToken).AsTask())).ConfigureAwait(false);
        var list = new List<PeriodicTaskSummary>(tasks.Count);
        for (int i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var last = lasts[i];
            DateTimeOffset? next;
            try
            {
                next = task.Periodic!.GetNextOccurrence(last is { } l && l > now ? l : now);
            }
            catch (FormatException)
            {
                next = null;
            }
            list.Add(new PeriodicTaskSummary(task.Name, task.Queue, task.Periodic!.ToString(), last, next, paused.Contains(task.Name)));
        }
        return list;
    }

    /// <summary>
    /// Pauses the periodic task <paramref name="name"/> for every consumer: its occurrences pass
    /// without a run (and are not caught up later) until <see cref="ResumePeriodicAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No periodic task of this app has that name.</exception>
    public ValueTask PausePeriodicAsync(string name, CancellationToken cancellationToken = default) => SetPausedAsync(name, true, cancellationToken);

    /// <summary>Resumes a periodic task paused by <see cref="PausePeriodicAsync"/>.</summary>
    /// <exception cref="ArgumentException">No periodic task of this app has that name.</exception>
    public ValueTask ResumePeriodicAsync(string name, CancellationToken cancellationToken = default) => SetPausedAsync(name, false, cancellationToken);

    private ValueTask SetPausedAsync(string name, bool paused, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!app.Tasks.TryGet(name, out var task) || task.Periodic is null)
        {
            throw new ArgumentException($"no periodic task named '{Texts.Cut(name)}' in this app", nameof(name));
        }
        return app.CallStorageAsync(paused ? "pause periodic task" : "resume periodic task", name, (name, paused),
            static (s, x, ct) => s.SetPeriodicPausedAsync(x.name, x.paused, ct), cancellationToken);
    }

    private TaskMessage? TryDecode(byte[] bytes)
    {
        try
        {
            return MessageCodec.Decode(app.Open(bytes));
        }
        catch (TaskPayloadException)
        {
            return null;
        }
    }
}
