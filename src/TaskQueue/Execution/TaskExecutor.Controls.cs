using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using TaskQueue.Diagnostics;
using TaskQueue.Messages;

namespace TaskQueue.Execution;

/// <summary>
/// The controls a message carries for its run: an expiry (a run not started by then is skipped), a timeout (the
/// run's token fires at it, and a run deaf to its token is abandoned after <see cref="TimeoutGrace"/>), and a
/// backoff that grows the delay from one retry to the next.
/// </summary>
internal sealed partial class TaskExecutor
{
    /// <summary>
    /// How long after its timeout a run that ignores its token is waited for before it is abandoned
    /// (<see cref="Consumer.ConsumerOptions.TimeoutGrace"/>). Default 10 s.
    /// </summary>
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait a timer takes (about 49 days); a longer timeout or hard limit is cut to it.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// The longest wait before a retry that a backoff grows to: one year. A delay that doubles with no limit of its
    /// own would otherwise put a retry past the end of the calendar, which no storage can hold.
    /// </summary>
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromDays(365);

    /// <summary>
    /// Whether <paramref name="message"/> expired before it could start; if so it is reported (an
    /// <see cref="TaskEventKind.Expired"/> event, a log line and a count) and must not run.
    /// </summary>
    /// <remarks>
    /// The expiry was set by the sender's clock and is read by this worker's (<see cref="TaskApp.TimeProvider"/>):
    /// clocks apart by a few seconds move it by as much, so expiries are meant in seconds and more, not milliseconds.
    /// </remarks>
    private bool HasExpired(TaskMessage message, string queue)
    {
        if (message.Expires is not { } expires) return false;
        var now = app.TimeProvider.GetUtcNow();
        if (now <= expires) return false;
        LogExpired(logger, message.Name, message.Id, expires, (now - expires).TotalSeconds);
        app.Events.Publish(TaskEventKind.Expired, message.Id, message.Name,
            string.Create(CultureInfo.InvariantCulture, $"expired at {expires:O}, {(now - expires).TotalSeconds:0.###} s before it could start"));
        if (TaskQueueInstrumentation.Expired.Enabled) TaskQueueInstrumentation.Expired.Add(1, Tags(message.Name, queue));
        return true;
    }

    /// <summary>
    /// Calls the task's invoker; with a timeout, the token it gets also fires at the timeout, an
    /// <see cref="OperationCanceledException"/> that the timeout caused becomes a <see cref="TaskTimeoutException"/>,
    /// and a run still going <see cref="TimeoutGrace"/> after the timeout is abandoned.
    /// </summary>
    private ValueTask<byte[]?> InvokeAsync(TaskDescriptor task, TaskMessage message, TaskContext context, CancellationToken stopping)
        => message.Timeout > TimeSpan.Zero
            ? InvokeWithTimeoutAsync(task, message, context, stopping)
            : task.Invoker(message.Arguments, context, stopping);

