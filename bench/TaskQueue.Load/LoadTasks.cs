using System.Collections.Concurrent;
using System.Diagnostics;
using TaskQueue;

namespace TaskQueue.Load;

/// <summary>What the load tasks observed, in this process.</summary>
public static class Observed
{
    public static long Done;
    public static readonly ConcurrentQueue<double> LatenciesMs = new();
    public static readonly ConcurrentQueue<double> EtaErrorsMs = new();
    public static readonly ConcurrentQueue<(DateTimeOffset Eta, string TaskId)> Ticks = new();
    public static readonly ConcurrentQueue<double> BeatLatesMs = new();
    public static long Beats;
    public static readonly ConcurrentQueue<(string RecordId, long EtaUnixMs, double LateMs)> MinuteRuns = new();

    /// <summary>Chord callbacks run (the flow rows).</summary>
    public static long Callbacks;

    /// <summary>
    /// The flow rows' end times (Stopwatch timestamps) by key: of a chord's members, the latest; of a pipeline's first
    /// step, its own. Sized by the measurement (<see cref="TrackEnds"/>); a key beyond it is not recorded.
    /// </summary>
    public static long[] Ends = [];

    /// <summary>Milliseconds from a pipeline's first step's end to its second step's start.</summary>
    public static readonly ConcurrentQueue<double> HandOffsMs = new();

    /// <summary>Milliseconds from a chord's last member's end to its callback's start.</summary>
    public static readonly ConcurrentQueue<double> CallbackMs = new();

    /// <summary>Records the end times of keys 0 to <paramref name="keys"/> − 1 from now on.</summary>
    public static void TrackEnds(int keys) => Volatile.Write(ref Ends, new long[keys]);

    /// <summary>Records that a run of <paramref name="key"/> ended now (the latest of its runs is kept).</summary>
    public static void Ended(int key)
    {
        var ends = Volatile.Read(ref Ends);
        if ((uint)key >= (uint)ends.Length) return;
        long now = Stopwatch.GetTimestamp(), seen = Volatile.Read(ref ends[key]);
        while (seen < now)
        {
            long was = Interlocked.CompareExchange(ref ends[key], now, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    /// <summary>Milliseconds since <paramref name="key"/>'s last recorded end, or null if none was recorded.</summary>
    public static double? SinceEnd(int key)
    {
        var ends = Volatile.Read(ref Ends);
        return (uint)key < (uint)ends.Length && Volatile.Read(ref ends[key]) is > 0 and var end ? Stopwatch.GetElapsedTime(end).TotalMilliseconds : null;
    }

    public static void Reset()
    {
        Interlocked.Exchange(ref Done, 0);
        LatenciesMs.Clear();
        EtaErrorsMs.Clear();
        Ticks.Clear();
        BeatLatesMs.Clear();
        Interlocked.Exchange(ref Beats, 0);
        MinuteRuns.Clear();
        Interlocked.Exchange(ref Callbacks, 0);
        Volatile.Write(ref Ends, []);
        HandOffsMs.Clear();
        CallbackMs.Clear();
    }
}

public static class LoadTasks
{
    /// <summary>Does nothing: the throughput workload.</summary>
    [Task]
    public static void Noop() => Interlocked.Increment(ref Observed.Done);

    /// <summary>Records enqueue-to-start latency: <paramref name="sentTimestamp"/> is a Stopwatch timestamp of this process.</summary>
    [Task]
    public static void Ping(long sentTimestamp)
    {
        Observed.LatenciesMs.Enqueue(Stopwatch.GetElapsedTime(sentTimestamp).TotalMilliseconds);
        Interlocked.Increment(ref Observed.Done);
    }

    /// <summary>Records how far from its eta it started.</summary>
    [Task]
    public static void Due(long etaUnixMs)
    {
        Observed.EtaErrorsMs.Enqueue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - etaUnixMs);
        Interlocked.Increment(ref Observed.Done);
    }

    /// <summary>Every second, fired by every consumer's ticker: records its occurrence and how late it started.</summary>
    [PeriodicTask("* * * * * *")]
    public static void Tick(TaskContext context)
    {
        if (context.Eta is not { } eta) return;
        Observed.Ticks.Enqueue((eta, context.TaskId));
        Observed.EtaErrorsMs.Enqueue((DateTimeOffset.UtcNow - eta).TotalMilliseconds);
    }

    /// <summary>Run by recurring-task records: records how late it started after its record's occurrence.</summary>
    [Task]
    public static void Beat(TaskContext context)
    {
        if (context.Eta is { } eta) Observed.BeatLatesMs.Enqueue((DateTimeOffset.UtcNow - eta).TotalMilliseconds);
        Interlocked.Increment(ref Observed.Beats);
    }

    /// <summary>
    /// Run by the 100,000 every-minute records: records which record's occurrence it is and how late it
    /// started after it (a run twice or a missed occurrence shows in the pairs).
    /// </summary>
    [Task]
    public static void MinuteBeat(TaskContext context)
    {
        if (context.Eta is { } eta && context.RecurringId is { } id)
        {
            Observed.MinuteRuns.Enqueue((id, eta.ToUnixTimeMilliseconds(), (DateTimeOffset.UtcNow - eta).TotalMilliseconds));
        }
    }

    /// <summary>Returns its argument: the step of the flow rows' pipelines (its result is the next step's argument) and their plain reference.</summary>
    [Task]
    public static int Pass(int value)
    {
        Interlocked.Increment(ref Observed.Done);
        return value;
    }

    /// <summary>
    /// A chord member of the flow rows (and the first step of the hand-off pipelines): records when it ended under
    /// <paramref name="key"/> (its chord's number) and returns the key, which its callback or next step gets.
    /// </summary>
    [Task]
    public static int ChordMember(int key)
    {
        Interlocked.Increment(ref Observed.Done);
        Observed.Ended(key);
        return key;
    }

    /// <summary>A chord callback of the flow rows: counts itself and records how long after its chord's last member ended it started.</summary>
    [Task]
    public static void ChordDone(int[] keys)
    {
        if (keys.Length > 0 && Observed.SinceEnd(keys[0]) is { } ms) Observed.CallbackMs.Enqueue(ms);
        Interlocked.Increment(ref Observed.Callbacks);
    }

    /// <summary>The second step of the hand-off pipelines: records how long after the first step ended it started.</summary>
    [Task]
    public static void StepArrived(int key)
    {
        if (Observed.SinceEnd(key) is { } ms) Observed.HandOffsMs.Enqueue(ms);
    }
}
