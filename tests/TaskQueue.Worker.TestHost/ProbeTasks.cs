using StackExchange.Redis;
using TaskQueue;

namespace TaskQueue.Worker.TestHost;

/// <summary>Where the probe tasks write what they saw: a Redis named by TASKQUEUE_PROBE_REDIS, keys under TASKQUEUE_PROBE_PREFIX.</summary>
public static class Probe
{
    private static readonly Lazy<IDatabase> Database = new(() =>
        ConnectionMultiplexer.Connect((Environment.GetEnvironmentVariable("TASKQUEUE_PROBE_REDIS") ?? "localhost:6379") + ",abortConnect=false").GetDatabase());

    public static IDatabase Db => Database.Value;

    public static string Prefix => Environment.GetEnvironmentVariable("TASKQUEUE_PROBE_PREFIX") ?? "probe";

    public static string Key(string name) => $"{Prefix}:{name}";
}

public static class ProbeTasks
{
    /// <summary>
    /// Runs for <paramref name="milliseconds"/> while holding a "running" marker for <paramref name="n"/>;
    /// finding the marker already set means two runs of the same task overlapped. The marker expires
    /// (well before the visibility timeout) so that a run killed mid-task does not look like an overlap.
    /// </summary>
    [Task]
    public static async Task<int> Tracked(int n, int milliseconds, CancellationToken cancellationToken)
    {
        var db = Probe.Db;
        var running = Probe.Key($"running:{n}");
        if (!await db.StringSetAsync(running, Environment.ProcessId, TimeSpan.FromMilliseconds(1500), When.NotExists))
        {
            await db.ListRightPushAsync(Probe.Key("overlaps"), n);
        }
        await db.StringIncrementAsync(Probe.Key($"starts:{n}"));
        await db.StringSetAsync(Probe.Key("last-pid"), Environment.ProcessId);
        await Task.Delay(milliseconds, cancellationToken);
        await db.KeyDeleteAsync(running);
        await db.StringIncrementAsync(Probe.Key($"ends:{n}"));
        return n;
    }

    /// <summary>A chord's callback: counts its runs, for "the callback runs exactly once", and adds up the members' results.</summary>
    [Task]
    public static long ChordTotal(int[] results)
    {
        Probe.Db.StringIncrement(Probe.Key("chord-callbacks"));
        return results.Sum(r => (long)r);
    }

    /// <summary>Counts its runs per key, for "every task runs exactly once".</summary>
    [Task]
    public static int Count(int n)
    {
        Probe.Db.HashIncrement(Probe.Key("counts"), n);
        return n;
    }

    /// <summary>Marks its start, then takes its time: for graceful shutdown.</summary>
    [Task]
    public static async Task<string> Linger(int milliseconds, CancellationToken cancellationToken)
    {
        await Probe.Db.StringSetAsync(Probe.Key("linger:started"), Environment.ProcessId);
        await Task.Delay(milliseconds, cancellationToken);
        return $"lingered {milliseconds} ms";
    }

    /// <summary>Like <see cref="Linger"/>, but deaf to cancellation: for a task that outstays the grace period.</summary>
    [Task]
    public static async Task<string> Deaf(int milliseconds)
    {
        await Probe.Db.StringSetAsync(Probe.Key("deaf:started"), Environment.ProcessId);
        await Task.Delay(milliseconds);
        return $"ignored cancellation for {milliseconds} ms";
    }
}

public static class PureTasks
{
    /// <summary>Touches nothing but its argument: for tests where Redis itself goes away.</summary>
    [Task]
    public static int Twice(int n) => 2 * n;
}

public static class ScheduleProbes
{
    /// <summary>
    /// Every second: records its task id under the occurrence it was fired for, so that a test can
    /// see an occurrence enqueued twice (two ids) or missed (no entry). Only in scenarios that set a
    /// probe prefix; elsewhere it does nothing.
    /// </summary>
    [PeriodicTask("* * * * * *")]
    public static async Task Tick(TaskContext context)
    {
        if (Environment.GetEnvironmentVariable("TASKQUEUE_PROBE_PREFIX") is null || context.Eta is not { } eta) return;
        var db = Probe.Db;
        long second = eta.ToUnixTimeSeconds();
        await db.SetAddAsync(Probe.Key($"tick:{second}"), context.TaskId);
        await db.SortedSetAddAsync(Probe.Key("ticks"), second, second);
    }

    /// <summary>
    /// Takes <paramref name="milliseconds"/> while counting itself as running; finding another run
    /// already counted means two runs overlapped.
    /// </summary>
    [Task]
    public static async Task Exclusive(int milliseconds, CancellationToken cancellationToken)
    {
        var db = Probe.Db;
        if (await db.StringIncrementAsync(Probe.Key("exclusive:running")) > 1)
        {
            await db.ListRightPushAsync(Probe.Key("exclusive:overlaps"), Environment.ProcessId);
        }
        await db.ListRightPushAsync(Probe.Key("exclusive:starts"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        finally
        {
            await db.StringDecrementAsync(Probe.Key("exclusive:running"));
        }
    }
}
