using TaskQueue.Scheduling;

namespace TaskQueue;

/// <summary>
/// Marks a static method as a periodic task: every consumer's ticker enqueues it at each occurrence
/// of <see cref="Cron"/>, once per occurrence however many consumers run. The method takes no payload
/// parameters (a <see cref="TaskContext"/> and a <see cref="CancellationToken"/> are allowed). The
/// generator checks the cron text and the time zone at compile time and emits a stub class, as for
/// <see cref="TaskAttribute"/>, which also shows the schedule (<c>Periodic</c>, <c>NextRun</c>).
/// </summary>
/// <example>
/// <code>
/// [PeriodicTask("0 3 * * *", TimeZone = "Europe/Berlin")]   // every day at 03:00 Berlin time
/// public static void Backup() { ... }
///
/// [PeriodicTask("*/10 * * * * *")]                          // 6 fields: every 10 seconds
/// public static void Poll() { ... }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PeriodicTaskAttribute : Attribute
{
    /// <summary>Marks a periodic task run on <paramref name="cron"/>.</summary>
    /// <param name="cron">
    /// A cron expression: 5 fields (<c>minute hour day month day-of-week</c>, minute precision) or 6
    /// with a leading seconds field (second precision), or a macro such as <c>@hourly</c>.
    /// </param>
    public PeriodicTaskAttribute(string cron) => Cron = cron;

    /// <summary>The cron expression.</summary>
    public string Cron { get; }

    /// <summary>The time zone the expression is read in, as an IANA id (for example <c>Europe/Berlin</c>). Defaults to UTC.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The task's stable identity in messages. Defaults to the namespace-qualified method name.</summary>
    public string? Name { get; set; }

    /// <summary>The queue the task's messages go to. Defaults to <c>default</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>How many times a failing run is retried. Defaults to 0.</summary>
    public int Retries { get; set; }

    /// <summary>Seconds to wait before each retry. Defaults to 0 (retry at once).</summary>
    public int RetryDelaySeconds { get; set; }

    /// <summary>
    /// The priority of the task's runs in their queue: workers take a queue's higher priorities first,
    /// and runs of equal priority in the order they were sent. Defaults to 0; negative values run
    /// after the default. 
    /// </summary>
    public int Priority { get; set; }

    /// <summary>
    /// What happens to occurrences that passed while no consumer ran. Defaults to
    /// <see cref="MissedRunPolicy.Skip"/>: they are not run.
    /// </summary>
    public MissedRunPolicy MissedRuns { get; set; } = MissedRunPolicy.Skip;
}
