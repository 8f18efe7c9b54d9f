namespace TaskQueue.Storage;

/// <summary>
/// Where one application's tasks live: queues, the schedule, in-flight records, results,
/// revocations and dead letters. Messages are opaque bytes here; the storage knows nothing of
/// tasks, arguments or the registry. Every backend runs the same contract test suite.
/// </summary>
/// <remarks>
/// Delivery is at least once: <see cref="ITaskDeliveryStorage.TakeAsync"/> records what it hands out against the consumer
/// id until <see cref="ITaskDeliveryStorage.CompleteAsync"/> settles it; <see cref="ITaskDeliveryStorage.ReapAsync"/> hands back the records
/// of consumers whose heartbeat (<see cref="ITaskDeliveryStorage.HeartbeatAsync"/>) expired. Time that decides what is
/// due is the storage's own clock (<see cref="ITaskDeliveryStorage.GetTimeAsync"/>), not the caller's. The
/// members are grouped by role in the interfaces this one joins, one per concern.
/// </remarks>
public interface ITaskStorage : ITaskDeliveryStorage, ITaskFlowStorage, ITaskScheduleStorage, ITaskResultStorage, ITaskRevocationStorage,
    ITaskCancellationStorage, ITaskDeadLetterStorage, IRecurringTaskStorage, ITaskInspectionStorage, ITaskMonitoringStorage, ITaskLimitStorage,
    IAsyncDisposable
{
    /// <summary>
    /// Whether <paramref name="error"/>, thrown by a call of this storage, is a passing failure of the
    /// storage (unreachable, timed out, failing over, loading) after which the same call may succeed.
    /// Client calls of <see cref="TaskApp"/> retry such failures for <see cref="TaskApp.StorageRetryTime"/>;
    /// any other error is thrown at once. By default only a <see cref="TimeoutException"/> is.
    /// </summary>
    /// <remarks>
    /// A call retried after such a failure must be safe to repeat: the calls that store messages take
    /// a <see cref="SendId"/> for that, and every other client call either writes the same state again
    /// or only reads.
    /// </remarks>
    bool IsTransientFailure(Exception error) => error is TimeoutException;
}

