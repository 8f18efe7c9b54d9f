namespace TaskQueue.Storage;

/// <summary>
/// Names one send (an enqueue, an enqueue of many, or a schedule) so that the same call made again
/// after a failure whose outcome is unknown (the reply was lost, the call timed out) stores its
/// messages once. <see cref="TaskApp"/> makes a new one per call and passes it to every retry of
/// that call.
/// </summary>
/// <param name="Producer">Who sends: unique among senders (each <see cref="TaskApp"/> makes a random one); null for no protection.</param>
/// <param name="Sequence">The sender's number for this call, from 1; unique per <paramref name="Producer"/>.</param>
/// <remarks>
/// A storage remembers a send for at least <see cref="RememberedFor"/>. A storage whose calls cannot
/// end with an unknown outcome (the in-memory one) may ignore it.
/// </remarks>
public readonly record struct SendId(string? Producer, long Sequence)
{
    /// <summary>How long a storage remembers that a send was stored: retries of it must end sooner.</summary>
    public static TimeSpan RememberedFor { get; } = TimeSpan.FromMinutes(10);

    /// <summary>A send without protection: a retry of it may store its messages again.</summary>
    public static SendId None => default;

    /// <summary>Whether this is <see cref="None"/>.</summary>
    public bool IsNone => Producer is null;
}

/// <summary>A message handed to a consumer; settle it with a <see cref="Completion"/>.</summary>
/// <param name="Queue">The queue it came from.</param>
/// <param name="Body">The encoded message.</param>
/// <param name="Receipt">The storage's handle on the in-flight record.</param>
/// <param name="Deliveries">How many times it was handed back after a consumer died (0 on the first delivery).</param>
public sealed record TakenMessage(string Queue, ReadOnlyMemory<byte> Body, string Receipt, int Deliveries);

/// <summary>An in-flight record of one consumer, as <see cref="ITaskDeliveryStorage.InFlightAsync"/> lists it.</summary>
/// <param name="Receipt">The receipt the take handed out (settle it with a <see cref="Completion"/> on a <see cref="TakenMessage"/> that carries it).</param>
/// <param name="Queue">The queue it came from.</param>
/// <param name="TakenAt">When it was taken, by the storage's clock.</param>
public sealed record InFlightMessage(string Receipt, string Queue, DateTimeOffset TakenAt);

/// <summary>What one take returned.</summary>
/// <param name="Messages">The messages taken, possibly none.</param>
/// <param name="RevocationsVersion">
/// 0 when no revocation is recorded; otherwise a number that changes whenever a revocation record
/// is added, replaced or removed. The consumer keeps the recorded targets it last read with their
/// version and checks each message against them, so that the common path stays at one round trip
/// per batch while revocations exist that concern none of its messages.
/// </param>
public readonly record struct TakenBatch(IReadOnlyList<TakenMessage> Messages, long RevocationsVersion)
{
    /// <summary>A batch with nothing in it.</summary>
    public static TakenBatch Empty => new([], 0);

    /// <summary>Whether any revocation is recorded at all.</summary>
    public bool RevocationsPresent => RevocationsVersion != 0;
}

/// <summary>The revoked targets, as <see cref="ITaskRevocationStorage.ReadRevocationsAsync"/> read them.</summary>
/// <param name="Version">Their version (see <see cref="TakenBatch.RevocationsVersion"/>).</param>
/// <param name="Targets">The targets that have a record (some perhaps past their end); null when there are more than the limit asked for.</param>
public sealed record RevocationSet(long Version, IReadOnlySet<string>? Targets);

/// <summary>How a taken message is settled.</summary>
public enum CompletionKind
{
    /// <summary>Done; nothing to store.</summary>
    Ack,
    /// <summary>Done; store <see cref="Completion.Result"/> under <see cref="Completion.ResultId"/>.</summary>
    Result,
    /// <summary>Failed and retried: <see cref="Completion.Replacement"/> is queued after <see cref="Completion.Delay"/>.</summary>
    Retry,
    /// <summary>Cannot run: goes to dead letters with <see cref="Completion.Reason"/>.</summary>
    DeadLetter,
    /// <summary>
    /// Goes back to the head of its queue (several keep the order they were taken in); counting one
    /// more delivery when its run had started (<see cref="Completion.CountsDelivery"/>), so that a
    /// message that keeps being interrupted ends in dead letters. Nothing happens if a reaper
    /// already handed it back.
    /// </summary>
    Release,
}

