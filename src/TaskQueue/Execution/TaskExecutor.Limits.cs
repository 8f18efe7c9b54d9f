using System.Globalization;
using Microsoft.Extensions.Logging;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Execution;

/// <content>
/// What a task's controls ask of each run: its rate limit (<see cref="TaskAttribute.RateLimit"/>) before it starts, its lock
/// (<see cref="TaskAttribute.Lock"/>) while it runs, and its deduplication key (<see cref="TaskMessage.DeduplicationKey"/>)
/// freed once it is over.
/// </content>
internal sealed partial class TaskExecutor
{
    /// <summary>
    /// How long the lock of a task lasts without renewal (<see cref="RecurringLockTtl"/>, the consumer's visibility timeout):
    /// a run renews it every third of this, so a dead holder's lock keeps other runs out for at most this long.
    /// </summary>
    private TimeSpan TaskLockTtl => RecurringLockTtl;

    /// <summary>
    /// Asks the storage for a start under the task's rate limit. When the limit allows none now, returns the completion
    /// that puts the message off to when the next start is allowed (a retry of the same bytes: its retries untouched, not a
    /// failure); null when the run may start (or the task has no limit).
    /// </summary>
    private async ValueTask<Completion?> PutOffForRateLimitAsync(TakenMessage taken, TaskMessage message, TaskDescriptor task, CancellationToken stopping)
    {
        if (task.RateLimit is not { } limit) return null;
        var start = await app.Storage.TryStartAsync(TaskRateLimits.TaskLimitName(task.Name), limit.Count, limit.Period, stopping).ConfigureAwait(false);
        if (start.Allowed) return null;
        var delay = start.RetryAfter + RateLimitMargin(limit.Period);
        LogRateLimited(logger, message.Name, message.Id, limit.Count, limit.Period, delay);
        if (app.Events.HasListeners)
        {
            app.Events.Publish(TaskEventKind.RateLimited, message.Id, message.Name, string.Create(CultureInfo.InvariantCulture,
                $"rate limit of {limit.Count} per {limit.Period.TotalSeconds:0.###} s reached; put off {delay.TotalMilliseconds:0} ms"));
        }
        return Completion.Retry(taken, taken.Body, delay);
    }

    /// <summary>
    /// What a put-off run waits beyond the next free start: 10 ms for clocks and round trips, and a random share of up to a
    /// tenth of the period (at most a second), so that the runs put off together do not all come back at the same instant.
    /// </summary>
    private static TimeSpan RateLimitMargin(TimeSpan period)
        => TimeSpan.FromMilliseconds(10) + Math.Min(period.TotalMilliseconds / 10, 1000) * Random.Shared.NextDouble() * TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Runs a message holding its task's lock, if it has one, for <paramref name="run"/> (the delivery: task id and receipt,
    /// so that a copy of the same message handed back by a reaper cannot take it while this one runs), renewed every third of
    /// <see cref="TaskLockTtl"/> while it runs and released after. A lock held by another run fails this one with
    /// <see cref="TaskLockedException"/>, which is retried as any failure.
    /// </summary>
    private async ValueTask<Outcome> RunLockedAsync(TaskMessage message, TaskDescriptor task, string run, CancellationToken stopping)
    {
        if (task.Lock is not { } name) return await RunAsync(message, task, stopping).ConfigureAwait(false);
        string key = TaskLocks.StorageName(name);
        if (!await app.Storage.AcquireLockAsync(key, run, TaskLockTtl, stopping).ConfigureAwait(false))
        {
            LogLocked(logger, message.Name, message.Id, name);
            return new Outcome(OutcomeKind.Failed, null, new TaskLockedException(name), TimeSpan.Zero);
        }
        // The same handle as a lock taken in code (TaskLocks): renewed every third of its time to live, released after.
        await using var held = new TaskLock(app, name, key, run, TaskLockTtl, e => LogTaskLockError(logger, name, e));
        using var lost = held.Lost.Register(static state => LogTaskLockLost(((ILogger, string))state!), (logger, name));
        return await RunAsync(message, task, stopping).ConfigureAwait(false);
    }

    /// <summary>
    /// Frees the deduplication key of <paramref name="message"/> once its run is over: <paramref name="completion"/> finishes
    /// it (a result, an ack, dead letters) rather than queueing it again (a retry, a put-off, a hand-back). Only the key this
    /// message holds is freed; one that expired and went to a later send stays. A failure is logged: the key expires.
    /// </summary>
    private async ValueTask<Completion> EndAsync(TaskMessage message, TaskDescriptor task, Completion completion)
    {
        if (message.DeduplicationKey is not { } key || completion.Kind is CompletionKind.Retry or CompletionKind.Release) return completion;
        try
        {
            await app.Storage.ReleaseUniqueAsync(task.Queue, TaskApp.DeduplicationKey(message.Name, key), message.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogDeduplicationError(logger, message.Name, message.Id, e);
        }
        return completion;
    }

    // Event ids from 40: this file's own range, apart from TaskExecutor.cs's.

    [LoggerMessage(40, LogLevel.Debug, "Task {TaskName} ({TaskId}) put off by its rate limit of {Count} per {Period}: due again in {Delay}")]
    private static partial void LogRateLimited(ILogger logger, string taskName, string taskId, int count, TimeSpan period, TimeSpan delay);

    [LoggerMessage(41, LogLevel.Information, "Task {TaskName} ({TaskId}) could not take its lock {LockName}: another run holds it")]
    private static partial void LogLocked(ILogger logger, string taskName, string taskId, string lockName);

    [LoggerMessage(42, LogLevel.Warning, "Could not renew or release the lock {LockName} of a task run")]
    private static partial void LogTaskLockError(ILogger logger, string lockName, Exception error);

    [LoggerMessage(43, LogLevel.Warning, "The lock {LockName} of a running task was taken by another holder: it expired while it could not be renewed, or was force-released")]
    private static partial void LogTaskLockLost(ILogger logger, string lockName);

    private static void LogTaskLockLost((ILogger Logger, string Name) state) => LogTaskLockLost(state.Logger, state.Name);

    [LoggerMessage(44, LogLevel.Warning, "Could not free the deduplication key of task {TaskName} ({TaskId}); it expires by itself")]
    private static partial void LogDeduplicationError(ILogger logger, string taskName, string taskId, Exception error);
}
