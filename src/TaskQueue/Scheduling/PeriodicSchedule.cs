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
/// The schedule of a periodic task: a cron expression in a time zone and a missed-run policy. The
/// expression is parsed on first use; the generator has already checked it at compile time.
/// </summary>
public sealed class PeriodicSchedule
{
    private CronSchedule? schedule;

    /// <summary>Creates a schedule. Called by generated code.</summary>
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

    /// <summary>The cron expression.</summary>
    public string Cron { get; }

    /// <summary>The time zone id the expression is read in (<c>UTC</c> by default).</summary>
    public string TimeZoneId { get; }

    /// <summary>The missed-run policy.</summary>
    public MissedRunPolicy MissedRuns { get; }

    /// <summary>The parsed schedule.</summary>
    /// <exception cref="FormatException">The expression or time zone is not valid on this machine.</exception>
    public CronSchedule Schedule => schedule ??= CronSchedule.Parse(Cron, TimeZoneId);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after) => Schedule.GetNextOccurrence(after);

    /// <inheritdoc />
    public override string ToString() => TimeZoneId == "UTC" ? Cron : $"{Cron} ({TimeZoneId})";
}