/// <summary>How to settle one taken message. Build one with the static methods.</summary>
public sealed record Completion
{
    private Completion(TakenMessage message, CompletionKind kind)
    {
        Message = message;
        Kind = kind;
    }

    /// <summary>
    /// What to announce once the settle is stored (a run finished, a retry queued), so that a handler
    /// sees the stored result. Set on the completion the executor just made, only while somebody listens.
    /// </summary>
    internal SettledEvent? AfterSettle { get; set; }

    /// <summary>The message being settled.</summary>
    public TakenMessage Message { get; }

    /// <summary>What to do with it.</summary>
    public CompletionKind Kind { get; }

    /// <summary>For <see cref="CompletionKind.Result"/>: the task id the result is stored under.</summary>
    public string? ResultId { get; private init; }

    /// <summary>For <see cref="CompletionKind.Result"/>: the encoded result.</summary>
    public ReadOnlyMemory<byte> Result { get; private init; }

    /// <summary>For <see cref="CompletionKind.Result"/>: how long the result is kept; null for ever.</summary>
    public TimeSpan? ResultTtl { get; private init; }

    /// <summary>For <see cref="CompletionKind.Retry"/>: the message to queue again.</summary>
    public ReadOnlyMemory<byte> Replacement { get; private init; }

    /// <summary>For <see cref="CompletionKind.Retry"/>: how long after now the retry is due.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>For <see cref="CompletionKind.DeadLetter"/>: why.</summary>
    public string? Reason { get; private init; }

    /// <summary>Acknowledge: the message is done.</summary>
    public static Completion Ack(TakenMessage message) => new(message, CompletionKind.Ack);

    /// <summary>Store a result and acknowledge, atomically.</summary>
    public static Completion WithResult(TakenMessage message, string taskId, ReadOnlyMemory<byte> result, TimeSpan? ttl)
        => new(message, CompletionKind.Result) { ResultId = taskId, Result = result, ResultTtl = ttl };

    /// <summary>Acknowledge and queue <paramref name="replacement"/> again after <paramref name="delay"/>, atomically.</summary>
    public static Completion Retry(TakenMessage message, ReadOnlyMemory<byte> replacement, TimeSpan delay)
        => new(message, CompletionKind.Retry) { Replacement = replacement, Delay = delay };

    /// <summary>Move to dead letters with a reason, atomically.</summary>
    public static Completion ToDeadLetters(TakenMessage message, string reason)
        => new(message, CompletionKind.DeadLetter) { Reason = reason };

    /// <summary>Hand back, unstarted, to the head of its queue.</summary>
    public static Completion Release(TakenMessage message) => new(message, CompletionKind.Release);

    /// <summary>Back to its queue after its run started and was cut short (a stop, a storage error): one more delivery.</summary>
    public static Completion Interrupted(TakenMessage message) => new(message, CompletionKind.Release) { CountsDelivery = true };

    /// <summary>For <see cref="CompletionKind.Release"/>: whether the hand-back counts one more delivery.</summary>
    public bool CountsDelivery { get; private init; }

    /// <summary>
    /// A run of a recurring record recorded by <see cref="IRecurringTaskStorage.BeginRecurringRunAsync"/>
    /// that ends with this completion: the storage removes it in the same call (whatever the kind).
    /// </summary>
    public RecurringRun? EndsRecurringRun { get; init; }
}

/// <summary>A revocation record.</summary>
/// <param name="Until">Revoked until this time; null for until restored.</param>
/// <param name="Once">Skip only the next run, then forget.</param>
public readonly record struct Revocation(DateTimeOffset? Until, bool Once)
{
    /// <summary>
    /// When the storage may drop a record that has no <see cref="Until"/>, whether or not it was ever
    /// consumed: a revocation of a run that already started would otherwise stay forever. Null keeps
    /// it until restored. Storages do not return it from <see cref="ITaskRevocationStorage.GetRevocationAsync"/>.
    /// </summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>When the record can be dropped: its end, else its expiry; null for never.</summary>
    public DateTimeOffset? DropAt => Until ?? Expires;

    /// <summary>Whether the record revokes a run at <paramref name="at"/>.</summary>
    public bool AppliesAt(DateTimeOffset at) => Until is null || at < Until.Value;
}

