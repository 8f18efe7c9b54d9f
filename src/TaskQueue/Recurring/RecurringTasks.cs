using System.ComponentModel;
using System.Text.Json.Nodes;
using TaskQueue.Scheduling;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>
/// An application's recurring tasks (sisy's API): made by the stubs' <c>Recurring</c>,
/// <c>RunIterations</c> and <c>RunOnce</c>, listed, found, changed, enabled, disabled and deleted
/// here, and run by every consumer. Reach it as <see cref="TaskApp.Recurring"/>.
/// </summary>
public sealed class RecurringTasks
{
    /// <summary>The schedule <c>RunIterations</c> uses when given none: every second (sisy's default).</summary>
    public const string EverySecond = "* * * * * *";

    private const int SaveAttempts = 20;
    private readonly TaskApp app;
    private string defaultSchedule = "* * * * *";

    internal RecurringTasks(TaskApp app) => this.app = app;

    /// <summary>The storage lock a run of record <paramref name="id"/> holds when it must not overlap.</summary>
    public static string LockName(string id) => "recurring:" + id;

    /// <summary>
    /// The schedule of a record made without one (sisy's <c>SISY_DEFAULT_SCHEDULE</c>): every minute,
    /// <c>* * * * *</c>, unless set.
    /// </summary>
    /// <exception cref="ArgumentException">Not a valid cron expression.</exception>
    public string DefaultSchedule
    {
        get => defaultSchedule;
        set
        {
            if (!CronSchedule.TryParse(value ?? "", null, out var parsed, out var error)) throw new ArgumentException(error, nameof(DefaultSchedule));
            defaultSchedule = parsed!.Expression;
        }
    }

