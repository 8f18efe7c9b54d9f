namespace TaskQueue.Storage;

/// <summary>
/// The embedded default storage: everything in this process's memory, nothing survives it. Right
/// for the quickstart, unit tests and single-process tools; use Redis for workers in other
/// processes. Thread-safe; all state sits behind one lock.
/// </summary>
public sealed partial class MemoryStorage : ITaskStorage
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly Dictionary<string, LinkedList<Entry>> queues = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Scheduled, (long Ticks, long Seq)> schedule = new();
    private readonly Dictionary<string, Dictionary<string, InFlight>> processing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> heartbeats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Value, DateTimeOffset? Expires)> results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Revocation> revocations = new(StringComparer.Ordinal);
    private long revocationsVersion = 1;
    private readonly LinkedList<DeadLetter> deadLetters = new();
    private TaskCompletionSource arrived = NewSignal();
    private long sequence;

    /// <summary>Creates an empty storage whose clock is <paramref name="timeProvider"/> (the system clock when null).</summary>
    public MemoryStorage(TimeProvider? timeProvider = null) => time = timeProvider ?? TimeProvider.System;

    private sealed record Entry(byte[] Body, int Deliveries, int Priority = 0)
    {
        public string? Queue { get; init; }
    }

    private sealed record Scheduled(string Queue, byte[] Body, int Priority);

    private sealed record InFlight(string Queue, byte[] Body, int Deliveries, int Priority)
    {
        public DateTimeOffset TakenAt { get; init; }
    }

    // A queue is one list kept in take order: highest priority first, each priority first in, first
    // out. With one priority (the usual case) both ends are found at once.

    /// <summary>Appends <paramref name="entry"/> after the last entry of its priority or a higher one.</summary>
    private static void Append(LinkedList<Entry> list, Entry entry)
    {
        var node = list.Last;
        while (node is not null && node.Value.Priority < entry.Priority) node = node.Previous;
        if (node is null) list.AddFirst(entry);
        else list.AddAfter(node, entry);
    }

    /// <summary>Puts <paramref name="entry"/> back before the first entry of its priority or a lower one.</summary>
    private static void PutBack(LinkedList<Entry> list, Entry entry)
    {
        var node = list.First;
        while (node is not null && node.Value.Priority > entry.Priority) node = node.Next;
        if (node is null) list.AddLast(entry);
        else list.AddBefore(node, entry);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default) => new(time.GetUtcNow());

    /// <inheritdoc />
    /// <remarks>Calls here cannot end with an unknown outcome, so <paramref name="send"/> is not needed and not kept.</remarks>
    public ValueTask EnqueueAsync(string queue, ReadOnlyMemory<byte> message, SendId send = default, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        lock (gate)
        {
            Append(QueueOf(queue), new Entry(message.ToArray(), 0, priority));
            Signal();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Calls here cannot end with an unknown outcome, so <paramref name="send"/> is not needed and not kept.</remarks>
    public ValueTask EnqueueManyAsync(string queue, IReadOnlyList<ReadOnlyMemory<byte>> messages, SendId send = default, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(messages);
        lock (gate)
        {
            var list = QueueOf(queue);
            foreach (var message in messages) Append(list, new Entry(message.ToArray(), 0, priority));
            Signal();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<TakenBatch> TakeAsync(IReadOnlyList<string> queues, string consumerId, int max, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        long deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            Task signal;
            lock (gate)
            {
                foreach (var name in queues)
                {
                    if (!this.queues.TryGetValue(name, out var list) || list.Count == 0) continue;
                    var taken = new List<TakenMessage>(Math.Min(max, list.Count));
                    var records = RecordsOf(consumerId);
                    while (taken.Count < max && list.First is { } node)
                    {
                        list.RemoveFirst();
                        var receipt = (++sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        records[receipt] = new InFlight(name, node.Value.Body, node.Value.Deliveries, node.Value.Priority) { TakenAt = time.GetUtcNow() };
                        taken.Add(new TakenMessage(name, node.Value.Body, receipt, node.Value.Deliveries));
                    }
                    return new TakenBatch(taken, revocations.Count > 0 ? revocationsVersion : 0);
                }
                signal = arrived.Task;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0) return TakenBatch.Empty;
            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(left), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return TakenBatch.Empty;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask CompleteAsync(string consumerId, IReadOnlyList<Completion> completions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(completions);
        lock (gate)
        {
            var now = time.GetUtcNow();
            processing.TryGetValue(consumerId, out var records);
            List<Entry>? released = null;
            foreach (var c in completions)
            {
                // A record that is gone was settled before (a retried call whose first reply was lost)
                // or handed back by a reaper (the message is in its queue again): a result is stored
                // all the same (storing it twice changes nothing), but a retry, a dead letter or a
                // release would be a second copy, so they apply only while the record is held.
                InFlight? held = null;
                bool wasInFlight = records?.Remove(c.Message.Receipt, out held) == true;
                if (c.EndsRecurringRun is { } ended && recurringRuns.TryGetValue(ended.RecurringId, out var runs) && runs.Remove(ended.Run) && runs.Count == 0)
                {
                    recurringRuns.Remove(ended.RecurringId);
                }
                switch (c.Kind)
                {
                    case CompletionKind.Result:
                        results[c.ResultId!] = (c.Result.ToArray(), now + c.ResultTtl);
                        break;
                    case CompletionKind.Retry when wasInFlight:
                        if (c.Delay <= TimeSpan.Zero) Append(QueueOf(held!.Queue), new Entry(c.Replacement.ToArray(), 0, held.Priority));
                        else AddScheduled(held!.Queue, c.Replacement.ToArray(), now + c.Delay, held.Priority);
                        break;
                    case CompletionKind.DeadLetter when wasInFlight:
                        AddDeadLetter(c.Message.Queue, c.Message.Body.ToArray(), c.Reason ?? "unknown", now);
                        break;
                    case CompletionKind.Release when wasInFlight:
                        (released ??= []).Add(new Entry(held!.Body, held.Deliveries + (c.CountsDelivery ? 1 : 0), held.Priority) { Queue = held.Queue });
                        break;
                }
            }
            // Released messages go back to the head in the order they were taken.
            for (int i = (released?.Count ?? 0) - 1; i >= 0; i--) PutBack(QueueOf(released![i].Queue!), released[i]);
            Signal();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask HeartbeatAsync(string consumerId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        lock (gate) heartbeats[consumerId] = time.GetUtcNow() + ttl;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveHeartbeatAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        lock (gate) heartbeats.Remove(consumerId);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ReapResult> ReapAsync(int maxRedeliveries, CancellationToken cancellationToken = default)
    {
        int requeued = 0, dead = 0;
        lock (gate)
        {
            DropEndedRevocations();
            DropExpiredResults();
            var now = time.GetUtcNow();
            foreach (var (consumer, records) in processing)
            {
                if (records.Count == 0 || (heartbeats.TryGetValue(consumer, out var expires) && expires > now)) continue;
                foreach (var record in records.Values)
                {
                    if (record.Deliveries >= maxRedeliveries)
                    {
                        AddDeadLetter(record.Queue, record.Body, $"handed back {record.Deliveries} times after its consumers stopped responding", now);
                        dead++;
                    }
                    else
                    {
                        PutBack(QueueOf(record.Queue), new Entry(record.Body, record.Deliveries + 1, record.Priority));
                        requeued++;
                    }
                }
                records.Clear();
                heartbeats.Remove(consumer);
            }
            if (requeued > 0) Signal();
        }
        return new(new ReapResult(requeued, dead));
    }

    /// <inheritdoc />
    public ValueTask ScheduleAsync(string queue, ReadOnlyMemory<byte> message, DateTimeOffset eta, SendId send = default, int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        lock (gate) AddScheduled(queue, message.ToArray(), eta, priority);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<PromoteResult> PromoteDueAsync(int limit, CancellationToken cancellationToken = default)
    {
        int moved = 0;
        lock (gate)
        {
            var clock = time.GetUtcNow();
            long now = clock.UtcTicks;
            while (moved < limit && schedule.TryPeek(out var item, out var key) && key.Ticks <= now)
            {
                schedule.Dequeue();
                Append(QueueOf(item.Queue), new Entry(item.Body, 0, item.Priority));
                moved++;
            }
            if (moved > 0) Signal();
            DateTimeOffset? next = schedule.TryPeek(out _, out var nextKey) ? new DateTimeOffset(nextKey.Ticks, TimeSpan.Zero) : null;
            return new(new PromoteResult(moved, next, clock));
        }
    }

    /// <inheritdoc />
    public ValueTask PutResultAsync(string taskId, ReadOnlyMemory<byte> value, TimeSpan? ttl, CancellationToken cancellationToken = default)
    {
        lock (gate) results[taskId] = (value.ToArray(), time.GetUtcNow() + ttl);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<byte[]?> ReadResultAsync(string taskId, bool preserve, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!results.TryGetValue(taskId, out var stored)) return new((byte[]?)null);
            if (stored.Expires <= time.GetUtcNow() || !preserve) results.Remove(taskId);
            return new(stored.Expires <= time.GetUtcNow() ? null : stored.Value);
        }
    }

    /// <inheritdoc />
    public ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            revocations[target] = revocation;
            revocationsVersion++;
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> RestoreAsync(string target, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!revocations.Remove(target, out var r)) return new(false);
            revocationsVersion++;
            return new(r.AppliesAt(time.GetUtcNow()));
        }
    }

    /// <inheritdoc />
    public ValueTask<Revocation?> GetRevocationAsync(string target, CancellationToken cancellationToken = default)
    {
        lock (gate) return new(revocations.TryGetValue(target, out var r) ? r with { Expires = null } : null);
    }

    /// <inheritdoc />
    public ValueTask<RevocationSet> ReadRevocationsAsync(int limit, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            long version = revocations.Count > 0 ? revocationsVersion : 0;
            return new(new RevocationSet(version, revocations.Count <= limit ? revocations.Keys.ToHashSet(StringComparer.Ordinal) : null));
        }
    }

    /// <summary>Drops revocation records past their end or expiry. Call with the lock held.</summary>
    private void DropEndedRevocations()
    {
        var now = time.GetUtcNow();
        List<string>? ended = null;
        foreach (var (target, r) in revocations)
        {
            if (r.DropAt is { } at && at <= now) (ended ??= []).Add(target);
        }
        if (ended is null) return;
        foreach (var target in ended) revocations.Remove(target);
        revocationsVersion++;
    }

    /// <inheritdoc />
    public ValueTask<bool> ConsumeRevocationAsync(IReadOnlyList<string> targets, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            foreach (var target in targets)
            {
                if (Live(target) is not { } r) continue;
                if (r.Once && revocations.Remove(target)) revocationsVersion++;
                return new(true);
            }
            return new(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DeadLetterAsync(string queue, ReadOnlyMemory<byte> message, string reason, CancellationToken cancellationToken = default)
    {
        lock (gate) AddDeadLetter(queue, message.ToArray(), reason, time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default)
    {
        lock (gate) return new(deadLetters.Take(limit).ToArray());
    }

    /// <inheritdoc />
    public ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (FindDeadLetter(deadLetterId) is not { } node) return new(false);
            deadLetters.Remove(node);
            Append(QueueOf(node.Value.Queue), new Entry(node.Value.Body, 0));
            Signal();
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (FindDeadLetter(deadLetterId) is not { } node) return new(false);
            deadLetters.Remove(node);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<byte[]>> PendingAsync(string queue, int limit, CancellationToken cancellationToken = default)
    {
        lock (gate) return new(queues.TryGetValue(queue, out var list) ? list.Take(limit).Select(e => e.Body).ToArray() : []);
    }

    /// <inheritdoc />
    public ValueTask<long> QueueLengthAsync(string queue, CancellationToken cancellationToken = default)
    {
        lock (gate) return new(queues.TryGetValue(queue, out var list) ? list.Count : 0L);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ScheduledMessage>> ScheduledAsync(int limit, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(schedule.UnorderedItems.OrderBy(x => x.Priority)
                .Take(limit)
                .Select(x => new ScheduledMessage(x.Element.Queue, new DateTimeOffset(x.Priority.Ticks, TimeSpan.Zero), x.Element.Body))
                .ToArray());
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<KeyValuePair<string, byte[]>>> ResultsAsync(int limit, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            return new(results.Where(r => !(r.Value.Expires <= now)).Take(limit)
                .Select(r => KeyValuePair.Create(r.Key, r.Value.Value)).ToArray());
        }
    }

    /// <inheritdoc />
    public ValueTask<long> InFlightCountAsync(CancellationToken cancellationToken = default)
    {
        lock (gate) return new(processing.Values.Sum(r => (long)r.Count));
    }

    /// <inheritdoc />
    public ValueTask<StorageCounts> CountAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        lock (gate)
        {
            var lengths = new long[queues.Count];
            for (int i = 0; i < lengths.Length; i++) lengths[i] = this.queues.TryGetValue(queues[i], out var list) ? list.Count : 0;
            return new(new StorageCounts(lengths, schedule.Count, processing.Values.Sum(r => (long)r.Count), deadLetters.Count));
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            queues.Clear();
            schedule.Clear();
            processing.Clear();
            heartbeats.Clear();
            results.Clear();
            revocations.Clear();
            cancelRequests.Clear();
            deadLetters.Clear();
            periodic.Clear();
            locks.Clear();
            recurring.Clear();
            labels.Clear();
            uniqueKeys.Clear();
            rateLimits.Clear();
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>Whether <see cref="DisposeAsync"/> was called (for tests of who owns a storage).</summary>
    internal bool IsDisposed { get; private set; }

    private LinkedList<Entry> QueueOf(string queue)
    {
        if (!queues.TryGetValue(queue, out var list)) queues[queue] = list = new LinkedList<Entry>();
        return list;
    }

    private Dictionary<string, InFlight> RecordsOf(string consumerId)
    {
        if (!processing.TryGetValue(consumerId, out var records)) processing[consumerId] = records = new(StringComparer.Ordinal);
        return records;
    }

    private void AddScheduled(string queue, byte[] body, DateTimeOffset eta, int priority)
        => schedule.Enqueue(new Scheduled(queue, body, priority), (eta.UtcTicks, ++sequence));

    private void AddDeadLetter(string queue, byte[] body, string reason, DateTimeOffset at)
        => deadLetters.AddFirst(new DeadLetter((++sequence).ToString(System.Globalization.CultureInfo.InvariantCulture), queue, reason, at, body));

    /// <inheritdoc />
    public ValueTask<int> TrimDeadLettersAsync(int maxCount, TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        lock (gate)
        {
            var oldest = time.GetUtcNow() - maxAge;
            int removed = 0;
            while (deadLetters.Last is { } last && (deadLetters.Count > maxCount || last.Value.At < oldest))
            {
                deadLetters.RemoveLast();
                removed++;
            }
            return new(removed);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InFlightMessage>> InFlightAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        lock (gate)
        {
            if (!processing.TryGetValue(consumerId, out var records)) return new([]);
            return new([.. records.Select(r => new InFlightMessage(r.Key, r.Value.Queue, r.Value.TakenAt))]);
        }
    }

    /// <summary>How many results are held, expired ones included (for tests).</summary>
    internal int ResultCount
    {
        get
        {
            lock (gate) return results.Count;
        }
    }

    /// <summary>Drops results past their expiry. Call with the lock held.</summary>
    private void DropExpiredResults()
    {
        var now = time.GetUtcNow();
        List<string>? expired = null;
        foreach (var (id, stored) in results)
        {
            if (stored.Expires <= now) (expired ??= []).Add(id);
        }
        foreach (var id in expired ?? []) results.Remove(id);
    }

    private LinkedListNode<DeadLetter>? FindDeadLetter(string id)
    {
        for (var node = deadLetters.First; node is not null; node = node.Next)
        {
            if (node.Value.Id == id) return node;
        }
        return null;
    }

    private Revocation? Live(string target)
    {
        if (!revocations.TryGetValue(target, out var r)) return null;
        if (r.AppliesAt(time.GetUtcNow())) return r;
        revocations.Remove(target);
        revocationsVersion++;
        return null;
    }

    private void Signal()
    {
        var previous = arrived;
        arrived = NewSignal();
        previous.TrySetResult();
    }
}
