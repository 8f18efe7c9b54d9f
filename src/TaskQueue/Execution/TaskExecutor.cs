using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskQueue.Diagnostics;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue.Execution;

/// <summary>
/// Runs one message and decides how to settle it. The consumer's workers only take messages and
/// call this; tests call it directly, without threads (huey's <c>Huey.execute</c>).
/// </summary>
internal sealed partial class TaskExecutor
{
    private readonly TaskApp app;
    private readonly ILogger logger;

    /// <summary>Creates an executor for <paramref name="app"/>.</summary>
    public TaskExecutor(TaskApp app, ILogger? logger = null)
    {
        this.app = app ?? throw new ArgumentNullException(nameof(app));
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Runs a taken message, asking storage about revocations for it (<paramref name="checkRevocations"/>) or not.</summary>
    public ValueTask<Completion> ExecuteAsync(TakenMessage taken, bool checkRevocations, CancellationToken stopping)
        => ExecuteAsync(taken, checkRevocations ? -1 : 0, stopping);

    /// <summary>
    /// Runs a taken message and returns how to settle it. Task failures never escape: they become a
    /// retry, a stored error or a dead letter.
    /// </summary>
    /// <param name="taken">The message.</param>
    /// <param name="revocationsVersion">The take's <see cref="TakenBatch.RevocationsVersion"/>: 0 when nothing is revoked; negative asks storage for every message.</param>
    /// <param name="stopping">Fires when the consumer must stop; a run it interrupts is handed back.</param>
    public async ValueTask<Completion> ExecuteAsync(TakenMessage taken, long revocationsVersion, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(taken);
        if (taken.Deliveries > MaxRedeliveries)
        {
            return DeadLetter(taken, null, null,
                $"handed back {taken.Deliveries} times, more than the {MaxRedeliveries} allowed: its runs were cut short or its consumers died each time");
        }
        if (taken.Body.Length > app.MaxMessageSize)
        {
            // Before decoding: what a message can cost a worker is bounded by the limit, not by its sender.
            return DeadLetter(taken, null, null, string.Create(CultureInfo.InvariantCulture,
                $"message too large: {taken.Body.Length:N0} bytes, more than the limit of {app.MaxMessageSize:N0} bytes (TaskApp.MaxMessageSize)"));
        }
        TaskMessage message;
        try
        {
            message = MessageCodec.Decode(app.Open(taken.Body), app.Tasks);
        }
        catch (TaskPayloadException e)
        {
            return DeadLetter(taken, null, null, $"malformed message: {e.Message}");
        }

        TaskTelemetry.Consumed(message, taken.Queue, app.TimeProvider);
        using var activity = TaskTelemetry.StartProcess(message, taken);
        // The scope's state is allocated only for a logger that writes anything at all.
        using var logScope = logger.IsEnabled(LogLevel.Critical) ? logger.BeginScope(new RunScope(message.Name, message.Id)) : null;
        if (!app.Tasks.TryGet(message.Name, out var task))
        {
            // During a rolling deploy an old worker sees tasks that only new workers know: while the
            // message is young it goes back (in the schedule, a few seconds on) for one that knows it.
            if (message.CreatedAt is { } created && app.TimeProvider.GetUtcNow() - created < UnknownTaskGrace)
            {
                LogUnknownHandedBack(logger, Texts.Cut(message.Name), message.Id);
                return Completion.Retry(taken, taken.Body, UnknownTaskRetryDelay);
            }
            return DeadLetter(taken, message, activity, new UnknownTaskException(Texts.Cut(message.Name)).Message);
        }

        if (revocationsVersion != 0 && await IsRevokedAsync(message, revocationsVersion, stopping).ConfigureAwait(false))
        {
            return await EndAsync(message, task, await SkippedAsync(taken, message, task, revocationsVersion, stopping).ConfigureAwait(false)).ConfigureAwait(false);
        }
        if (HasExpired(message, taken.Queue)) return await EndAsync(message, task, Completion.Ack(taken)).ConfigureAwait(false);
        if (await PutOffForRateLimitAsync(taken, message, task, stopping).ConfigureAwait(false) is { } putOff) return putOff;

        Outcome outcome;
        if (message.RecurringId is { } recurringId)
        {
            // A run of a recurring record is recorded as running while it runs (the record's Running).
            // One that must not overlap also holds its record's lock. The lock was taken for the message
            // when it was queued; the run takes it over for this delivery, so a copy of the same message
            // handed back by a reaper (same id, another delivery) cannot take it while this one runs. If
            // another run holds it, this one is skipped.
            string run = message.Id + "/" + taken.Receipt;
            string? lockName = message.Exclusive ? RecurringTasks.LockName(recurringId) : null;
            if (lockName is not null && !await app.Storage.TakeOverLockAsync(lockName, message.Id, run, RecurringLockTtl, stopping).ConfigureAwait(false))
            {
                LogOverlapSkipped(logger, message.Name, message.Id);
                app.Events.Publish(TaskEventKind.Skipped, message.Id, message.Name, "another run of its recurring task is still going");
                return Completion.Ack(taken);
            }
            outcome = await RunRecurringAsync(message, task, recurringId, run, lockName, stopping).ConfigureAwait(false);
            // The run's record ends with its completion, in the same storage call.
            return await EndAsync(message, task, Complete(taken, message, task, outcome, activity) with { EndsRecurringRun = new RecurringRun(recurringId, run) })
                .ConfigureAwait(false);
        }
        outcome = task.Lock is null
            ? await RunAsync(message, task, stopping).ConfigureAwait(false)
            : await RunLockedAsync(message, task, message.Id + "/" + taken.Receipt, stopping).ConfigureAwait(false);
        var completion = Complete(taken, message, task, outcome, activity);
        if (!message.Flow.IsEmpty) completion = await FollowAsync(completion, taken, message, outcome, stopping).ConfigureAwait(false);
        return await EndAsync(message, task, completion).ConfigureAwait(false);
    }

    /// <summary>The completion for what a run came to, with its telemetry, events and logs.</summary>
    private Completion Complete(TakenMessage taken, TaskMessage message, TaskDescriptor task, Outcome outcome, Activity? activity)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Succeeded:
                TaskTelemetry.Succeeded(activity, message.Name, taken.Queue, outcome.Duration);
                // Finished is announced once the result is stored, so a handler can read it.
                return Announce(StoreOrAck(taken, message, task, outcome.Result), TaskEventKind.Finished, message, outcome.Duration);
            case OutcomeKind.BadPayload:
                return DeadLetter(taken, message, activity, outcome.Error!.Message);
            case OutcomeKind.Interrupted:
                app.Events.Publish(TaskEventKind.Released, message.Id, message.Name);
                return Completion.Interrupted(taken);
            case OutcomeKind.Cancelled:
                return Cancelled(taken, message, task, outcome, activity);
            default:
                TaskTelemetry.Failed(activity, message.Name, taken.Queue, outcome.Error!, outcome.Duration, retrying: message.Retries > 0);
                // As huey: an error for every failure (saying whether a retry follows), then the retry,
                // then, once it is stored, the re-queue's own event.
                bool retrying = message.Retries > 0;
                app.Events.Publish(TaskEventKind.Error, message.Id, message.Name, Describe(outcome.Error!), outcome.Duration, willRetry: retrying);
                if (retrying)
                {
                    LogRetrying(logger, message.Name, message.Id, message.Retries - 1, outcome.Error!);
                    app.Events.Publish(TaskEventKind.Retrying, message.Id, message.Name, Describe(outcome.Error!), outcome.Duration);
                    var again = app.Seal(MessageCodec.Encode(NextRetry(message)));
                    var wait = RetryWait(message);
                    var requeued = wait > TimeSpan.Zero ? TaskEventKind.Scheduled : TaskEventKind.Enqueued;
                    return Announce(Completion.Retry(taken, again, wait), requeued, message);
                }
                LogFailed(logger, message.Name, message.Id, outcome.Error!);
                return app.StoreResults && app.StoreErrors && task.Periodic is null
                    ? Completion.WithResult(taken, message.Id, ResultCodec.EncodeError(ErrorOf(outcome.Error!, message.Name)), app.ResultTtl)
                    : Completion.Ack(taken);
        }
    }

    /// <summary>
    /// Eager mode: runs a message inline, retrying at once while retries remain (whatever the retry delay and
    /// its backoff), and stores its result or error as a consumer would. An expired message does not run; a
    /// timeout applies as in a consumer.
    /// </summary>
    internal async ValueTask RunEagerAsync(TaskMessage message, TaskDescriptor task, CancellationToken cancellationToken)
    {
        if (await IsRevokedAsync(message, cancellationToken).ConfigureAwait(false)) return;
        if (HasExpired(message, task.Queue)) return;
        while (true)
        {
            var outcome = await RunAsync(message, task, cancellationToken).ConfigureAwait(false);
            switch (outcome.Kind)
            {
                case OutcomeKind.Succeeded:
                    if (app.StoreResults && task.Periodic is null && (outcome.Result is not null || app.StoreNone))
                    {
                        var stored = outcome.Result is null ? ResultCodec.None : ResultCodec.EncodeValue(outcome.Result);
                        await app.Storage.PutResultAsync(message.Id, stored, app.ResultTtl, cancellationToken).ConfigureAwait(false);
                    }
                    app.Events.Publish(TaskEventKind.Finished, message.Id, message.Name, duration: outcome.Duration);
                    if (!message.Flow.IsEmpty) await FollowAsync(message, outcome, cancellationToken).ConfigureAwait(false);
                    return;
                case OutcomeKind.BadPayload:
                    throw outcome.Error!;
                case OutcomeKind.Interrupted:
                    throw new OperationCanceledException(cancellationToken);
                case OutcomeKind.Cancelled:
                    if (await CancelledEagerAsync(message, task, outcome, cancellationToken).ConfigureAwait(false) is not { } again)
                    {
                        if (!message.Flow.IsEmpty) await FollowAsync(message, outcome, cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    message = again;
                    continue;
                default:
                    app.Events.Publish(TaskEventKind.Error, message.Id, message.Name, Describe(outcome.Error!), outcome.Duration, willRetry: message.Retries > 0);
                    if (message.Retries > 0)
                    {
                        app.Events.Publish(TaskEventKind.Retrying, message.Id, message.Name, Describe(outcome.Error!), outcome.Duration);
                        message = NextRetry(message);
                        continue;
                    }
                    if (app.StoreResults && app.StoreErrors)
                    {
                        var error = ResultCodec.EncodeError(ErrorOf(outcome.Error!, message.Name));
                        await app.Storage.PutResultAsync(message.Id, error, app.ResultTtl, cancellationToken).ConfigureAwait(false);
                    }
                    if (!message.Flow.IsEmpty) await FollowAsync(message, outcome, cancellationToken).ConfigureAwait(false);
                    return;
            }
        }
    }

    /// <summary>The most revoked targets the executor keeps in memory; with more it asks storage for every message.</summary>
    private const int MaxKnownRevocations = 1000;

    private RevocationSet knownRevocations = new(0, null);

    /// <summary>
    /// Whether <paramref name="message"/>'s run is skipped. Storage decides (and consumes a revoke-once
    /// record), but only for a message whose id or task has a record: the executor keeps the revoked
    /// targets of the version the take reported, so revocations of other tasks cost nothing per message.
    /// </summary>
    private async ValueTask<bool> IsRevokedAsync(TaskMessage message, long version, CancellationToken cancellationToken)
    {
        if (version < 0) return await IsRevokedAsync(message, cancellationToken).ConfigureAwait(false);
        var known = Volatile.Read(ref knownRevocations);
        if (known.Version < version)
        {
            known = await app.Storage.ReadRevocationsAsync(MaxKnownRevocations, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref knownRevocations, known);
        }
        if (known.Targets is { } targets && !targets.Contains(TaskApp.IdTarget(message.Id)) && !targets.Contains(TaskApp.TaskTarget(message.Name)))
        {
            return false;
        }
        return await IsRevokedAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<bool> IsRevokedAsync(TaskMessage message, CancellationToken cancellationToken)
    {
        string[] targets = [TaskApp.IdTarget(message.Id), TaskApp.TaskTarget(message.Name)];
        if (!await app.Storage.ConsumeRevocationAsync(targets, cancellationToken).ConfigureAwait(false)) return false;
        LogRevoked(logger, message.Name, message.Id);
        app.Events.Publish(TaskEventKind.Revoked, message.Id, message.Name);
        return true;
    }

    /// <summary>How long after its creation a message naming an unknown task is handed back before it is dead-lettered. Default 1 minute.</summary>
    public TimeSpan UnknownTaskGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a message may have been handed back before it goes to dead letters instead of running. Default 5.</summary>
    public int MaxRedeliveries { get; set; } = 5;

    /// <summary>How far a message naming an unknown task is put off each time it is handed back.</summary>
    private static readonly TimeSpan UnknownTaskRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the lock of a run that must not overlap lasts without renewal; a running task renews
    /// it every third of this, so a crashed run blocks its record for at most this long. Default 30 s
    /// (the consumer sets its visibility timeout).
    /// </summary>
    public TimeSpan RecurringLockTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs a message of recurring record <paramref name="recurringId"/>, recorded as running (and
    /// holding the record's lock <paramref name="lockName"/> when it must not overlap) until it ends;
    /// both are renewed every third of <see cref="RecurringLockTtl"/> while it runs.
    /// </summary>
    private async ValueTask<Outcome> RunRecurringAsync(TaskMessage message, TaskDescriptor task, string recurringId, string run, string? lockName,
        CancellationToken stopping)
    {
        // The run is recorded while the task starts, not before: its start waits for no round trip.
        var marking = MarkRunAsync(recurringId, run, stopping);
        using var done = new CancellationTokenSource();
        var renewal = RenewAsync(recurringId, run, lockName, done.Token);
        try
        {
            return await RunLockedAsync(message, task, run, stopping).ConfigureAwait(false);
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            await marking.ConfigureAwait(false);
            try
            {
                if (lockName is not null) await app.Storage.ReleaseLockAsync(lockName, run, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // It expires by itself; the next run of a no-overlap record waits at most its time to live.
                LogLockError(logger, lockName!, e);
            }
        }
    }

    private async Task MarkRunAsync(string recurringId, string run, CancellationToken cancellationToken)
    {
        try
        {
            await app.Storage.BeginRecurringRunAsync(recurringId, run, RecurringLockTtl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Only the record's Running flag depends on it: the run goes ahead, and the renewal tries
            // again. Not even a cancellation may escape: it is awaited after the run, whose outcome it
            // would replace.
            if (e is not OperationCanceledException) LogLockError(logger, recurringId, e);
        }
    }

    private async Task RenewAsync(string recurringId, string run, string? lockName, CancellationToken done)
    {
        var interval = RecurringLockTtl / 3;
        while (!done.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, done).ConfigureAwait(false);
                await app.Storage.BeginRecurringRunAsync(recurringId, run, RecurringLockTtl, done).ConfigureAwait(false);
                if (lockName is not null) await app.Storage.AcquireLockAsync(lockName, run, RecurringLockTtl, done).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLockError(logger, lockName ?? recurringId, e);
            }
        }
    }

    private async ValueTask<Outcome> RunAsync(TaskMessage message, TaskDescriptor task, CancellationToken stopping)
    {
        await using var context = new TaskContext(message.Id, message.Name, message.Retries, RetryDelayOf(message), message.Eta)
        {
            UserDataJson = message.UserData,
            RecurringId = message.RecurringId,
            App = app,
        };
        // The task's token fires when the consumer stops, or when the run is cancelled by id (TaskExecutor.Cancel.cs).
        using var run = Running.Begin(message.Id, stopping);
        if (await PreExecuteAsync(context, run.Token).ConfigureAwait(false) is { } cancelled) return cancelled;
        app.Events.Publish(TaskEventKind.Started, message.Id, message.Name);
        long started = Stopwatch.GetTimestamp();
        Outcome outcome;
        try
        {
            var result = await InvokeAsync(task, message, context, run.Token).ConfigureAwait(false);
            var duration = Stopwatch.GetElapsedTime(started);
            outcome = new Outcome(OutcomeKind.Succeeded, result, null, duration);
        }
        catch (TaskPayloadException e)
        {
            return new Outcome(OutcomeKind.BadPayload, null, e, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException e) when (stopping.IsCancellationRequested)
        {
            outcome = new Outcome(OutcomeKind.Interrupted, null, e, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException e) when (run.CancelRequested)
        {
            outcome = new Outcome(OutcomeKind.Cancelled, null, e, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e)
        {
            outcome = new Outcome(OutcomeKind.Failed, null, e, Stopwatch.GetElapsedTime(started));
        }
        await PostExecuteAsync(context, outcome, stopping).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Has the consumer publish <paramref name="kind"/> once <paramref name="completion"/> is stored;
    /// while nobody listens there is nothing to carry, and the operations counters count it now.
    /// </summary>
    private Completion Announce(Completion completion, TaskEventKind kind, TaskMessage message, TimeSpan? duration = null)
    {
        if (app.Events.HasListeners) completion.AfterSettle = new SettledEvent(kind, message.Id, message.Name, duration);
        else app.Stats.Count(kind == TaskEventKind.Finished ? Operations.StatKind.Succeeded : Operations.StatKind.Enqueued, message.Name);
        return completion;
    }

    /// <remarks>A periodic task's value is stored for nobody (huey stores none): the ticker that enqueues it keeps no handle.</remarks>
    private Completion StoreOrAck(TakenMessage taken, TaskMessage message, TaskDescriptor task, byte[]? result)
    {
        if (!app.StoreResults || task.Periodic is not null || (result is null && !app.StoreNone)) return Completion.Ack(taken);
        var stored = result is null ? ResultCodec.None : ResultCodec.EncodeValue(result);
        return Completion.WithResult(taken, message.Id, stored, app.ResultTtl);
    }

    private Completion DeadLetter(TakenMessage taken, TaskMessage? message, System.Diagnostics.Activity? activity, string reason)
    {
        TaskTelemetry.DeadLettered(activity, message?.Name, taken.Queue, reason);
        LogDeadLettered(logger, Texts.Cut(message?.Name ?? "?"), Texts.Cut(message?.Id ?? "?"), Texts.Cut(reason));
        app.Events.Publish(TaskEventKind.DeadLettered, message?.Id, message?.Name, reason);
        return Completion.ToDeadLetters(taken, reason);
    }

    private static TaskError ErrorOf(Exception e, string taskName) => new(e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace, taskName);

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    /// <summary>The scope of one run's log lines: its task name and id.</summary>
    private sealed class RunScope(string taskName, string taskId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("TaskName", taskName),
            1 => new("TaskId", taskId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public int Count => 2;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{taskName} {taskId}";
    }

    private enum OutcomeKind { Succeeded, Failed, BadPayload, Interrupted, Cancelled }

    private readonly record struct Outcome(OutcomeKind Kind, byte[]? Result, Exception? Error, TimeSpan Duration);

    [LoggerMessage(1, LogLevel.Error, "Task {TaskName} ({TaskId}) failed with no retries left")]
    private static partial void LogFailed(ILogger logger, string taskName, string taskId, Exception error);

    [LoggerMessage(2, LogLevel.Warning, "Task {TaskName} ({TaskId}) failed; {RetriesLeft} retries left")]
    private static partial void LogRetrying(ILogger logger, string taskName, string taskId, int retriesLeft, Exception error);

    [LoggerMessage(3, LogLevel.Warning, "Task {TaskName} ({TaskId}) sent to dead letters: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string taskName, string taskId, string reason);

    [LoggerMessage(5, LogLevel.Information, "Task {TaskName} ({TaskId}) skipped: another run of its recurring task is still going")]
    private static partial void LogOverlapSkipped(ILogger logger, string taskName, string taskId);

    [LoggerMessage(6, LogLevel.Warning, "Could not record, renew or end the run of recurring task {LockName}, or its lock")]
    private static partial void LogLockError(ILogger logger, string lockName, Exception error);

    [LoggerMessage(7, LogLevel.Information, "Task {TaskName} ({TaskId}) is not known to this worker; handed back for a worker that knows it")]
    private static partial void LogUnknownHandedBack(ILogger logger, string taskName, string taskId);

    [LoggerMessage(4, LogLevel.Information, "Task {TaskName} ({TaskId}) skipped: revoked")]
    private static partial void LogRevoked(ILogger logger, string taskName, string taskId);
}
