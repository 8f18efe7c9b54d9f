namespace TaskQueue.Storage;

public sealed partial class MemoryStorage
{
    private readonly Dictionary<string, long> periodic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Expires)> locks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredRecurring> recurring = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> recurringRuns = new(StringComparer.Ordinal);

    private sealed record StoredRecurring(string Id, string Label, byte[] Body, DateTimeOffset? NextRun, long Version);

    /// <inheritdoc />
    public ValueTask<bool> FirePeriodicAsync(string name, DateTimeOffset due, DateTimeOffset mark, string queue, ReadOnlyMemory<byte> message, int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(queue);
        long dueMs = due.ToUnixTimeMilliseconds(), markMs = Math.Max(dueMs, mark.ToUnixTimeMilliseconds());
        lock (gate)
        {
            if (periodic.TryGetValue(name, out long last) && last >= dueMs) return new(false);
            periodic[name] = markMs;
            if (pausedPeriodic.Contains(name)) return new(false);
            Append(QueueOf(queue), new Entry(message.ToArray(), 0, priority));
            Signal();
        }
        return new(true);
    }

    /// <inheritdoc />
    public ValueTask<DateTimeOffset?> GetPeriodicLastFiredAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(periodic.TryGetValue(name, out long last) ? DateTimeOffset.FromUnixTimeMilliseconds(last) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (gate)
        {
            var holder = LockOwner(name);
            if (holder is not null && holder != owner) return new(false);
            locks[name] = (owner, time.GetUtcNow() + ttl);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TakeOverLockAsync(string name, string from, string to, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (gate)
        {
            var holder = LockOwner(name);
            if (holder is not null && holder != from && holder != to) return new(false);
            locks[name] = (to, time.GetUtcNow() + ttl);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (LockOwner(name) != owner) return new(false);
            locks.Remove(name);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<string?> GetLockOwnerAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(LockOwner(name));
        }
    }

    /// <inheritdoc />
    public ValueTask<RecurringWriteResult> PutRecurringAsync(RecurringWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(write.Id);
        ArgumentException.ThrowIfNullOrEmpty(write.Label);
        lock (gate)
        {
            recurring.TryGetValue(write.Id, out var current);
            if (write.ExpectedVersion is null ? current is not null : current?.Version != write.ExpectedVersion)
            {
                return new(new RecurringWriteResult(RecurringWriteStatus.VersionConflict, current?.Version ?? 0));
            }
            if (labels.TryGetValue(write.Label, out var holder) && holder != write.Id)
            {
                if (!write.ReplaceLabel) return new(new RecurringWriteResult(RecurringWriteStatus.LabelTaken, current?.Version ?? 0, holder));
                RemoveRecurring(holder);
            }
            if (current is not null && current.Label != write.Label) labels.Remove(current.Label);
            long version = (current?.Version ?? 0) + 1;
            recurring[write.Id] = new StoredRecurring(write.Id, write.Label, write.Body.ToArray(), ToMs(write.NextRun), version);
            labels[write.Label] = write.Id;
            return new(new RecurringWriteResult(RecurringWriteStatus.Written, version));
        }
    }

    /// <inheritdoc />
    public ValueTask<RecurringEntry?> GetRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(recurring.TryGetValue(id, out var r) ? ToEntry(r) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<RecurringEntry?> FindRecurringAsync(string label, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(labels.TryGetValue(label, out var id) && recurring.TryGetValue(id, out var r) ? ToEntry(r) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RecurringEntry>> ListRecurringAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (gate)
        {
            return new(recurring.Values.OrderBy(r => r.Label, StringComparer.Ordinal).Take(limit).Select(ToEntry).ToList());
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(RemoveRecurring(id));
        }
    }

    /// <inheritdoc />
    public ValueTask BeginRecurringRunAsync(string id, string run, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(run);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (gate)
        {
            if (!recurringRuns.TryGetValue(id, out var runs)) recurringRuns[id] = runs = new(StringComparer.Ordinal);
            runs[run] = time.GetUtcNow() + ttl;
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndRecurringRunAsync(string id, string run, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (recurringRuns.TryGetValue(id, out var runs) && runs.Remove(run) && runs.Count == 0) recurringRuns.Remove(id);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<RecurringDue> DueRecurringAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (gate)
        {
            var now = time.GetUtcNow();
            var nowMs = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
            var scheduled = recurring.Values.Where(r => r.NextRun is not null).OrderBy(r => r.NextRun).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            var due = scheduled.Where(r => r.NextRun <= now).Take(limit).Select(ToEntry).ToList();
            var next = scheduled.FirstOrDefault(r => r.NextRun > now)?.NextRun;
            return new(new RecurringDue(due, nowMs, next));
        }
    }

    /// <inheritdoc />
    public ValueTask<RecurringFireStatus> FireRecurringAsync(RecurringFire fire, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fire);
        ArgumentException.ThrowIfNullOrEmpty(fire.Queue);
        lock (gate)
        {
            if (!recurring.TryGetValue(fire.Id, out var current)) return new(RecurringFireStatus.Missing);
            if (current.Version != fire.ExpectedVersion) return new(RecurringFireStatus.VersionConflict);
            if (fire.LockOwner is not null)
            {
                string name = RecurringTasks.LockName(fire.Id);
                if (LockOwner(name) is not null) return new(RecurringFireStatus.Busy);
                if (fire.LockTtl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(fire), fire.LockTtl, "a lock needs a positive time to live");
                locks[name] = (fire.LockOwner, time.GetUtcNow() + fire.LockTtl);
            }
            Append(QueueOf(fire.Queue), new Entry(fire.Message.ToArray(), 0, fire.Priority));
            recurring[fire.Id] = current with { Body = fire.Body.ToArray(), NextRun = ToMs(fire.NextRun), Version = current.Version + 1 };
            Signal();
            return new(RecurringFireStatus.Fired);
        }
    }

    private static DateTimeOffset? ToMs(DateTimeOffset? t) => t is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v.ToUnixTimeMilliseconds()) : null;

    private string? LockOwner(string name)
    {
        if (!locks.TryGetValue(name, out var held)) return null;
        if (held.Expires > time.GetUtcNow()) return held.Owner;
        locks.Remove(name);
        return null;
    }

    private bool RemoveRecurring(string id)
    {
        if (!recurring.Remove(id, out var removed)) return false;
        if (labels.TryGetValue(removed.Label, out var holder) && holder == id) labels.Remove(removed.Label);
        return true;
    }

    private RecurringEntry ToEntry(StoredRecurring r)
        => new(r.Id, r.Label, r.Body, r.NextRun, r.Version, IsRunning(r.Id), LockOwner(RecurringTasks.LockName(r.Id)) is not null);

    private bool IsRunning(string id)
    {
        if (!recurringRuns.TryGetValue(id, out var runs)) return false;
        var now = time.GetUtcNow();
        foreach (var (run, until) in runs.ToList())
        {
            if (until <= now) runs.Remove(run);
        }
        if (runs.Count > 0) return true;
        recurringRuns.Remove(id);
        return false;
    }
}
