namespace TaskQueue.Storage;

/// <summary>
/// Where one application's tasks live: queues, the schedule, in-flight records, results,
/// revocations and dead letters. Messages are opaque bytes here; the storage knows nothing of
/// tasks, arguments or the registry. Every backend runs the same contract test suite.
/// </summary>
/// <remarks>
/// Delivery is at least once: <see cref="TakeAsync"/> records what it hands out against the consumer
/// id until <see cref="CompleteAsync"/> settles it; <see cref="ReapAsync"/> hands back the records
/// of consumers whose heartbeat (<see cref="HeartbeatAsync"/>) expired. Time that decides what is
/// due is the storage's own clock (<see cref="GetTimeAsync"/>), not the caller's.
/// </remarks>
public interface ITaskStorage : IAsyncDisposable
{
    /// <summary>The storage's clock: what decides when a scheduled message is due.</summary>
    ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends a message to the tail of <paramref name="queue"/>.</summary>
    ValueTask EnqueueAsync(string queue, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Appends messages to the tail of <paramref name="queue"/>, in order, in one round trip.</summary>
    ValueTask EnqueueManyAsync(string queue, IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes up to <paramref name="max"/> messages from the head of the first non-empty queue of
    /// <paramref name="queues"/> (in the order given) and records them as in flight for
    /// <paramref name="consumerId"/>. When every queue is empty it waits up to <paramref name="wait"/>
    /// for a message and returns an empty batch if none came.
    /// </summary>
    ValueTask<TakenBatch> TakeAsync(IReadOnlyList<string> queues, string consumerId, int max, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles taken messages in one atomic step each (and one round trip for the batch): stores a
    /// result with the ack, re-schedules a retry, sends to dead letters, hands back, or just acks.
    /// </summary>
    ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default);

    /// <summary>Marks <paramref name="consumerId"/> alive for <paramref name="ttl"/>.</summary>
    ValueTask HeartbeatAsync(string consumerId, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes a consumer's heartbeat on a clean stop.</summary>
    ValueTask RemoveHeartbeatAsync(string consumerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands back to their queues the in-flight messages of consumers whose heartbeat has expired,
    /// counting one more delivery on each; a message already handed back
    /// <paramref name="maxRedeliveries"/> times goes to dead letters instead.
    /// </summary>
    ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default);

    /// <summary>Adds a message to the schedule, due at <paramref name="eta"/>, for <paramref name="queue"/>.</summary>
    ValueTask ScheduleAsync(string queue, ReadOnlyMemory<byte> message, DateTimeOffset eta, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves up to <paramref name="limit"/> due messages (eta at or before the storage's clock) from
    /// the schedule to the tail of their queues, atomically, and says when the next one is due.
    /// </summary>
    ValueTask<PromoteResult> PromoteDueAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Stores a task's result, replacing any earlier one; it expires after <paramref name="ttl"/> when given.</summary>
    ValueTask PutResultAsync(string taskId, ReadOnlyMemory<byte> value, TimeSpan? ttl, CancellationToken cancellationToken = default);

    /// <summary>Reads a task's result, deleting it unless <paramref name="preserve"/>; null when there is none.</summary>
    ValueTask<byte[]?> ReadResultAsync(string taskId, bool preserve, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="target"/> (a task id or a task name) is revoked, replacing any earlier record.</summary>
    ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken = default);

    /// <summary>Removes the revocation of <paramref name="target"/>; says whether there was one.</summary>
    ValueTask<bool> RestoreAsync(string target, CancellationToken cancellationToken = default);

    /// <summary>The revocation recorded for <paramref name="target"/>, or null.</summary>
    ValueTask<Revocation?> GetRevocationAsync(string target, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides whether a run is skipped: true when any of <paramref name="targets"/> is revoked at the
    /// storage's clock. A revoke-once record that caused the skip is removed in the same atomic step,
    /// so exactly one run is skipped however many consumers race.
    /// </summary>
    ValueTask<bool> ConsumeRevocationAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken = default);

    /// <summary>Adds a message to dead letters directly (for example one that could not be enqueued).</summary>
    ValueTask DeadLetterAsync(string queue, ReadOnlyMemory<byte> message, string reason, CancellationToken cancellationToken = default);

    /// <summary>Dead letters, newest first.</summary>
    ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Puts a dead letter back at the tail of its queue with a fresh delivery count; says whether it existed.</summary>
    ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default);

    /// <summary>Deletes a dead letter; says whether it existed.</summary>
    ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default);

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

    /// <summary>Deletes everything this application stored. For tests and tooling.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
