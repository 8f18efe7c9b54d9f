namespace TaskQueue.Scheduling;

/// <summary>What a periodic task does about occurrences that passed while no consumer was running.</summary>
public enum MissedRunPolicy
{
    /// <summary>
    /// Missed occurrences are not run (huey's behaviour, the default): a consumer that starts fires
    /// the next occurrence, and one that wakes late fires only the latest occurrence it missed.
    /// </summary>
    Skip = 0,

    /// <summary>
    /// When occurrences were missed since the last one fired (all consumers were down), the first
    /// consumer to start runs the task once for all of them, then keeps the schedule (Hangfire's
    /// "once" policy).
    /// </summary>
    RunOnce = 1,
}

/// <summary>
/// The schedule of a periodic task and its missed-run policy: a cron expression in a time zone (from
/// <see cref="PeriodicTaskAttribute"/>, parsed on first use, already checked at compile time) or any
/// <see cref="ISchedule"/> made in code, such as a huey-style <see cref="Crontab"/>
/// (see <see cref="TaskCatalog.WithPeriodic"/>).
/// </summary>
public sealed class PeriodicSchedule
{
    private ISchedule? schedule;

    /// <summary>Creates a schedule from a cron expression. Called by generated code.</summary>
    /// <param name="cron">A cron expression with 5 or 6 fields.</param>
    /// <param name="timeZone">An IANA or Windows time zone id; UTC when null.</param>
    /// <param name="missedRuns">The missed-run policy.</param>
    public PeriodicSchedule(string cron, string? timeZone = null, MissedRunPolicy missedRuns = MissedRunPolicy.Skip)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cron);
        Cron = cron;
        TimeZoneId = string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone;
        MissedRuns = missedRuns;
    }

    /// <summary>Creates a periodic schedule from a schedule made in code (a <see cref="Crontab"/> or a <see cref="CronSchedule"/>).</summary>
    public PeriodicSchedule(ISchedule schedule, MissedRunPolicy missedRuns = MissedRunPolicy.Skip)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        this.schedule = schedule;
        Cron = schedule.Expression;
        TimeZoneId = schedule.TimeZone == TimeZoneInfo.Utc ? "UTC" : schedule.TimeZone.Id;
        MissedRuns = missedRuns;
    }

    /// <summary>The schedule's text: the cron expression, or a <see cref="Crontab"/>'s fields.</summary>
    public string Cron { get; }

    /// <summary>The time zone id the schedule is read in (<c>UTC</c> by default).</summary>
    public string TimeZoneId { get; }

    /// <summary>The missed-run policy.</summary>
    public MissedRunPolicy MissedRuns { get; }

    /// <summary>The schedule itself.</summary>
    /// <exception cref="FormatException">The expression or time zone is not valid on this machine.</exception>
    public ISchedule Schedule => schedule ??= CronSchedule.Parse(Cron, TimeZoneId);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) => Schedule.GetNextOccurrence(after);

    /// <inheritdoc />
    public override string ToString() => TimeZoneId == "UTC" ? Cron : $"{Cron} ({TimeZoneId})";
}
