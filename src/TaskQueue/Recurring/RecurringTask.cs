using System.Text.Json.Nodes;
using TaskQueue.Scheduling;

namespace TaskQueue;

/// <summary>
/// A recurring task created at run time and kept in storage (sisy's <c>Task</c> model): one task with
/// fixed arguments, a cron schedule in a time zone, an optional window, a number of iterations, and
/// whether runs may overlap. Make one with a stub's <c>Recurring(...)</c>, <c>RunIterations(...)</c>
/// or <c>RunOnce(...)</c>; a record made by <c>Recurring</c> is active once <see cref="SaveAsync"/>d.
/// </summary>
/// <remarks>
/// The public settable properties are the record's public fields; change them and call
/// <see cref="SaveAsync"/>. The others (<see cref="LastRun"/>, <see cref="NextRun"/>,
/// <see cref="Running"/>, <see cref="RunCount"/>, the timestamps) are kept by the consumers that
/// run the record and are refreshed by <see cref="SaveAsync"/> and <see cref="ReloadAsync"/>.
/// </remarks>
public sealed class RecurringTask
{
    private readonly RecurringTasks owner;
    private string label;
    private string schedule;
    private string timeZone;
    private int iterations;
    private JsonObject userData;

    internal RecurringTask(RecurringTasks owner, string id, string taskName, ReadOnlyMemory<byte> arguments, string label, string schedule, string? timeZone)
    {
        this.owner = owner;
        Id = id;
        TaskName = taskName;
        Arguments = arguments;
        this.label = CheckLabel(label);
        this.timeZone = CheckTimeZone(timeZone);
        this.schedule = CheckSchedule(schedule, this.timeZone);
        userData = [];
    }

    /// <summary>The record's id, fixed when it is made.</summary>
    public string Id { get; }

    /// <summary>The stable name of the task each run calls.</summary>
    public string TaskName { get; }

    /// <summary>The task's arguments, encoded; every run gets the same.</summary>
    public ReadOnlyMemory<byte> Arguments { get; }

    /// <summary>The record's label, unique within the application.</summary>
    /// <exception cref="ArgumentException">Set to null or empty.</exception>
    public string Label
    {
        get => label;
        set => label = CheckLabel(value);
    }

    /// <summary>The cron schedule: 5 fields (minute precision) or 6 with leading seconds.</summary>
    /// <exception cref="ArgumentException">The expression does not parse; the message says why.</exception>
    public string Schedule
    {
        get => schedule;
        set => schedule = CheckSchedule(value, timeZone);
    }

    /// <summary>The time zone <see cref="Schedule"/> is read in (an IANA id); <c>UTC</c> by default.</summary>
    /// <exception cref="ArgumentException">Not a known time zone.</exception>
    public string TimeZone
    {
        get => timeZone;
        set => timeZone = CheckTimeZone(value);
    }

    /// <summary>Whether the record runs at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When the record is first eligible to run; null for at once.</summary>
    public DateTimeOffset? StartRunning { get; set; }

    /// <summary>When the record stops being eligible to run; null for never.</summary>
    public DateTimeOffset? EndRunning { get; set; }

    /// <summary>Whether the first run waits for the schedule (true, the default) or happens as soon as the record is active.</summary>
    public bool WaitForSchedule { get; set; } = true;

