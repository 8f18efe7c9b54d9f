using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>
/// Rate limits shared by every process of the application, for code (a task's own is <see cref="TaskAttribute.RateLimit"/>):
/// at most a count of starts per period, counted over a sliding window by the storage's clock. Get it from
/// <see cref="TaskApp.RateLimits"/>.
/// </summary>
/// <example>
/// <code>
/// var start = await app.RateLimits.TryStartAsync("partner-api", 10, TimeSpan.FromSeconds(1), cancellationToken);
/// if (!start.Allowed) await Task.Delay(start.RetryAfter, cancellationToken);   // or put the work off
/// </code>
/// </example>
public sealed class TaskRateLimits
{
    private readonly TaskApp app;

    internal TaskRateLimits(TaskApp app) => this.app = app;

    /// <summary>The name in storage of the limit of task <paramref name="taskName"/>: apart from the limits of code.</summary>
    internal static string TaskLimitName(string taskName) => "task:" + taskName;

    /// <summary>
    /// Counts a start under <paramref name="name"/> when fewer than <paramref name="count"/> were counted in the last
    /// <paramref name="period"/>; otherwise counts nothing and says how long until the next start is allowed.
    /// </summary>
    /// <param name="name">The limit's name.</param>
    /// <param name="count">Starts allowed per period, at least 1.</param>
    /// <param name="period">The period, at least 1 ms.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public ValueTask<RateLimitResult> TryStartAsync(string name, int count, TimeSpan period, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(1));
        // Not retried through passing failures: a retry after a lost reply could count the start twice.
        return app.Storage.TryStartAsync("app:" + name, count, period, cancellationToken);
    }
}
