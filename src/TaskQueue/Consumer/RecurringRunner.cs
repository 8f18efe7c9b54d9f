using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskQueue.Messages;
using TaskQueue.Scheduling;
using TaskQueue.Storage;

namespace TaskQueue.Consumer;

/// <summary>
/// Runs due recurring-task records (<see cref="RecurringTasks"/>). Every consumer runs one; each run
/// is one atomic storage step that checks the record's version, so a record fires once however many
/// consumers see it due. Time is the storage's clock.
/// </summary>
/// <remarks>
/// After a run, the next one is the first occurrence after now in the record's time zone: a record
/// whose consumers were all down runs once when they return, not once per missed occurrence. A
/// record with <c>AllowOverlap = false</c> whose earlier run still holds its lock skips the occurrence.
/// A record whose task this worker does not know, or that does not load, is reported and disabled.
/// </remarks>
internal sealed partial class RecurringRunner
{
    private const int Batch = 100;
    private readonly TaskApp app;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<(string, string), CronSchedule> schedules = new();

    public RecurringRunner(TaskApp app, TimeSpan lockTtl, ILogger? logger = null)
    {
        this.app = app;
        LockTtl = lockTtl;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How long a no-overlap run's lock lasts before its runner renews it.</summary>
    public TimeSpan LockTtl { get; }

    /// <summary>
    /// How long a due record whose task this worker does not know is left for a worker that knows it
    /// (workers may serve different tasks) before it is reported and disabled.
    /// </summary>
    public TimeSpan UnknownTaskGrace { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Fires the records due by the storage's clock and returns the clock, when the next one is due
    /// (null when none is scheduled), and whether more were due than one call handles.
    /// </summary>
    public async Task<(DateTimeOffset Now, DateTimeOffset? Next, bool More)> RunDueAsync(CancellationToken cancellationToken)
    {
        var due = await app.Storage.DueRecurringAsync(Batch, cancellationToken).ConfigureAwait(false);
        if (due.Entries.Count == 1)
        {
            await FireAsync(due.Entries[0], due.Now, cancellationToken).ConfigureAwait(false);
        }
        else if (due.Entries.Count > 1)
        {
            // Fire the batch at once: the storage pipelines the calls, so a thousand records due in
            // the same second cost a few round trips' time rather than a thousand. Each consumer
            // starts at its own place in the batch, so that racing consumers mostly fire different
            // records instead of losing the same version checks.
            int offset = Random.Shared.Next(due.Entries.Count);
            var fires = new Task[due.Entries.Count];
            for (int i = 0; i < fires.Length; i++) fires[i] = FireAsync(due.Entries[(i + offset) % fires.Length], due.Now, cancellationToken);
            await Task.WhenAll(fires).ConfigureAwait(false);
        }
        return (due.Now, due.NextDue, due.Entries.Count >= Batch);
    }

    private async Task FireAsync(RecurringEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RecurringState state;
        try
        {
            state = RecurringCodec.Decode(entry.Body);
        }
        catch (TaskPayloadException e)
        {
            await DisableAsync(entry, entry.Body, $"its record does not load: {e.Message}", cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!app.Tasks.TryGet(state.TaskName, out var task))
        {
            if (entry.NextRun is { } due && now - due < UnknownTaskGrace) return;
            await DisableAsync(entry, RecurringCodec.Encode(state with { Enabled = false }), $"task '{state.TaskName}' is not known to this worker", cancellationToken).ConfigureAwait(false);
            return;
        }
        CronSchedule schedule;
        try
        {
            schedule = ScheduleOf(state);
        }
        catch (FormatException e)
        {
            await DisableAsync(entry, RecurringCodec.Encode(state with { Enabled = false }), e.Message, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!state.Enabled || state.IsSpent || state.EndRunning < now)
        {
            // Out of its window (or changed under us): it leaves the due index.
            await app.Storage.PutRecurringAsync(new RecurringWrite(entry.Id, entry.Label, entry.Body, null, entry.Version), cancellationToken).ConfigureAwait(false);
            return;
        }

        int runCount = state.RunCount + 1;
        var message = app.NewMessage(task, state.Arguments, null, null, entry.NextRun) with
        {
            CreatedAt = now,
            UserData = state.UserDataJson,
            RecurringId = entry.Id,
            Exclusive = !state.AllowOverlap,
        };
        var fire = new RecurringFire(
            entry.Id,
            entry.Version,
            RecurringCodec.Encode(state with { LastRun = now, RunCount = runCount }),
            RecurringMath.AfterRun(schedule, state, runCount, now),
            task.Queue,
            app.Seal(MessageCodec.Encode(message)),
            state.AllowOverlap ? null : message.Id,
            LockTtl,
            task.Priority);
        switch (await app.Storage.FireRecurringAsync(fire, cancellationToken).ConfigureAwait(false))
        {
            case RecurringFireStatus.Fired:
                LogFired(logger, entry.Label, task.Name, message.Id, fire.NextRun);
                app.Events.Publish(TaskEventKind.Enqueued, message.Id, message.Name, $"recurring task '{entry.Label}'");
                break;
            case RecurringFireStatus.Busy:
                // The last run still holds the lock: skip this occurrence (its iteration is not spent).
                var next = RecurringMath.AfterRun(schedule, state, state.RunCount, now);
                var write = await app.Storage.PutRecurringAsync(new RecurringWrite(entry.Id, entry.Label, entry.Body, next, entry.Version), cancellationToken).ConfigureAwait(false);
                if (write.Status == RecurringWriteStatus.Written)
                {
                    LogOverlap(logger, entry.Label, next);
                    app.Events.Publish(TaskEventKind.Skipped, null, task.Name, $"recurring task '{entry.Label}': the last run is still going");
                }
                break;
            default:
                break; // another consumer fired it, or it was changed or deleted: nothing to do
        }
    }

    private async Task DisableAsync(RecurringEntry entry, byte[] body, string reason, CancellationToken cancellationToken)
    {
        var write = await app.Storage.PutRecurringAsync(new RecurringWrite(entry.Id, entry.Label, body, null, entry.Version), cancellationToken).ConfigureAwait(false);
        if (write.Status != RecurringWriteStatus.Written) return;
        LogDisabled(logger, entry.Label, entry.Id, reason);
        app.Events.Publish(TaskEventKind.RecurringDisabled, null, null, $"recurring task '{entry.Label}' ({entry.Id}) disabled: {reason}");
    }

    private CronSchedule ScheduleOf(RecurringState state)
    {
        var key = (state.Schedule, state.TimeZone);
        if (!schedules.TryGetValue(key, out var schedule))
        {
            schedule = CronSchedule.Parse(state.Schedule, state.TimeZone);
            if (schedules.Count > 1000) schedules.Clear();
            schedules[key] = schedule;
        }
        return schedule;
    }

    [LoggerMessage(40, LogLevel.Debug, "Recurring task '{Label}' queued {TaskName} as {TaskId}; next run {NextRun:O}")]
    private static partial void LogFired(ILogger logger, string label, string taskName, string taskId, DateTimeOffset? nextRun);

    [LoggerMessage(41, LogLevel.Information, "Recurring task '{Label}' skipped an occurrence: its last run is still going; next run {NextRun:O}")]
    private static partial void LogOverlap(ILogger logger, string label, DateTimeOffset? nextRun);

    [LoggerMessage(42, LogLevel.Error, "Recurring task '{Label}' ({Id}) disabled: {Reason}")]
    private static partial void LogDisabled(ILogger logger, string label, string id, string reason);
}