/// <summary>Queues and delivery: enqueue, take, settle, heartbeats, hand-backs of silent consumers, and the clock that decides what is due. Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskDeliveryStorage
{
    /// <summary>The storage's clock: what decides when a scheduled message is due.</summary>
    ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a message to the tail of <paramref name="queue"/> among the messages of its
    /// <paramref name="priority"/>; a second call with the same <paramref name="send"/> (not
    /// <see cref="SendId.None"/>) stores nothing (see <see cref="SendId"/>).
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="message">The message's bytes.</param>
    /// <param name="send">Makes a retried call store nothing twice; <see cref="SendId.None"/> for none.</param>
    /// <param name="priority">
    /// Takes serve a queue's higher priorities first; messages of equal priority keep their order
    /// (first in, first out). A retry, a hand-back or a release keeps the message's priority. 0 by default.
    /// </param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask EnqueueAsync(string queue, ReadOnlyMemory<byte> message, SendId send = default, int priority = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends messages to the tail of <paramref name="queue"/> among those of <paramref name="priority"/>,
    /// in order, in one atomic step; a second call with the same <paramref name="send"/> (not
    /// <see cref="SendId.None"/>) stores nothing (see <see cref="SendId"/>).
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="messages">The messages' bytes, in order.</param>
    /// <param name="send">Makes a retried call store nothing twice; <see cref="SendId.None"/> for none.</param>
    /// <param name="priority">The messages' priority (see <see cref="EnqueueAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask EnqueueManyAsync(string queue, IReadOnlyList<ReadOnlyMemory<byte>> messages, SendId send = default, int priority = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes up to <paramref name="max"/> messages from the head of the first non-empty queue of
    /// <paramref name="queues"/> (in the order given; within a queue, its highest priority first) and records them as in flight for
    /// <paramref name="consumerId"/>. When every queue is empty it waits up to <paramref name="wait"/>
    /// for a message and returns an empty batch if none came.
    /// </summary>
    ValueTask<TakenBatch> TakeAsync(IReadOnlyList<string> queues, string consumerId, int max, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles taken messages in one atomic step each (and one round trip for the batch): stores a
    /// result with the ack, re-schedules a retry, sends to dead letters, hands back, or just acks.
    /// Idempotent: for a message no longer recorded in flight (settled by an earlier call whose reply
    /// was lost, or handed back by a reaper) a result is stored all the same, and nothing else happens.
    /// </summary>
    ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default);

    /// <summary>
    /// The in-flight records of <paramref name="consumerId"/>: a consumer compares them with what its
    /// workers hold and releases the rest (a take whose reply never arrived).
    /// </summary>
    ValueTask<IReadOnlyList<InFlightMessage>> InFlightAsync(string consumerId, CancellationToken cancellationToken = default);

    /// <summary>Marks <paramref name="consumerId"/> alive for <paramref name="ttl"/>.</summary>
    ValueTask HeartbeatAsync(string consumerId, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes a consumer's heartbeat on a clean stop.</summary>
    ValueTask RemoveHeartbeatAsync(string consumerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands back to their queues the in-flight messages of consumers whose heartbeat has expired,
    /// counting one more delivery on each; a message already handed back
    /// <paramref name="maxRedeliveries"/> times goes to dead letters instead. Also drops revocation
    /// records past their end or expiry.
    /// </summary>
    ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default);
}

/// <summary>Scheduled messages, periodic occurrences and the locks of runs that must not overlap. Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskScheduleStorage
{
    /// <summary>
    /// Adds a message to the schedule, due at <paramref name="eta"/>, for <paramref name="queue"/>; a
    /// second call with the same <paramref name="send"/> (not <see cref="SendId.None"/>) stores nothing (see <see cref="SendId"/>).
    /// </summary>
    /// <param name="queue">The queue the message goes to when it is due.</param>
    /// <param name="message">The message's bytes.</param>
    /// <param name="eta">When it is due.</param>
    /// <param name="send">Makes a retried call store nothing twice; <see cref="SendId.None"/> for none.</param>
    /// <param name="priority">Its priority in the queue when due (see <see cref="ITaskDeliveryStorage.EnqueueAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask ScheduleAsync(string queue, ReadOnlyMemory<byte> message, DateTimeOffset eta, SendId send = default, int priority = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves up to <paramref name="limit"/> due messages (eta at or before the storage's clock) from
    /// the schedule to the tail of their queues, atomically, and says when the next one is due.
    /// </summary>
    ValueTask<PromoteResult> PromoteDueAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fires one occurrence of a periodic task, once however many consumers try: atomically, when
    /// the last occurrence recorded for <paramref name="name"/> is earlier than <paramref name="due"/>
    /// (or none is recorded), records <paramref name="mark"/> (which is at or after <paramref name="due"/>)
    /// as the last occurrence and appends <paramref name="message"/> to the tail of
    /// <paramref name="queue"/>, and returns true; otherwise writes nothing and returns false. A task
    /// paused by <see cref="ITaskMonitoringStorage.SetPeriodicPausedAsync"/> has the occurrence recorded
    /// and nothing appended (false), so that resuming it does not catch up what was skipped.
    /// </summary>
    /// <remarks>
    /// A plain tick passes the same instant as both; a catch-up passes the first missed occurrence as
    /// <paramref name="due"/> and the latest one as <paramref name="mark"/>, so that consumers racing
    /// to catch up fire one run between them. The record is one small value per periodic task.
    /// </remarks>
    ValueTask<bool> FirePeriodicAsync(string name, DateTimeOffset due, DateTimeOffset mark, string queue, ReadOnlyMemory<byte> message, int priority = 0,
        CancellationToken cancellationToken = default);

    /// <summary>The last occurrence fired for the periodic task <paramref name="name"/>, or null.</summary>
    ValueTask<DateTimeOffset?> GetPeriodicLastFiredAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the lock <paramref name="name"/> for <paramref name="owner"/> for <paramref name="ttl"/>
    /// when it is free or already held by the same owner (which extends it); false when another owner
    /// holds it. A lock whose time ran out is free.
    /// </summary>
    ValueTask<bool> AcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands the lock <paramref name="name"/> from <paramref name="from"/> to <paramref name="to"/> for
    /// <paramref name="ttl"/>, in one atomic step: taken when it is free, held by <paramref name="from"/>,
    /// or already held by <paramref name="to"/> (which extends it); false when anyone else holds it.
    /// </summary>
    /// <remarks>
    /// A run that must not overlap finds its record's lock held by its message id (from when it was
    /// queued) and takes it over for its own delivery, so that a redelivered copy of the same message,
    /// which has another delivery, cannot take it while the first copy still runs.
    /// </remarks>
    ValueTask<bool> TakeOverLockAsync(string name, string from, string to, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Frees the lock <paramref name="name"/> if <paramref name="owner"/> holds it; says whether it did.</summary>
    ValueTask<bool> ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken = default);

    /// <summary>Who holds the lock <paramref name="name"/>, or null when it is free.</summary>
    ValueTask<string?> GetLockOwnerAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>Results of task runs. Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskResultStorage
{
    /// <summary>Stores a task's result, replacing any earlier one; it expires after <paramref name="ttl"/> when given.</summary>
    ValueTask PutResultAsync(string taskId, ReadOnlyMemory<byte> value, TimeSpan? ttl, CancellationToken cancellationToken = default);

    /// <summary>Reads a task's result, deleting it unless <paramref name="preserve"/>; null when there is none.</summary>
    ValueTask<byte[]?> ReadResultAsync(string taskId, bool preserve, CancellationToken cancellationToken = default);
}

/// <summary>Revocations of task instances (by id) and of tasks as a whole (by name). Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskRevocationStorage
{
    /// <summary>Records that <paramref name="target"/> (a task id or a task name) is revoked, replacing any earlier record.</summary>
    ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken = default);

    /// <summary>Removes the revocation of <paramref name="target"/>; says whether there was one.</summary>
    ValueTask<bool> RestoreAsync(string target, CancellationToken cancellationToken = default);

    /// <summary>
    /// The revocation recorded for <paramref name="target"/> as recorded, or null: also one whose end
    /// the storage's clock has passed, which no longer applies but did before its end (the caller
    /// decides with <see cref="Revocation.AppliesAt"/>). Taking a run or restoring removes such records.
    /// </summary>
    ValueTask<Revocation?> GetRevocationAsync(string target, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides whether a run is skipped: true when any of <paramref name="targets"/> is revoked at the
    /// storage's clock. A revoke-once record that caused the skip is removed in the same atomic step,
    /// so exactly one run is skipped however many consumers race.
    /// </summary>
    ValueTask<bool> ConsumeRevocationAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken = default);

    /// <summary>
    /// The targets that have a revocation record and their version, or only the version when there
    /// are more than <paramref name="limit"/>. Records past their end or expiry are dropped on the
    /// storage's own schedule (by <see cref="ITaskDeliveryStorage.ReapAsync"/> at the latest).
    /// </summary>
    ValueTask<RevocationSet> ReadRevocationsAsync(int limit, CancellationToken cancellationToken = default);
}

/// <summary>Dead letters: messages that cannot run, with the reason. Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskDeadLetterStorage
{
    /// <summary>Adds a message to dead letters directly (for example one that could not be enqueued).</summary>
    ValueTask DeadLetterAsync(string queue, ReadOnlyMemory<byte> message, string reason, CancellationToken cancellationToken = default);

    /// <summary>Dead letters, newest first.</summary>
    ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the oldest dead letters beyond <paramref name="maxCount"/>, and those older than
    /// <paramref name="maxAge"/> by the storage's clock; returns how many went. Consumers call it with
    /// their heartbeat.
    /// </summary>
    ValueTask<int> TrimDeadLettersAsync(int maxCount, TimeSpan maxAge, CancellationToken cancellationToken = default);

    /// <summary>Puts a dead letter back at the tail of its queue with a fresh delivery count; says whether it existed.</summary>
    ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a dead letter; says whether it existed.</summary>
    ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default);
}

