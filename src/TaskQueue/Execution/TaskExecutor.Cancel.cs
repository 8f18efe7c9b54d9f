using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Execution;

/// <content>
/// Cancelled runs: by <see cref="TaskApp.CancelAsync"/> while they ran or before they started, or by a pre-execute
/// hook (<see cref="CancelExecutionException"/>).
/// </content>
internal sealed partial class TaskExecutor
{
    /// <summary>What a reader of a run cancelled by <see cref="TaskApp.CancelAsync"/> finds as the remote exception's type.</summary>
    internal static readonly string CancelledType = typeof(OperationCanceledException).FullName!;

    /// <summary>The remote message of a run cancelled while it ran.</summary>
    internal const string CancelledWhileRunning = "cancelled by TaskApp.CancelAsync while it ran";

    /// <summary>The remote message of a run cancelled before it started.</summary>
    internal const string CancelledBeforeStart = "cancelled by TaskApp.CancelAsync before it started";

    /// <summary>The runs going on, whose tokens a cancel by id fires (the consumer's cancel watch reads them).</summary>
    internal RunningTasks Running { get; } = new();

    /// <summary>
    /// The completion of a cancelled run. Cancelled by a hook with <see cref="CancelExecutionException.Retry"/> and
    /// retries left: retried as a failure is. Otherwise it ends for good: not retried, its error stored.
    /// </summary>
    private Completion Cancelled(TakenMessage taken, TaskMessage message, TaskDescriptor task, Outcome outcome, Activity? activity)
    {
        bool byHook = outcome.Error is CancelExecutionException;
        string reason = byHook ? outcome.Error!.Message : CancelledWhileRunning;
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        if (outcome.Error is CancelExecutionException { Retry: true } && message.Retries > 0)
        {
            app.Events.Publish(TaskEventKind.Cancelled, message.Id, message.Name, reason, outcome.Duration, willRetry: true);
            app.Events.Publish(TaskEventKind.Retrying, message.Id, message.Name, reason, outcome.Duration);
            var again = app.Seal(MessageCodec.Encode(message with { Retries = message.Retries - 1 }));
            var requeued = message.RetryDelay > TimeSpan.Zero ? TaskEventKind.Scheduled : TaskEventKind.Enqueued;
            return Announce(Completion.Retry(taken, again, message.RetryDelay), requeued, message);
        }
        if (!byHook) LogCancelled(logger, message.Name, message.Id);
        app.Events.Publish(TaskEventKind.Cancelled, message.Id, message.Name, reason, outcome.Duration);
        return EndCancelled(taken, message, task, byHook ? ErrorOf(outcome.Error!, message.Name) : CancelError(message, CancelledWhileRunning));
    }

    /// <summary>
    /// The completion of a revoked run: acknowledged; and when the revocation came with a cancel request (the run was
    /// cancelled by id before it started), ended as a cancelled run: <see cref="TaskEventKind.Cancelled"/> and its
    /// error stored. Only a message whose id is revoked costs the read of the request.
    /// </summary>
    private async ValueTask<Completion> SkippedAsync(TakenMessage taken, TaskMessage message, TaskDescriptor task, long revocationsVersion,
        CancellationToken cancellationToken)
    {
        if (revocationsVersion > 0 && Volatile.Read(ref knownRevocations).Targets is { } targets && !targets.Contains(TaskApp.IdTarget(message.Id)))
        {
            return Completion.Ack(taken);
        }
        var requests = await app.Storage.ReadCancelRequestsAsync([message.Id], cancellationToken).ConfigureAwait(false);
        if (requests.Count == 0) return Completion.Ack(taken);
        LogCancelledBeforeStart(logger, message.Name, message.Id);
        app.Events.Publish(TaskEventKind.Cancelled, message.Id, message.Name, CancelledBeforeStart);
        return EndCancelled(taken, message, task, CancelError(message, CancelledBeforeStart));
    }

    /// <summary>Eager mode: stores a cancelled run's error, or returns the message to run again when a hook asked for a retry.</summary>
    private async ValueTask<TaskMessage?> CancelledEagerAsync(TaskMessage message, TaskDescriptor task, Outcome outcome, CancellationToken cancellationToken)
    {
        string reason = outcome.Error is CancelExecutionException ? outcome.Error.Message : CancelledWhileRunning;
        if (outcome.Error is CancelExecutionException { Retry: true } && message.Retries > 0)
        {
            app.Events.Publish(TaskEventKind.Cancelled, message.Id, message.Name, reason, outcome.Duration, willRetry: true);
            app.Events.Publish(TaskEventKind.Retrying, message.Id, message.Name, reason, outcome.Duration);
            return message with { Retries = message.Retries - 1 };
        }
        app.Events.Publish(TaskEventKind.Cancelled, message.Id, message.Name, reason, outcome.Duration);
        if (app.StoreResults && app.StoreErrors && task.Periodic is null)
        {
            var error = outcome.Error is CancelExecutionException ? ErrorOf(outcome.Error, message.Name) : CancelError(message, CancelledWhileRunning);
            await app.Storage.PutResultAsync(message.Id, ResultCodec.EncodeError(error with { RetriesLeft = message.Retries }), app.ResultTtl, cancellationToken)
                .ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>A run that ends cancelled, for good: its error stored as a failure's is, with the retries it had left.</summary>
    private Completion EndCancelled(TakenMessage taken, TaskMessage message, TaskDescriptor task, TaskError error)
        => app.StoreResults && app.StoreErrors && task.Periodic is null
            ? Completion.WithResult(taken, message.Id, ResultCodec.EncodeError(error with { RetriesLeft = message.Retries }), app.ResultTtl)
            : Completion.Ack(taken);

    private static TaskError CancelError(TaskMessage message, string what) => new(CancelledType, what, null, message.Name);

    [LoggerMessage(63, LogLevel.Information, "Task {TaskName} ({TaskId}) cancelled by TaskApp.CancelAsync while it ran")]
    private static partial void LogCancelled(ILogger logger, string taskName, string taskId);

    [LoggerMessage(64, LogLevel.Information, "Task {TaskName} ({TaskId}) cancelled by TaskApp.CancelAsync before it started")]
    private static partial void LogCancelledBeforeStart(ILogger logger, string taskName, string taskId);
}