    /// <summary>How many runs in all; 0 (the default) runs forever.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public int Iterations
    {
        get => iterations;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Iterations));
            iterations = value;
        }
    }

    /// <summary>
    /// Whether a run may start while an earlier one is still queued or running. When false the
    /// occurrence is skipped instead, across all consumers. Default true.
    /// </summary>
    public bool AllowOverlap { get; set; } = true;

    /// <summary>JSON-compatible data every run can read through <see cref="TaskContext.UserData"/>.</summary>
    public JsonObject UserData
    {
        get => userData;
        set => userData = value ?? [];
    }

    /// <summary>When the record was first saved; null before that.</summary>
    public DateTimeOffset? CreatedAt { get; internal set; }

    /// <summary>When the record was last saved by <see cref="SaveAsync"/>; null before that.</summary>
    public DateTimeOffset? ModifiedAt { get; internal set; }

    /// <summary>When the last run was queued; null when it has not run.</summary>
    public DateTimeOffset? LastRun { get; internal set; }

    /// <summary>When the next run is due; null when it will not run again (disabled, window over, iterations spent) or before it is saved.</summary>
    public DateTimeOffset? NextRun { get; internal set; }

    /// <summary>
    /// Whether a worker is running one of its runs now (sisy's <c>running</c>), for every record. A
    /// run counts from when a worker starts it until it ends; the run of a worker that dies stops counting
    /// when its record expires, within the consumer's visibility timeout (30 s by default).
    /// </summary>
    public bool Running { get; internal set; }

    /// <summary>
    /// Whether a run of a record with <see cref="AllowOverlap"/> false is queued or running now: while
    /// it is, the record's next occurrences are skipped. Always false for a record that allows overlap.
    /// </summary>
    public bool Busy { get; internal set; }

    /// <summary>How many runs have been queued.</summary>
    public int RunCount { get; internal set; }

    /// <summary>Whether the record is in storage.</summary>
    public bool IsSaved => Version > 0;

    /// <summary>Whether all its <see cref="Iterations"/> have run.</summary>
    public bool IsSpent => Iterations > 0 && RunCount >= Iterations;

    internal long Version { get; set; }

    /// <summary>
    /// Saves the record: creates it, or writes the changed public fields and recomputes
    /// <see cref="NextRun"/> from now. A new record whose label another record holds is refused
    /// unless <paramref name="replaceExisting"/> is set, which replaces that record (the way
    /// start-up code declares a recurring task without making a second one on every start).
    /// </summary>
    /// <exception cref="InvalidOperationException">The label is taken, or the record was deleted meanwhile.</exception>
    public Task SaveAsync(bool replaceExisting = false, CancellationToken cancellationToken = default)
        => owner.SaveAsync(this, replaceExisting, cancellationToken);

    /// <summary>Sets <see cref="Enabled"/> and saves.</summary>
    public Task EnableAsync(CancellationToken cancellationToken = default)
    {
        Enabled = true;
        return SaveAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Clears <see cref="Enabled"/> and saves: no more runs until enabled again.</summary>
    public Task DisableAsync(CancellationToken cancellationToken = default)
    {
        Enabled = false;
        return SaveAsync(cancellationToken: cancellationToken);
    }

    /// <summary>Deletes the record; says whether it existed. A run already queued still runs.</summary>
    public Task<bool> DeleteAsync(CancellationToken cancellationToken = default) => owner.DeleteAsync(Id, cancellationToken);

    /// <summary>Reads the record back from storage, replacing every field.</summary>
    /// <exception cref="InvalidOperationException">The record is not in storage.</exception>
    public Task ReloadAsync(CancellationToken cancellationToken = default) => owner.ReloadAsync(this, cancellationToken);

    /// <summary>The parsed schedule.</summary>
    public CronSchedule GetSchedule() => CronSchedule.Parse(schedule, timeZone);

    /// <inheritdoc />
    public override string ToString() => $"{Label} ({TaskName}, {Schedule}{(TimeZone == "UTC" ? "" : " " + TimeZone)})";

    internal void SetStoredFields(string storedLabel, string storedSchedule, string storedTimeZone, int storedIterations, JsonObject storedUserData)
    {
        // Stored values were checked when they were saved; a time zone missing on this machine must
        // still load so that the record can be listed, fixed or deleted.
        label = storedLabel;
        schedule = storedSchedule;
        timeZone = storedTimeZone;
        iterations = storedIterations;
        userData = storedUserData;
    }

    private static string CheckLabel(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("a recurring task needs a non-empty label", nameof(Label));
        return value;
    }

    private static string CheckTimeZone(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value is "UTC" or "Etc/UTC") return "UTC";
        try
        {
            CronSchedule.FindTimeZone(value);
            return value;
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, nameof(TimeZone), e);
        }
    }

    private static string CheckSchedule(string value, string zone)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("a recurring task needs a cron schedule", nameof(Schedule));
        try
        {
            return CronSchedule.Parse(value, zone).Expression;
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, nameof(Schedule), e);
        }
    }
}