/// <summary>Recurring-task records (sisy-style schedules created at run time). Part of <see cref="ITaskStorage"/>.</summary>
public interface IRecurringTaskStorage
{
    /// <summary>
    /// Creates or replaces a recurring-task record, keeping its label index and its place in the
    /// due index (<see cref="RecurringWrite.NextRun"/>; none when null) in step. See
    /// <see cref="RecurringWrite"/> for the version check and label rules.
    /// </summary>
    ValueTask<RecurringWriteResult> PutRecurringAsync(RecurringWrite write, CancellationToken cancellationToken = default);

    /// <summary>The record with id <paramref name="id"/>, or null.</summary>
    ValueTask<RecurringEntry?> GetRecurringAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The record labelled <paramref name="label"/> (labels are unique), or null.</summary>
    ValueTask<RecurringEntry?> FindRecurringAsync(string label, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> records, ordered by label (ordinal).</summary>
    ValueTask<IReadOnlyList<RecurringEntry>> ListRecurringAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes a record with its label and due entries; says whether it existed. Its lock, if held, is left to expire or be released.</summary>
    ValueTask<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that a worker is running <paramref name="run"/> (a delivery of a message) of the
    /// record <paramref name="id"/>, for <paramref name="ttl"/>; a call for a run already recorded
    /// renews it. <see cref="RecurringEntry.Running"/> is true while any run of the record is recorded.
    /// </summary>
    ValueTask BeginRecurringRunAsync(string id, string run, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes what <see cref="BeginRecurringRunAsync"/> recorded for <paramref name="run"/>.</summary>
    ValueTask EndRecurringRunAsync(string id, string run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> records whose next run is at or before the storage's clock,
    /// soonest first, with the clock and the next run of the soonest record not yet due.
    /// </summary>
    ValueTask<RecurringDue> DueRecurringAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fires one run of a recurring task in one atomic step: checks the version, checks and takes the
    /// record's lock when <see cref="RecurringFire.LockOwner"/> is set, appends the message to its
    /// queue and writes the updated record. See <see cref="RecurringFireStatus"/> for what stops it.
    /// </summary>
    ValueTask<RecurringFireStatus> FireRecurringAsync(RecurringFire fire, CancellationToken cancellationToken = default);
}

/// <summary>What is queued, scheduled, stored and in flight, for dashboards and tools; and wiping it all. Part of <see cref="ITaskStorage"/>.</summary>
public interface ITaskInspectionStorage
{
    /// <summary>Messages waiting in <paramref name="queue"/>, head first.</summary>
    ValueTask<IReadOnlyList<byte[]>> PendingAsync(string queue, int limit, CancellationToken cancellationToken = default);

    /// <summary>Number of messages waiting in <paramref name="queue"/>.</summary>
    ValueTask<long> QueueLengthAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>Messages in the schedule, soonest first.</summary>
    ValueTask<IReadOnlyList<ScheduledMessage>> ScheduledAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Stored results (task id and encoded result), in no particular order.</summary>
    ValueTask<IReadOnlyList<KeyValuePair<string, byte[]>>> ResultsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Number of messages currently in flight across all consumers.</summary>
    ValueTask<long> InFlightCountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// How many messages wait in each of <paramref name="queues"/>, in the schedule, in flight and in
    /// dead letters, read together (for gauges, health checks and dashboards).
    /// </summary>
    ValueTask<StorageCounts> CountAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything this application stored. For tests and tooling.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// What operators see: consumers' descriptions of themselves, counters of what happened, and the
/// pause switch of periodic tasks. Part of <see cref="ITaskStorage"/>.
/// </summary>
public interface ITaskMonitoringStorage
{
    /// <summary>
    /// Stores the description of consumer <paramref name="consumerId"/> (encoded by the runtime,
    /// opaque here), replacing the last one, until <paramref name="ttl"/> passes without another call.
    /// </summary>
    ValueTask PutConsumerAsync(string consumerId, ReadOnlyMemory<byte> description, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes a consumer's description (a clean stop).</summary>
    ValueTask RemoveConsumerAsync(string consumerId, CancellationToken cancellationToken = default);

    /// <summary>The descriptions of consumers whose time to live has not run out, by id.</summary>
    ValueTask<IReadOnlyList<ConsumerEntry>> ListConsumersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="counts"/> to the counters of the minute and of the hour that are current
    /// by the storage's clock. Counters are kept for at least 2 hours (minutes) and 25 hours (hours).
    /// </summary>
    ValueTask AddStatsAsync(IReadOnlyList<StatCount> counts, CancellationToken cancellationToken = default);

    /// <summary>
    /// The counters of the last <paramref name="minutes"/> minutes and <paramref name="hours"/> hours,
    /// the current ones included, with the storage's clock. Buckets without counts are left out.
    /// </summary>
    ValueTask<StatsWindow> ReadStatsAsync(int minutes, int hours, CancellationToken cancellationToken = default);

    /// <summary>Pauses or resumes the periodic task <paramref name="name"/> (see <see cref="ITaskScheduleStorage.FirePeriodicAsync"/>).</summary>
    ValueTask SetPeriodicPausedAsync(string name, bool paused, CancellationToken cancellationToken = default);

    /// <summary>The names of the paused periodic tasks.</summary>
    ValueTask<IReadOnlyCollection<string>> PausedPeriodicAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// What workflows need of storage: sends that happen once per key, and the results of a chord's members gathered
/// until the last one. Part of <see cref="ITaskStorage"/>.
/// </summary>
public interface ITaskFlowStorage
{
    /// <summary>
    /// Stores <paramref name="message"/> in <paramref name="queue"/> (or, with <paramref name="eta"/>, in its schedule)
    /// unless <paramref name="key"/> is held there, and holds the key with <paramref name="value"/> for <paramref name="keyTtl"/>;
    /// all in one atomic step. A pipeline's next step is sent with its id as key, so that a step run twice (its worker died
    /// after sending) sends it once; a deduplicated send holds its key with its task id until its run ends
    /// (<see cref="ReleaseUniqueAsync"/>), so that a second send learns which run it duplicates.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="message">The message's bytes.</param>
    /// <param name="key">The key, unique within the queue.</param>
    /// <param name="value">What the key holds while it is held (a task id, say): a send that finds the key held gets it back.</param>
    /// <param name="keyTtl">How long the key holds unless released.</param>
    /// <param name="eta">When the message is due; null for now.</param>
    /// <param name="priority">Its priority (see <see cref="ITaskDeliveryStorage.EnqueueAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    /// <returns>Whether the message was stored (false when the key was held), and the value the key holds now.</returns>
    ValueTask<UniqueSend> EnqueueUniqueAsync(string queue, ReadOnlyMemory<byte> message, string key, string value, TimeSpan keyTtl, DateTimeOffset? eta = null,
        int priority = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases <paramref name="key"/> of <paramref name="queue"/> (see <see cref="EnqueueUniqueAsync"/>), only while it
    /// holds <paramref name="value"/> when that is given (so that a run whose key expired and was taken by a later send
    /// leaves the later one's key alone); returns whether it released it.
    /// </summary>
    ValueTask<bool> ReleaseUniqueAsync(string queue, string key, string? value = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="result"/> as member <paramref name="index"/> of chord <paramref name="chordId"/> (replacing
    /// what an earlier run of the same member recorded) and, once all <paramref name="count"/> members have one, returns
    /// them all in member order; until then null. Every call after the last member's also returns them: a caller that
    /// died before acting on them is run again and acts then (its sends are made once by <see cref="EnqueueUniqueAsync"/>).
    /// </summary>
    /// <param name="chordId">The chord's id.</param>
    /// <param name="index">The member's index, 0 to <paramref name="count"/> - 1.</param>
    /// <param name="count">How many members the chord has.</param>
    /// <param name="result">What the member left: an encoded stored result (<see cref="Messages.ResultCodec"/>).</param>
    /// <param name="ttl">How long the chord's record is kept after this call.</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask<IReadOnlyList<byte[]>?> AddChordResultAsync(string chordId, int index, int count, ReadOnlyMemory<byte> result, TimeSpan ttl,
        CancellationToken cancellationToken = default);
}

/// <summary>
/// Limits shared by every process of the application: how many runs may start per period (a task's
/// <see cref="TaskAttribute.RateLimit"/>, <see cref="TaskApp.RateLimits"/>). Part of <see cref="ITaskStorage"/>.
/// </summary>
public interface ITaskLimitStorage
{
    /// <summary>
    /// Records a start under <paramref name="name"/> when fewer than <paramref name="count"/> were recorded in the last
    /// <paramref name="period"/> by the storage's clock (a sliding window), in one atomic step; otherwise records nothing
    /// and says how long until the next start is allowed.
    /// </summary>
    /// <param name="name">The limit's name: starts under different names do not count against each other.</param>
    /// <param name="count">How many starts the window allows, at least 1.</param>
    /// <param name="period">The window's length, at least 1 ms. The storage keeps each start for this long.</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask<RateLimitResult> TryStartAsync(string name, int count, TimeSpan period, CancellationToken cancellationToken = default);
}

/// <summary>
/// Requests to cancel runs of task instances by id (<see cref="TaskApp.CancelAsync"/>), which consumers ask about for
/// the runs they have going. Part of <see cref="ITaskStorage"/>.
/// </summary>
/// <remarks>
/// A consumer asks only while it runs tasks, once a <see cref="Consumer.ConsumerOptions.CancelPollInterval"/>, for the
/// ids it runs: one small read per busy consumer a second, nothing per message.
/// </remarks>
public interface ITaskCancellationStorage
{
    /// <summary>
    /// Records a request to cancel the run of task instance <paramref name="taskId"/>, kept for <paramref name="ttl"/> by
    /// the storage's clock; a second request for the same id replaces the first (and its time to live).
    /// </summary>
    /// <param name="taskId">The instance's id.</param>
    /// <param name="ttl">How long the request is kept: longer than the run can take to start and end.</param>
    /// <param name="cancellationToken">Cancels the wait for the call (the call itself may still happen).</param>
    ValueTask RequestCancelAsync(string taskId, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>
    /// The ids among <paramref name="taskIds"/> that have a cancel request whose time to live has not run out by the
    /// storage's clock, in no particular order; none when none has. Storages drop expired requests on their own schedule.
    /// </summary>
    ValueTask<IReadOnlyList<string>> ReadCancelRequestsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default);
}
