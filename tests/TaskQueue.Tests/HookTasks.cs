using System.Collections.Concurrent;

namespace TaskQueue.Tests.Tasks;

/// <summary>Tasks for the tests of hooks, cancels and the runner, keyed per test as <see cref="Counters"/> are.</summary>
public static class HookTasks
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Starts = new();

    /// <summary>Completes when a run of <see cref="WaitForCancel"/> with <paramref name="key"/> has started.</summary>
    public static Task Started(string key) => Starts.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Says it started, then waits for its token; counts the runs that got past the wait.</summary>
    [Task(Retries = 3)]
    public static async Task<int> WaitForCancel(string key, CancellationToken cancellationToken)
    {
        Counters.Increment(key + ":start");
        Starts.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Counters.Increment(key + ":end");
    }

    /// <summary>Counts its runs, with retries to spare.</summary>
    [Task(Retries = 3)]
    public static int Counted(string key) => Counters.Increment(key);

    /// <summary>A value of a user type, for renderings of results.</summary>
    [Task]
    public static Parcel Pack(string name, int weight) => new(name, weight);
}

/// <summary>A user type: travels as the array of its members.</summary>
public sealed record Parcel(string Name, int Weight);
