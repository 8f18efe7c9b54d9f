namespace TaskQueue.Scheduling;

/// <summary>When something recurs: a cron expression or a huey-style <see cref="Crontab"/>, in a time zone.</summary>
public interface ISchedule
{
    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    DateTimeOffset? GetNextOccurrence(DateTimeOffset after);

    /// <summary>The schedule as text, for logs and storage (for example <c>*/5 * * * *</c>).</summary>
    string Expression { get; }

    /// <summary>The time zone the schedule is read in.</summary>
    TimeZoneInfo TimeZone { get; }
}
