using System.Collections.Concurrent;

namespace TaskQueue.Tests.Tasks;

/// <summary>Tasks with an expiry, a timeout or a retry backoff, for <see cref="ControlsTests"/>.</summary>
public static class ControlTasks
{
    /// <summary>The retry delay each run of a key saw in its context, in run order.</summary>
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> RetryDelays = new();

    /// <summary>Every control at once, from the attribute.</summary>
    [Task(TimeoutSeconds = 1, ExpiresSeconds = 1, RetryBackoff = 2, MaxRetryDelaySeconds = 4, RetryJitter = true, Retries = 3, RetryDelaySeconds = 1)]
    public static void Controlled(string key, TaskContext context)
    {
        RetryDelays.GetOrAdd(key, _ => new()).Enqueue(context.RetryDelay);
        Counters.Increment(key);
        throw new InvalidOperationException("fails every time");
    }

    /// <summary>Fails every time, keeping the retry delay each run saw; its retry policy comes with each call.</summary>
    [Task]
    public static void Flaky(string key, TaskContext context)
    {
        RetryDelays.GetOrAdd(key, _ => new()).Enqueue(context.RetryDelay);
        Counters.Increment(key);
        throw new InvalidOperationException("fails every time");
    }

    /// <summary>Expires a second after it is sent.</summary>
    [Task(ExpiresSeconds = 1)]
    public static void Fleeting(string key) => Counters.Increment(key);

    /// <summary>Waits on its token, which fires at its one-second timeout; retried once.</summary>
    [Task(TimeoutSeconds = 1, Retries = 1)]
    public static async Task<int> Patient(string key, CancellationToken cancellationToken)
    {
        Counters.Increment(key + ":start");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 1;
    }

    /// <summary>Deaf to its token: waits for its gate to be let go, whatever its timeout says.</summary>
    [Task(TimeoutSeconds = 1)]
    public static async Task<int> Deaf(string key)
    {
        await Gates.Hold(key);
        Counters.Increment(key + ":end");
        return 7;
    }
}
