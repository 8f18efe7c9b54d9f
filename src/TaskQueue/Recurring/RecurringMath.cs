using TaskQueue.Scheduling;

namespace TaskQueue;

/// <summary>When a recurring record runs next: the rules of its window, iterations and first run.</summary>
internal static class RecurringMath
{
    /// <summary>
    /// The next run of a record being saved at <paramref name="now"/>: none when disabled or spent;
    /// at once (or at the window's start) for a first run that does not wait for the schedule; else
    /// the first occurrence after now, or from the window's start on when that is later (an
    /// occurrence on the start itself counts); none past the window's end.
    /// </summary>
    public static DateTimeOffset? FirstRun(RecurringTask r, DateTimeOffset now)
    {
        if (!r.Enabled || r.IsSpent) return null;
        bool later = r.StartRunning is { } start && start > now;
        DateTimeOffset? next = !r.WaitForSchedule && r.RunCount == 0
            ? (later ? r.StartRunning!.Value : now)
            : r.GetSchedule().GetNextOccurrence(later ? r.StartRunning!.Value.AddTicks(-1) : now);
        return Within(next, r.EndRunning);
    }

    /// <summary>
    /// The run after one queued at <paramref name="now"/>: the first occurrence strictly after now
    /// (occurrences missed while no consumer ran are skipped, not run in a burst), none once
    /// <paramref name="runCount"/> reaches the iterations or past the window's end.
    /// </summary>
    public static DateTimeOffset? AfterRun(ISchedule schedule, RecurringState s, int runCount, DateTimeOffset now)
    {
        if (s.Iterations > 0 && runCount >= s.Iterations) return null;
        var from = s.StartRunning is { } start && start > now ? start.AddTicks(-1) : now;
        return Within(schedule.GetNextOccurrence(from), s.EndRunning);
    }

    private static DateTimeOffset? Within(DateTimeOffset? next, DateTimeOffset? end) => next is { } n && end is { } e && n > e ? null : next;
}
