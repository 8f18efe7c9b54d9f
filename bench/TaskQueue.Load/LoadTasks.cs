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

    public static void Reset()
    {
        Interlocked.Exchange(ref Done, 0);
        LatenciesMs.Clear();
        EtaErrorsMs.Clear();
        Ticks.Clear();
        BeatLatesMs.Clear();
        Interlocked.Exchange(ref Beats, 0);
        MinuteRuns.Clear();
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
}
