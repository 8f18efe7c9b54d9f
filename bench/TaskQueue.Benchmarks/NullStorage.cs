using TaskQueue.Storage;

namespace TaskQueue.Benchmarks;

/// <summary>Takes enqueues and forgets them, so that a benchmark measures the client's own cost. Everything else is unsupported.</summary>
internal sealed class NullStorage : ITaskStorage
{
    private static NotSupportedException Unsupported() => new("NullStorage only accepts enqueues");

    public ValueTask EnqueueAsync(string queue, ReadOnlyMemory<byte> message, SendId send = default, int priority = 0, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask EnqueueManyAsync(string queue, IReadOnlyList<ReadOnlyMemory<byte>> messages, SendId send = default, int priority = 0, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask<UniqueSend> EnqueueUniqueAsync(string queue, ReadOnlyMemory<byte> message, string key, string value, TimeSpan keyTtl, DateTimeOffset? eta = null, int priority = 0, CancellationToken cancellationToken = default) => new(new UniqueSend(true, value));
    public ValueTask<bool> ReleaseUniqueAsync(string queue, string key, string? value = null, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RateLimitResult> TryStartAsync(string name, int count, TimeSpan period, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<byte[]>?> AddChordResultAsync(string chordId, int index, int count, ReadOnlyMemory<byte> result, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => new(DateTimeOffset.UtcNow);
    public ValueTask<TakenBatch> TakeAsync(IReadOnlyList<string> queues, string consumerId, int max, TimeSpan wait, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask HeartbeatAsync(string consumerId, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask RemoveHeartbeatAsync(string consumerId, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask ScheduleAsync(string queue, ReadOnlyMemory<byte> message, DateTimeOffset eta, SendId send = default, int priority = 0, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<PromoteResult> PromoteDueAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask PutResultAsync(string taskId, ReadOnlyMemory<byte> value, TimeSpan? ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<byte[]?> ReadResultAsync(string taskId, bool preserve, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> RestoreAsync(string target, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask RequestCancelAsync(string taskId, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<string>> ReadCancelRequestsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<Revocation?> GetRevocationAsync(string target, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> ConsumeRevocationAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RevocationSet> ReadRevocationsAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask DeadLetterAsync(string queue, ReadOnlyMemory<byte> message, string reason, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<int> TrimDeadLettersAsync(int maxCount, TimeSpan maxAge, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<InFlightMessage>> InFlightAsync(string consumerId, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<byte[]>> PendingAsync(string queue, int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<long> QueueLengthAsync(string queue, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<ScheduledMessage>> ScheduledAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<KeyValuePair<string, byte[]>>> ResultsAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<long> InFlightCountAsync(CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<StorageCounts> CountAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> FirePeriodicAsync(string name, DateTimeOffset due, DateTimeOffset mark, string queue, ReadOnlyMemory<byte> message, int priority = 0, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<DateTimeOffset?> GetPeriodicLastFiredAsync(string name, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> AcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> TakeOverLockAsync(string name, string from, string to, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<string?> GetLockOwnerAsync(string name, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RecurringWriteResult> PutRecurringAsync(RecurringWrite write, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RecurringEntry?> GetRecurringAsync(string id, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RecurringEntry?> FindRecurringAsync(string label, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyList<RecurringEntry>> ListRecurringAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask BeginRecurringRunAsync(string id, string run, TimeSpan ttl, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask EndRecurringRunAsync(string id, string run, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RecurringDue> DueRecurringAsync(int limit, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<RecurringFireStatus> FireRecurringAsync(RecurringFire fire, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask PutConsumerAsync(string consumerId, ReadOnlyMemory<byte> description, TimeSpan ttl, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask RemoveConsumerAsync(string consumerId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask<IReadOnlyList<ConsumerEntry>> ListConsumersAsync(CancellationToken cancellationToken = default) => new([]);
    public ValueTask AddStatsAsync(IReadOnlyList<StatCount> counts, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    public ValueTask<StatsWindow> ReadStatsAsync(int minutes, int hours, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask SetPeriodicPausedAsync(string name, bool paused, CancellationToken cancellationToken = default) => throw Unsupported();
    public ValueTask<IReadOnlyCollection<string>> PausedPeriodicAsync(CancellationToken cancellationToken = default) => new([]);
}
