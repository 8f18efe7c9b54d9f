namespace TaskQueue.Consumer;

/// <content>One tick at a time given by the caller (<see cref="TaskRunner.TickPeriodicAsync"/>).</content>
internal sealed partial class PeriodicTicker
{
    /// <summary>
    /// Fires every periodic task that has an occurrence at <paramref name="at"/>, taken to the whole second (cron's finest
    /// field), through the same claim as a tick: an occurrence fired before fires nothing. Returns what it queued. The
    /// ticker's own schedule (what <see cref="TickAsync"/> fires next) is left as it is.
    /// </summary>
    public async Task<IReadOnlyList<EnqueuedTask>> FireAtAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var instant = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var fired = new List<EnqueuedTask>();
        foreach (var slot in slots)
        {
            if (slot.Schedule.GetNextOccurrence(instant.AddTicks(-1)) != instant) continue;
            if (await FireAsync(slot.Task, instant, instant, instant, cancellationToken).ConfigureAwait(false) is { } id)
            {
                fired.Add(new EnqueuedTask(id, slot.Task.Name, slot.Task.Queue));
            }
        }
        return fired;
    }
}
