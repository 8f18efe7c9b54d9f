using System.Collections.Concurrent;

namespace TaskQueue.Redis.Tests;

/// <summary>Tasks with an expiry, a timeout or a retry backoff, for <see cref="RedisControlsTests"/>.</summary>
public static class RedisControlTasks
{
    /// <summary>Runs per test key.</summary>
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    /// <summary>The gate a <see cref="RedisDeaf"/> run of <paramref name="key"/> waits for.</summary>
    public static TaskCompletionSource Gate(string key) => Gates.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Every control at once, from the attribute.</summary>
    [Task(TimeoutSeconds = 1, ExpiresSeconds = 1, RetryBackoff = 2, MaxRetryDelaySeconds = 4, RetryJitter = true)]
    public static void RedisControlled(string key) => Runs.AddOrUpdate(key, 1, (_, n) => n + 1);

    /// <summary>Waits on its token for <paramref name="milliseconds"/>.</summary>
    [Task]
    public static async Task<int> RedisSleepy(int milliseconds, CancellationToken cancellationToken)
    {
        await Task.Delay(milliseconds, cancellationToken);
        return milliseconds;
    }

    /// <summary>Deaf to its token: waits for its gate, then counts a run.</summary>
    [Task]
    public static async Task<int> RedisDeaf(string key)
    {
        await Gate(key).Task;
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        return 7;
    }

    /// <summary>Fails every time.</summary>
    [Task]
    public static void RedisFlaky(string key)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        throw new InvalidOperationException("fails every time");
    }
}