/// <summary>What <see cref="ITaskDeliveryStorage.ReapAsync"/> did.</summary>
/// <param name="Requeued">Messages handed back to their queues.</param>
/// <param name="DeadLettered">Messages that had been delivered too often and went to dead letters.</param>
public readonly record struct ReapResult(int Requeued, int DeadLettered);

/// <summary>What <see cref="ITaskScheduleStorage.PromoteDueAsync"/> did.</summary>
/// <param name="Moved">Messages moved to their queues.</param>
/// <param name="NextDue">When the soonest remaining scheduled message is due; null when the schedule is empty.</param>
/// <param name="Now">The storage's clock when it promoted, so the caller can sleep exactly until <paramref name="NextDue"/>.</param>
public readonly record struct PromoteResult(int Moved, DateTimeOffset? NextDue, DateTimeOffset Now);

/// <summary>A message in the schedule.</summary>
public sealed record ScheduledMessage(string Queue, DateTimeOffset Eta, byte[] Body);

/// <summary>A message set aside because it could not run.</summary>
/// <param name="Id">The dead letter's id in storage.</param>
/// <param name="Queue">The queue it came from.</param>
/// <param name="Reason">Why it could not run.</param>
/// <param name="At">When it was set aside.</param>
/// <param name="Body">The raw message, as it was.</param>
public sealed record DeadLetter(string Id, string Queue, string Reason, DateTimeOffset At, byte[] Body);

/// <summary>What <see cref="ITaskInspectionStorage.CountAsync"/> counted.</summary>
/// <param name="QueueLengths">Messages waiting in each queue asked about, in the order asked.</param>
/// <param name="Scheduled">Messages in the schedule.</param>
/// <param name="InFlight">Messages taken by consumers and not yet settled.</param>
/// <param name="DeadLetters">Messages in dead letters.</param>
public sealed record StorageCounts(IReadOnlyList<long> QueueLengths, long Scheduled, long InFlight, long DeadLetters);

/// <summary>An event the consumer publishes once a completion is stored.</summary>
internal sealed record SettledEvent(TaskEventKind Kind, string TaskId, string TaskName, TimeSpan? Duration = null);

/// <summary>A consumer's description as stored (<see cref="ITaskMonitoringStorage.ListConsumersAsync"/>).</summary>
/// <param name="ConsumerId">The consumer's id.</param>
/// <param name="Description">What the consumer wrote (the runtime's encoding).</param>
/// <param name="Expires">When it expires unless the consumer writes it again, by the storage's clock.</param>
public sealed record ConsumerEntry(string ConsumerId, byte[] Description, DateTimeOffset Expires);

/// <summary>An amount to add to one counter (<see cref="ITaskMonitoringStorage.AddStatsAsync"/>).</summary>
/// <param name="Key">The counter's name (the runtime's format; opaque to the storage).</param>
/// <param name="Count">How much to add.</param>
public readonly record struct StatCount(string Key, long Count);

/// <summary>The counters of one minute or one hour.</summary>
/// <param name="Start">When the minute or hour began (UTC).</param>
/// <param name="Counts">Counter name → count.</param>
public sealed record StatBucket(DateTimeOffset Start, IReadOnlyDictionary<string, long> Counts);

/// <summary>What <see cref="ITaskMonitoringStorage.ReadStatsAsync"/> read.</summary>
/// <param name="Now">The storage's clock when they were read.</param>
/// <param name="Minutes">Minute buckets, oldest first.</param>
/// <param name="Hours">Hour buckets, oldest first.</param>
public sealed record StatsWindow(DateTimeOffset Now, IReadOnlyList<StatBucket> Minutes, IReadOnlyList<StatBucket> Hours);

/// <summary>A run of a recurring record, as <see cref="IRecurringTaskStorage.BeginRecurringRunAsync"/> recorded it.</summary>
/// <param name="RecurringId">The record's id.</param>
/// <param name="Run">The run (a delivery of one message).</param>
public sealed record RecurringRun(string RecurringId, string Run);
