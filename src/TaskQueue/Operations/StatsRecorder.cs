using System.Collections.Concurrent;
using TaskQueue.Storage;

namespace TaskQueue.Operations;

/// <summary>What a counter counts.</summary>
public enum StatKind
{
    /// <summary>Runs sent: enqueued, scheduled, fired by a periodic or recurring task, or retried.</summary>
    Enqueued,
    /// <summary>Runs started by a worker.</summary>
    Started,
    /// <summary>Runs that finished without an error.</summary>
    Succeeded,
    /// <summary>Runs that failed with no retry left.</summary>
    Failed,
    /// <summary>Runs that failed and were retried.</summary>
    Retried,
    /// <summary>Messages sent to dead letters.</summary>
    DeadLettered,
}

/// <summary>
/// Counts what happens in this process per kind, queue and task, and adds the counts to storage
/// every few seconds (one call for all of them), where every process's counts meet in the minute
/// and hour counters. Counting is a dictionary lookup and an interlocked add; nothing is written
/// while nothing happens.
/// </summary>
internal sealed class StatsRecorder : IAsyncDisposable
{
    /// <summary>How often counts go to storage.</summary>
    public static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(2);

    private readonly TaskApp app;
    private readonly ConcurrentDictionary<string, Counters> counts = new(StringComparer.Ordinal);
    private readonly Lock flushGate = new();
    private Timer? timer;
    private bool disposed;
    private int flushing;

    public StatsRecorder(TaskApp app) => this.app = app;

    /// <summary>One task's counts since the last flush, one per <see cref="StatKind"/>.</summary>
    private sealed class Counters(string queue)
    {
        public readonly string Queue = queue;
        public readonly long[] Values = new long[(int)StatKind.DeadLettered + 1];
    }

    /// <summary>The counter name as stored: <c>&lt;kind&gt;|&lt;queue&gt;|&lt;task&gt;</c>.</summary>
    public static string Key(StatKind kind, string queue, string task) => string.Concat(Name(kind), "|", queue, "|", task);

    /// <summary>Reads a counter name written by <see cref="Key"/>; false for any other text.</summary>
    public static bool TryParse(string key, out StatKind kind, out string queue, out string task)
    {
        kind = default;
        queue = task = "";
        int first = key.IndexOf('|', StringComparison.Ordinal);
        int second = first < 0 ? -1 : key.IndexOf('|', first + 1);
        if (second < 0) return false;
        var name = key.AsSpan(0, first);
        for (var k = StatKind.Enqueued; k <= StatKind.DeadLettered; k++)
        {
            if (!name.SequenceEqual(Name(k))) continue;
            kind = k;
            queue = key[(first + 1)..second];
            task = key[(second + 1)..];
            return true;
        }
        return false;
    }

    /// <summary>The stored name of a kind.</summary>
    public static string Name(StatKind kind) => kind switch
    {
        StatKind.Enqueued => "enqueued",
        StatKind.Started => "started",
        StatKind.Succeeded => "succeeded",
        StatKind.Failed => "failed",
        StatKind.Retried => "retried",
        _ => "dead",
    };

    /// <summary>Counts <paramref name="n"/> events of <paramref name="kind"/> for <paramref name="taskName"/>.</summary>
    public void Count(StatKind kind, string? taskName, long n = 1)
    {
        if (!counts.TryGetValue(taskName ?? "?", out var counters)) counters = Add(taskName ?? "?");
        Interlocked.Add(ref counters.Values[(int)kind], n);
        if (Volatile.Read(ref timer) is null) StartTimer();
    }

    private Counters Add(string taskName)
    {
        // A name read from a message may be anything: keep it short, and the dictionary bounded.
        string task = Texts.Cut(taskName);
        string queue = app.Tasks.TryGet(taskName, out var descriptor) ? descriptor.Queue : "?";
        if (counts.Count >= MaxTasks) task = "(other)";
        return counts.GetOrAdd(task, _ => new Counters(queue));
    }

    /// <summary>The most task names counted apart; the rest count as <c>(other)</c>.</summary>
    private const int MaxTasks = 1000;

    private void StartTimer()
    {
        lock (flushGate)
        {
            if (disposed) return;
            // The timer holds the recorder weakly: an app dropped without being disposed is collected
            // (with its timer) instead of being kept alive by it; it loses at most its last counts.
            timer ??= new Timer(static state =>
            {
                if (((WeakReference<StatsRecorder>)state!).TryGetTarget(out var recorder)) _ = recorder.FlushAsync();
            }, new WeakReference<StatsRecorder>(this), FlushEvery, FlushEvery);
        }
    }

    /// <summary>Adds what was counted since the last flush to storage; on failure keeps it for the next.</summary>
    public async Task FlushAsync()
    {
        if (Interlocked.Exchange(ref flushing, 1) == 1) return;
        var taken = new List<(Counters Counters, StatKind Kind, string Task, long N)>();
        try
        {
            foreach (var (task, counters) in counts)
            {
                for (int k = 0; k < counters.Values.Length; k++)
                {
                    long n = Interlocked.Exchange(ref counters.Values[k], 0);
                    if (n != 0) taken.Add((counters, (StatKind)k, task, n));
                }
            }
            if (taken.Count == 0) return;
            await app.Storage.AddStatsAsync(taken.Select(t => new StatCount(Key(t.Kind, t.Counters.Queue, t.Task), t.N)).ToList()).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Storage is failing: keep the counts for the next flush (the consumer reports the outage).
            foreach (var t in taken) Interlocked.Add(ref t.Counters.Values[(int)t.Kind], t.N);
        }
        finally
        {
            Volatile.Write(ref flushing, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Timer? t;
        lock (flushGate)
        {
            disposed = true;
            t = timer;
            timer = null;
        }
        if (t is not null) await t.DisposeAsync().ConfigureAwait(false);
        while (Volatile.Read(ref flushing) == 1) await Task.Delay(10).ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
    }
}
