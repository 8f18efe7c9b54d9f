using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskQueue.Messages;
using TaskQueue.Scheduling;

namespace TaskQueue.Consumer;

/// <summary>
/// Enqueues periodic tasks at their occurrences. Every consumer runs one; each occurrence is claimed
/// by one atomic storage write (<see cref="Storage.ITaskScheduleStorage.FirePeriodicAsync"/>), so however
/// many tickers run, an occurrence is enqueued once, and a dead consumer's ticks are fired by the
/// others. Time is the storage's clock.
/// </summary>
/// <remarks>
/// Missed occurrences: a ticker starts from the next occurrence after it starts, and one that wakes
/// late fires only the latest occurrence it slept through, so nothing fires in a burst. A task with
/// <see cref="MissedRunPolicy.RunOnce"/> also runs once on start when occurrences passed since the
/// last one fired (all consumers were down).
/// </remarks>
internal sealed partial class PeriodicTicker
{
    /// <summary>How many occurrences a late ticker steps over looking for the latest one it missed.</summary>
    private const int MaxSteps = 100_000;

    private readonly TaskApp app;
    private readonly ILogger logger;
    private readonly List<Slot> slots = [];
    private bool started;

    public PeriodicTicker(TaskApp app, IEnumerable<TaskDescriptor> tasks, ILogger? logger = null)
    {
        this.app = app;
        this.logger = logger ?? NullLogger.Instance;
        foreach (var task in tasks)
        {
            if (task.Periodic is null) continue;
            try
            {
                slots.Add(new Slot(task, task.Periodic.Schedule));
            }
            catch (FormatException e)
            {
                // The generator checked the expression; a time zone missing on this machine ends here.
                LogBadSchedule(this.logger, task.Name, e.Message);
            }
        }
    }

    /// <summary>The periodic tasks this ticker fires.</summary>
    public IReadOnlyList<TaskDescriptor> Tasks => slots.ConvertAll(s => s.Task);

    private sealed class Slot(TaskDescriptor task, ISchedule schedule)
    {
        public TaskDescriptor Task { get; } = task;
        public ISchedule Schedule { get; } = schedule;
        public DateTimeOffset? Next { get; set; }
    }

    /// <summary>
    /// Fires what is due by the storage's clock (on the first call: catch-up runs, then nothing until
    /// the next occurrence) and returns the clock and the soonest next occurrence (null when none).
    /// </summary>
    public async Task<(DateTimeOffset Now, DateTimeOffset? Next)> TickAsync(CancellationToken cancellationToken)
    {
        var now = await app.Storage.GetTimeAsync(cancellationToken).ConfigureAwait(false);
        if (!started)
        {
            foreach (var slot in slots)
            {
                if (slot.Task.Periodic!.MissedRuns == MissedRunPolicy.RunOnce) await CatchUpAsync(slot, now, cancellationToken).ConfigureAwait(false);
                slot.Next = slot.Schedule.GetNextOccurrence(now);
            }
            started = true;
        }
        else
        {
            foreach (var slot in slots)
            {
                if (slot.Next is not { } due || due > now) continue;
                var latest = Latest(slot.Schedule, due, now);
                if (latest is { } occurrence) await FireAsync(slot.Task, occurrence, occurrence, now, cancellationToken).ConfigureAwait(false);
                slot.Next = slot.Schedule.GetNextOccurrence(now);
            }
        }
        DateTimeOffset? next = null;
        foreach (var slot in slots)
        {
            if (slot.Next is { } n && (next is null || n < next)) next = n;
        }
        return (now, next);
    }

    private async Task CatchUpAsync(Slot slot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = await app.Storage.GetPeriodicLastFiredAsync(slot.Task.Name, cancellationToken).ConfigureAwait(false);
        if (last is null) return;
        if (slot.Schedule.GetNextOccurrence(last.Value) is not { } firstMissed || firstMissed > now) return;
        // Claim the first missed occurrence and mark everything up to now as done: consumers that
        // start together compute the same first missed occurrence, so one of them runs it.
        if (await FireAsync(slot.Task, firstMissed, now, now, cancellationToken).ConfigureAwait(false) is not null)
        {
            LogCaughtUp(logger, slot.Task.Name, firstMissed);
        }
    }

    /// <summary>Fires one occurrence of <paramref name="task"/>; returns the id of the message it queued, or null when the occurrence was fired before (or the task is paused).</summary>
    private async Task<string?> FireAsync(TaskDescriptor task, DateTimeOffset due, DateTimeOffset mark, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var message = app.NewMessage(task, EmptyArguments, null, null, due) with { CreatedAt = now };
        if (!await app.Storage.FirePeriodicAsync(task.Name, due, mark, task.Queue, app.Seal(MessageCodec.Encode(message)), task.Priority, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        LogFired(logger, task.Name, due, message.Id);
        app.Events.Publish(TaskEventKind.Enqueued, message.Id, message.Name, $"periodic occurrence {due:O}");
        return message.Id;
    }

    /// <summary>The latest occurrence at or before <paramref name="now"/>, starting from the due one.</summary>
    private static DateTimeOffset? Latest(ISchedule schedule, DateTimeOffset due, DateTimeOffset now)
    {
        var latest = due;
        for (int i = 0; i < MaxSteps; i++)
        {
            if (schedule.GetNextOccurrence(latest) is not { } n || n > now) return latest;
            latest = n;
        }
        return null; // asleep for longer than anything sensible: fire nothing, carry on from now
    }

    private static readonly byte[] EmptyArguments = [0x90];

    [LoggerMessage(30, LogLevel.Debug, "Periodic task {TaskName}: fired the occurrence at {Occurrence:O} as {TaskId}")]
    private static partial void LogFired(ILogger logger, string taskName, DateTimeOffset occurrence, string taskId);

    [LoggerMessage(31, LogLevel.Information, "Periodic task {TaskName}: ran once for occurrences missed since {FirstMissed:O}")]
    private static partial void LogCaughtUp(ILogger logger, string taskName, DateTimeOffset firstMissed);

    [LoggerMessage(32, LogLevel.Error, "Periodic task {TaskName} is not scheduled: {Reason}")]
    private static partial void LogBadSchedule(ILogger logger, string taskName, string reason);
}
