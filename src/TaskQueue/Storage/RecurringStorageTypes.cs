namespace TaskQueue.Storage;

/// <summary>One stored recurring-task record as the storage sees it.</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Label">Its label, unique within the application.</param>
/// <param name="Body">The record, encoded by the runtime (opaque to the storage).</param>
/// <param name="NextRun">When it is next due, or null when it is not in the due index.</param>
/// <param name="Version">Counts writes to the record: 1 after it is created, one more after each write.</param>
/// <param name="Running">Whether a worker is running one of its runs now (<see cref="IRecurringTaskStorage.BeginRecurringRunAsync"/>).</param>
/// <param name="Busy">Whether the lock <c>recurring:&lt;Id&gt;</c> is held: a run that must not overlap is queued or running.</param>
public sealed record RecurringEntry(string Id, string Label, byte[] Body, DateTimeOffset? NextRun, long Version, bool Running, bool Busy);

/// <summary>A write of a recurring-task record (<see cref="IRecurringTaskStorage.PutRecurringAsync"/>).</summary>
/// <param name="Id">The record's id.</param>
/// <param name="Label">Its label. Labels are unique: a label held by another record is refused unless <paramref name="ReplaceLabel"/> is set, which deletes that other record.</param>
/// <param name="Body">The encoded record.</param>
/// <param name="NextRun">When it is next due; null keeps it out of the due index.</param>
/// <param name="ExpectedVersion">Null: the record must not exist yet. Otherwise the stored version must equal it.</param>
/// <param name="ReplaceLabel">Whether to delete another record that holds <paramref name="Label"/>.</param>
public sealed record RecurringWrite(string Id, string Label, byte[] Body, DateTimeOffset? NextRun, long? ExpectedVersion, bool ReplaceLabel = false);

/// <summary>What a record write did.</summary>
public enum RecurringWriteStatus
{
    /// <summary>Written; <see cref="RecurringWriteResult.Version"/> is the new version.</summary>
    Written,
    /// <summary>Nothing written: the stored version is not the expected one (or the record exists, or does not, contrary to the expectation).</summary>
    VersionConflict,
    /// <summary>Nothing written: another record holds the label (<see cref="RecurringWriteResult.ConflictingId"/>).</summary>
    LabelTaken,
}

/// <summary>The outcome of <see cref="IRecurringTaskStorage.PutRecurringAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Version">The version now stored (0 when there is no record).</param>
/// <param name="ConflictingId">For <see cref="RecurringWriteStatus.LabelTaken"/>: the id of the record that holds the label.</param>
public readonly record struct RecurringWriteResult(RecurringWriteStatus Status, long Version, string? ConflictingId = null);

/// <summary>Records that are due (<see cref="IRecurringTaskStorage.DueRecurringAsync"/>).</summary>
/// <param name="Entries">Due records, soonest first.</param>
/// <param name="Now">The storage's clock when it looked.</param>
/// <param name="NextDue">The next run of the soonest record not yet due, or null.</param>
public sealed record RecurringDue(IReadOnlyList<RecurringEntry> Entries, DateTimeOffset Now, DateTimeOffset? NextDue);

/// <summary>One run of a recurring task (<see cref="IRecurringTaskStorage.FireRecurringAsync"/>).</summary>
/// <param name="Id">The record's id.</param>
/// <param name="ExpectedVersion">The version the runtime read; the fire happens only if it is still stored.</param>
/// <param name="Body">The record after this run (last run, run count).</param>
/// <param name="NextRun">Its next run, or null when it has ended.</param>
/// <param name="Queue">The queue the run's message goes to.</param>
/// <param name="Message">The run's encoded task message.</param>
/// <param name="LockOwner">When set (no overlap): the lock <c>recurring:&lt;Id&gt;</c> must be free, and is taken by this owner (the run's task id) for <paramref name="LockTtl"/>.</param>
/// <param name="LockTtl">How long the lock lasts unless renewed.</param>
/// <param name="Priority">The run's priority in its queue (see <see cref="ITaskDeliveryStorage.EnqueueAsync"/>).</param>
public sealed record RecurringFire(string Id, long ExpectedVersion, byte[] Body, DateTimeOffset? NextRun, string Queue, ReadOnlyMemory<byte> Message, string? LockOwner = null,
    TimeSpan LockTtl = default, int Priority = 0);

/// <summary>What <see cref="IRecurringTaskStorage.FireRecurringAsync"/> did.</summary>
public enum RecurringFireStatus
{
    /// <summary>The message was queued and the record updated (with the version one higher).</summary>
    Fired,
    /// <summary>Nothing written: the record changed since it was read (another consumer fired it, or it was edited).</summary>
    VersionConflict,
    /// <summary>Nothing written: the record's lock is held by a run still queued or running.</summary>
    Busy,
    /// <summary>Nothing written: the record no longer exists.</summary>
    Missing,
}