    private async ValueTask<byte[]?> InvokeWithTimeoutAsync(TaskDescriptor task, TaskMessage message, TaskContext context, CancellationToken stopping)
    {
        var timeout = new CancellationTokenSource(Min(message.Timeout, LongestTimer), app.TimeProvider);
        var token = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        Task<byte[]?> run;
        try
        {
            var invocation = task.Invoker(message.Arguments, context, token.Token);
            if (invocation.IsCompletedSuccessfully)
            {
                Dispose(token, timeout);
                return invocation.Result;
            }
            run = invocation.AsTask();
        }
        catch (Exception)
        {
            // The invoker threw before its first await (a payload that does not decode): nothing runs on.
            Dispose(token, timeout);
            throw;
        }

        // Counted from the start of the run, as the timeout is.
        await ((Task)run).WaitAsync(HardLimit(message.Timeout), app.TimeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (run.IsCompleted)
        {
            Dispose(token, timeout);
            try
            {
                return await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!stopping.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                throw new TaskTimeoutException(message.Name, message.Timeout, e);
            }
        }

        // Trap: the run goes on, and .NET cannot stop it. Its slot is given back now, and what it ends with is
        // dropped: only this call settles the message, once. Its tokens and its context, which it may still use,
        // are disposed when it ends.
        context.Abandoned = run;
        _ = ForgetAsync(run, message, token, timeout);
        // A consumer aborting meanwhile hands the message back: the run was cut short, not failed.
        stopping.ThrowIfCancellationRequested();
        LogAbandoned(logger, message.Name, message.Id, message.Timeout.TotalSeconds, TimeoutGrace.TotalSeconds);
        app.Events.Publish(TaskEventKind.TimedOut, message.Id, message.Name,
            string.Create(CultureInfo.InvariantCulture, $"still running {TimeoutGrace.TotalSeconds:0.###} s after its timeout of {message.Timeout.TotalSeconds:0.###} s: abandoned"));
        if (TaskQueueInstrumentation.TimedOut.Enabled) TaskQueueInstrumentation.TimedOut.Add(1, Tags(message.Name, task.Queue));
        throw new TaskTimeoutException(message.Name, message.Timeout, TimeoutGrace, null);
    }

    /// <summary>Waits for an abandoned run to end, then disposes its tokens and logs how it ended.</summary>
    private async Task ForgetAsync(Task<byte[]?> run, TaskMessage message, CancellationTokenSource token, CancellationTokenSource timeout)
    {
        long started = app.TimeProvider.GetTimestamp();
        await ((Task)run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Dispose(token, timeout);
        // Reading the exception observes it: an abandoned run's failure is no unobserved task exception.
        LogAbandonedEnded(logger, message.Name, message.Id, app.TimeProvider.GetElapsedTime(started).TotalSeconds,
            run.Exception?.GetBaseException().GetType().Name ?? (run.IsCanceled ? "cancelled" : "returned"));
    }

    private static void Dispose(CancellationTokenSource token, CancellationTokenSource timeout)
    {
        token.Dispose();
        timeout.Dispose();
    }

    /// <summary>
    /// The delay before a retry of <paramref name="message"/> if its run fails, before jitter: its
    /// <see cref="TaskMessage.RetryDelay"/>, which its backoff's <see cref="RetryBackoff.MaxDelay"/> bounds.
    /// </summary>
    private static TimeSpan RetryDelayOf(TaskMessage message)
        => message.Backoff is { } backoff ? Min(message.RetryDelay, backoff.MaxDelay ?? LongestBackoff, LongestBackoff) : message.RetryDelay;

    /// <summary>The message that retries <paramref name="message"/>: one retry fewer, and with a backoff, a longer delay for the retry after.</summary>
    private static TaskMessage NextRetry(TaskMessage message)
        => message.Backoff is { } backoff
            ? message with { Retries = message.Retries - 1, RetryDelay = Min(backoff.Next(RetryDelayOf(message)), LongestBackoff) }
            : message with { Retries = message.Retries - 1 };

    /// <summary>How long the retry of <paramref name="message"/> waits: its retry delay, drawn by its backoff's jitter.</summary>
    private static TimeSpan RetryWait(TaskMessage message)
        => message.Backoff is { } backoff ? backoff.Apply(RetryDelayOf(message)) : message.RetryDelay;

    /// <summary>How long after its start a run with <paramref name="timeout"/> is abandoned, cut to what a timer takes.</summary>
    private TimeSpan HardLimit(TimeSpan timeout)
    {
        var limit = Min(timeout, LongestTimer);
        return TimeoutGrace < LongestTimer - limit ? limit + TimeoutGrace : LongestTimer;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => Min(Min(a, b), c);

    private static TagList Tags(string taskName, string queue)
        => new() { { "messaging.system", "taskqueue" }, { "messaging.destination.name", queue }, { "taskqueue.task.name", taskName } };

    [LoggerMessage(20, LogLevel.Information, "Task {TaskName} ({TaskId}) skipped: it expired at {Expires:O}, {LateSeconds:0.###} s before it could start")]
    private static partial void LogExpired(ILogger logger, string taskName, string taskId, DateTimeOffset expires, double lateSeconds);

    [LoggerMessage(21, LogLevel.Warning, "Task {TaskName} ({TaskId}) timed out after {TimeoutSeconds} s and ignored its cancellation token for {GraceSeconds} s more: abandoned, it may still be running; its message is settled as a failure")]
    private static partial void LogAbandoned(ILogger logger, string taskName, string taskId, double timeoutSeconds, double graceSeconds);

    [LoggerMessage(22, LogLevel.Information, "Abandoned run of task {TaskName} ({TaskId}) ended {Seconds:0.###} s after it was abandoned ({Outcome}); what it came to is dropped")]
    private static partial void LogAbandonedEnded(ILogger logger, string taskName, string taskId, double seconds, string outcome);
}