    /// <summary>
    /// Makes an unsaved record that runs <paramref name="task"/> with <paramref name="arguments"/>.
    /// Generated stubs call this (<c>CountBeans.Recurring(1000, schedule: ...)</c>).
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="arguments">Its encoded arguments.</param>
    /// <param name="schedule">Cron schedule (5 or 6 fields); <see cref="DefaultSchedule"/> when null.</param>
    /// <param name="label">Unique label; the task's name when null.</param>
    /// <param name="timeZone">Time zone id for the schedule; UTC when null.</param>
    /// <param name="userdata">JSON data the runs can read; empty when null.</param>
    /// <param name="enabled">Whether it runs.</param>
    /// <param name="startRunning">When it is first eligible to run.</param>
    /// <param name="endRunning">When it stops being eligible to run.</param>
    /// <param name="waitForSchedule">Whether the first run waits for the schedule.</param>
    /// <param name="iterations">Number of runs; 0 for forever.</param>
    /// <param name="allowOverlap">Whether a run may start while another is queued or running.</param>
    /// <exception cref="ArgumentException">The schedule, time zone, label or iterations are not valid; the message says why.</exception>
    /// <exception cref="TaskMessageTooLargeException">The arguments alone are larger than <see cref="TaskApp.MaxMessageSize"/>.</exception>
[EditorBrowsable(EditorBrowsableState.Never)]
    public RecurringTask Create(TaskDescriptor task, ReadOnlyMemory<byte> arguments, string? schedule = null, string? label = null, string? timeZone = null,
        JsonObject? userdata = null, bool enabled = true, DateTimeOffset? startRunning = null, DateTimeOffset? endRunning = null,
        bool waitForSchedule = true, int iterations = 0, bool allowOverlap = true)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations cannot be negative (0 runs forever)");
        if (startRunning is { } s && endRunning is { } e && e < s) throw new ArgumentException($"endRunning ({e:O}) is before startRunning ({s:O})", nameof(endRunning));
        if (arguments.Length > app.MaxMessageSize) throw new TaskMessageTooLargeException(task.Name, arguments.Length, app.MaxMessageSize);
        RecurringTask record;
        try
        {
            record = new RecurringTask(this, TaskId.New(), task.Name, arguments.ToArray(), label ?? task.Name, schedule ?? DefaultSchedule, timeZone);
        }
        catch (ArgumentException e2)
        {
            // Name the stub's parameter rather than the property.
            string param = e2.ParamName switch { nameof(RecurringTask.Schedule) => nameof(schedule), nameof(RecurringTask.TimeZone) => nameof(timeZone), _ => nameof(label) };
            throw new ArgumentException(e2.Message.Split(" (Parameter")[0], param, e2);
        }
        record.Enabled = enabled;
        record.StartRunning = startRunning;
        record.EndRunning = endRunning;
        record.WaitForSchedule = waitForSchedule;
        record.Iterations = iterations;
        record.AllowOverlap = allowOverlap;
        record.UserData = userdata ?? [];
        return record;
    }

    /// <summary>
    /// Makes and saves a record that runs <paramref name="task"/> <paramref name="iterations"/> times
    /// on <paramref name="schedule"/> (sisy's <c>run_iterations</c>). Each call makes a new record;
    /// its label defaults to the task name followed by <c>#</c> and the start of its id.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="arguments">Its encoded arguments.</param>
    /// <param name="iterations">Number of runs (at least 1).</param>
    /// <param name="label">Unique label.</param>
    /// <param name="schedule">Cron schedule; every second by default.</param>
    /// <param name="userdata">JSON data the runs can read.</param>
    /// <param name="runImmediately">Run the first iteration at once rather than at the first occurrence.</param>
    /// <param name="delayUntil">Not before this time (sets <see cref="RecurringTask.StartRunning"/>).</param>
    /// <param name="cancellationToken">Cancels the save.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
    public async Task<RecurringTask> RunIterationsAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, int iterations = 1, string? label = null,
        string schedule = EverySecond, JsonObject? userdata = null, bool runImmediately = false, DateTimeOffset? delayUntil = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var record = Create(task, arguments, schedule, label, null, userdata, true, delayUntil, null, !runImmediately, iterations, true);
        if (label is null) record.Label = $"{task.Name}#{record.Id[..8]}";
        await SaveAsync(record, false, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc cref="RunIterationsAsync"/>
[EditorBrowsable(EditorBrowsableState.Never)]
    public RecurringTask RunIterations(TaskDescriptor task, ReadOnlyMemory<byte> arguments, int iterations = 1, string? label = null,
        string schedule = EverySecond, JsonObject? userdata = null, bool runImmediately = false, DateTimeOffset? delayUntil = null)
        => Sync.Wait(new ValueTask<RecurringTask>(RunIterationsAsync(task, arguments, iterations, label, schedule, userdata, runImmediately, delayUntil)));

    /// <summary>
    /// Makes and saves a record that runs <paramref name="task"/> once, as soon as a consumer sees it
    /// or at <paramref name="delayUntil"/> (sisy's <c>run_once</c>). Its label is the task name followed
    /// by <c>#</c> and the start of its id.
    /// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
    public async Task<RecurringTask> RunOnceAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, JsonObject? userdata = null, DateTimeOffset? delayUntil = null,
        CancellationToken cancellationToken = default)
        => await RunIterationsAsync(task, arguments, 1, null, EverySecond, userdata, runImmediately: true, delayUntil, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="RunOnceAsync"/>
[EditorBrowsable(EditorBrowsableState.Never)]
    public RecurringTask RunOnce(TaskDescriptor task, ReadOnlyMemory<byte> arguments, JsonObject? userdata = null, DateTimeOffset? delayUntil = null)
        => Sync.Wait(new ValueTask<RecurringTask>(RunOnceAsync(task, arguments, userdata, delayUntil)));

    /// <summary>Up to <paramref name="limit"/> records, ordered by label.</summary>
    public async Task<IReadOnlyList<RecurringTask>> ListAsync(int limit = 1000, CancellationToken cancellationToken = default)
    {
        var entries = await app.CallStorageAsync("list the recurring tasks", null, limit, static (storage, n, ct) => storage.ListRecurringAsync(n, ct), cancellationToken)
            .ConfigureAwait(false);
        return entries.Select(Load).ToList();
    }

    /// <summary>The record with id <paramref name="id"/>, or null.</summary>
    public async Task<RecurringTask?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var entry = await ReadAsync(id, cancellationToken).ConfigureAwait(false);
        return entry is null ? null : Load(entry);
    }

    private ValueTask<RecurringEntry?> ReadAsync(string id, CancellationToken cancellationToken)
        => app.CallStorageAsync("read recurring task", id, id, static (storage, i, ct) => storage.GetRecurringAsync(i, ct), cancellationToken);

    /// <summary>The record labelled <paramref name="label"/>, or null.</summary>
    public async Task<RecurringTask?> FindAsync(string label, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var entry = await app.CallStorageAsync("find recurring task", label, label, static (storage, l, ct) => storage.FindRecurringAsync(l, ct), cancellationToken)
            .ConfigureAwait(false);
        return entry is null ? null : Load(entry);
    }

    /// <summary>
    /// Changes the record <paramref name="id"/>: reads it, applies <paramref name="change"/> (for
    /// example a new schedule or window) and saves it, retrying when a consumer wrote it meanwhile.
    /// Returns the saved record, or null when there is none.
    /// </summary>
    public async Task<RecurringTask?> ChangeAsync(string id, Action<RecurringTask> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var record = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null) return null;
        change(record);
        await SaveAsync(record, false, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Enables the record <paramref name="id"/>; false when there is none.</summary>
    public async Task<bool> EnableAsync(string id, CancellationToken cancellationToken = default)
        => await ChangeAsync(id, r => r.Enabled = true, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Disables the record <paramref name="id"/>; false when there is none.</summary>
    public async Task<bool> DisableAsync(string id, CancellationToken cancellationToken = default)
        => await ChangeAsync(id, r => r.Enabled = false, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Deletes the record <paramref name="id"/>; says whether it existed.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return await app.CallStorageAsync("delete recurring task", id, id, static (storage, i, ct) => storage.DeleteRecurringAsync(i, ct), cancellationToken)
            .ConfigureAwait(false);
    }

    internal async Task SaveAsync(RecurringTask record, bool replaceExisting, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < SaveAttempts; attempt++)
        {
            var now = await app.StorageTimeAsync(cancellationToken).ConfigureAwait(false);
            RecurringEntry? stored = null;
            if (record.IsSaved)
            {
                // Keep what consumers wrote (last run, run count) and lay the caller's fields over it.
                stored = await ReadAsync(record.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"recurring task '{record.Label}' ({record.Id}) was deleted; make a new one");
                var state = RecurringCodec.Decode(stored.Body);
                record.LastRun = state.LastRun;
                record.RunCount = state.RunCount;
                record.CreatedAt = state.CreatedAt;
            }
            else
            {
                record.CreatedAt = now;
            }
            record.ModifiedAt = now;
            var next = RecurringMath.FirstRun(record, now);
            var write = new RecurringWrite(record.Id, record.Label, RecurringCodec.Encode(record), next, stored?.Version, replaceExisting);
            var result = await app.CallStorageAsync("save recurring task", record.Label, write, static (storage, w, ct) => storage.PutRecurringAsync(w, ct), cancellationToken)
                .ConfigureAwait(false);
            if (result.Status == RecurringWriteStatus.VersionConflict && !record.IsSaved
                && await ReadAsync(record.Id, cancellationToken).ConfigureAwait(false) is { } mine && mine.Body.AsSpan().SequenceEqual(write.Body))
            {
                // The first try of this call created the record, and its reply was lost: done.
                result = new RecurringWriteResult(RecurringWriteStatus.Written, mine.Version);
            }
            switch (result.Status)
            {
                case RecurringWriteStatus.Written:
                    record.Version = result.Version;
                    record.NextRun = next;
                    record.Running = stored?.Running ?? false;
                    record.Busy = stored?.Busy ?? false;
                    return;
                case RecurringWriteStatus.LabelTaken:
                    if (!record.IsSaved) record.CreatedAt = null;
                    throw new InvalidOperationException(
                        $"a recurring task labelled '{record.Label}' exists already (id {result.ConflictingId}); pick another label, change that record, or save with replaceExisting: true");
                default:
                    if (!record.IsSaved)
                    {
                        record.CreatedAt = null;
                        throw new InvalidOperationException($"a recurring task with id {record.Id} exists already");
                    }
                    continue; // a consumer fired it meanwhile: read again
            }
        }
        throw new InvalidOperationException($"recurring task '{record.Label}' kept changing while it was saved; try again");
    }

    internal async Task ReloadAsync(RecurringTask record, CancellationToken cancellationToken)
    {
        var entry = await ReadAsync(record.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"recurring task '{record.Label}' ({record.Id}) is not in storage");
        RecurringCodec.Apply(entry, record);
    }

    internal RecurringTask Load(RecurringEntry entry) => RecurringCodec.Load(this, entry);
}
