using System.Collections.Concurrent;

namespace TaskQueue.Redis.Tests;

/// <summary>Tasks for the Redis tests of hooks, cancels, result handles and the runner; state is keyed per test.</summary>
public static class RedisHookTasks
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Starts = new();
    private static readonly ConcurrentDictionary<string, int> Runs = new();

    /// <summary>Completes when a run of <see cref="WaitForCancel"/> with <paramref name="key"/> has started.</summary>
    public static Task Started(string key) => Starts.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>How many runs with <paramref name="key"/> got into the task's method.</summary>
    public static int RunsOf(string key) => Runs.GetValueOrDefault(key);

    /// <summary>Says it started, then waits for its token.</summary>
    [Task(Retries = 2)]
    public static async Task<int> WaitForCancel(string key, CancellationToken cancellationToken)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        Starts.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    /// <summary>Counts its runs under <paramref name="key"/> and returns three times <paramref name="x"/>.</summary>
    [Task(Retries = 2)]
    public static int Triple(string key, int x)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        return 3 * x;
    }

    /// <summary>Always fails, with retries to spare.</summary>
    [Task(Retries = 1)]
    public static void Fail(string message) => throw new InvalidOperationException(message);
}
