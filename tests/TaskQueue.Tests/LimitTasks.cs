using System.Collections.Concurrent;
using System.Diagnostics;

namespace TaskQueue.Tests.Tasks;

/// <summary>How many runs of a test's key are going on at once, and the most there ever were.</summary>
public static class Overlaps
{
    private static readonly ConcurrentDictionary<string, int> Now = new();
    private static readonly ConcurrentDictionary<string, int> Most = new();

    public static void Enter(string key)
    {
        int now = Now.AddOrUpdate(key, 1, (_, n) => n + 1);
        Most.AddOrUpdate(key, now, (_, m) => Math.Max(m, now));
    }

    public static void Leave(string key) => Now.AddOrUpdate(key, 0, (_, n) => n - 1);

    public static int MostAtOnce(string key) => Most.GetValueOrDefault(key);
}

/// <summary>When each run of a test's key started, by <see cref="Stopwatch"/>.</summary>
public static class Starts
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<long>> All = new();

    public static void Record(string key) => All.GetOrAdd(key, _ => new()).Enqueue(Stopwatch.GetTimestamp());

    public static IReadOnlyList<TimeSpan> Since(string key, long origin)
        => All.GetValueOrDefault(key)?.Order().Select(t => Stopwatch.GetElapsedTime(origin, t)).ToList() ?? [];
}

public static class LimitTasks
{
    /// <summary>Takes its time while counted as running; retried (a second later) while another run holds the lock.</summary>
    [Task(Lock = "tests.exclusive", Retries = 30, RetryDelaySeconds = 1)]
    public static async Task<int> Exclusive(string key, int milliseconds, CancellationToken cancellationToken)
    {
        Overlaps.Enter(key);
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        finally
        {
            Overlaps.Leave(key);
        }
        return Counters.Increment(key);
    }

    /// <summary>Same lock as <see cref="Exclusive"/>, no retries: a run that finds it held fails for good.</summary>
    [Task(Lock = "tests.exclusive")]
    public static int LockedOnce(string key) => Counters.Increment(key);

    /// <summary>Holds its lock until the test lets it go (<see cref="Gates"/>).</summary>
    [Task(Lock = "tests.held")]
    public static Task LockedHeld(string key) => Gates.Hold(key);

    /// <summary>At most two starts per ten seconds.</summary>
    [Task(RateLimit = 2, RateLimitPeriodSeconds = 10)]
    public static int Limited(string key) => Counters.Increment(key);

    /// <summary>At most two starts per second; records when each started.</summary>
    [Task(RateLimit = 2, RateLimitPeriodSeconds = 1)]
    public static void LimitedStarts(string key) => Starts.Record(key);
}
