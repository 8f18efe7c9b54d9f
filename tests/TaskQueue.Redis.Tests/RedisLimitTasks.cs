using System.Collections.Concurrent;
using System.Diagnostics;

namespace TaskQueue.Redis.Tests;

/// <summary>Tasks with a lock or a rate limit, and what their runs saw, per test key.</summary>
public static class RedisLimitTasks
{
    private static readonly ConcurrentDictionary<string, int> Running = new();
    private static readonly ConcurrentDictionary<string, int> MostRunning = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<long>> StartTimes = new();

    /// <summary>The most runs of <paramref name="key"/> that were going on at once.</summary>
    public static int MostAtOnce(string key) => MostRunning.GetValueOrDefault(key);

    /// <summary>When the runs of <paramref name="key"/> started, after <paramref name="origin"/> (a <see cref="Stopwatch"/> timestamp), in order.</summary>
    public static IReadOnlyList<TimeSpan> StartsOf(string key, long origin)
        => StartTimes.GetValueOrDefault(key)?.Order().Select(t => Stopwatch.GetElapsedTime(origin, t)).ToList() ?? [];

    /// <summary>Takes its time while counted as running; retried a second later while another run holds the lock.</summary>
    [Task(Lock = "redis-tests.exclusive", Retries = 30, RetryDelaySeconds = 1)]
    public static async Task<int> Exclusive(string key, int milliseconds, CancellationToken cancellationToken)
    {
        int now = Running.AddOrUpdate(key, 1, (_, n) => n + 1);
        MostRunning.AddOrUpdate(key, now, (_, m) => Math.Max(m, now));
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
        }
        finally
        {
            Running.AddOrUpdate(key, 0, (_, n) => n - 1);
        }
        return now;
    }

    /// <summary>At most two starts per second; records when each started. No retries: a failure would be final.</summary>
    [Task(RateLimit = 2, RateLimitPeriodSeconds = 1)]
    public static void Limited(string key) => StartTimes.GetOrAdd(key, _ => new()).Enqueue(Stopwatch.GetTimestamp());

    [Task]
    public static int Doubled(int n) => 2 * n;
}
