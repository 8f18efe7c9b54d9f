using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// One script call on the application's slot claims the occurrence and puts the message in the
    /// outbox, in one atomic step; then the message is relayed to its queue (another slot) and leaves
    /// the outbox. A process that dies in between leaves the message in the outbox, and the next
    /// reap relays it: the occurrence is neither lost nor queued twice.
    /// </remarks>
    public async ValueTask<bool> FirePeriodicAsync(string name, DateTimeOffset due, DateTimeOffset mark, string queue, ReadOnlyMemory<byte> message, int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(queue);
        long dueMs = due.ToUnixTimeMilliseconds(), markMs = Math.Max(dueMs, mark.ToUnixTimeMilliseconds());
        var target = NextPartition(queue);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.FirePeriodic, [keys.Periodic, keys.PausedPeriodic, keys.Outbox, keys.Sequence],
            [name, dueMs, markMs, priority, target.Name, RedisRecords.Entry(message.Span)]).ConfigureAwait(false);
        if (reply.Resp2Type == ResultType.Integer) return false;
        await RelayAsync((byte[])reply!).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset?> GetPeriodicLastFiredAsync(string name, CancellationToken cancellationToken = default)
    {
        var value = await db.HashGetAsync(keys.Periodic, name).ConfigureAwait(false);
        return value.IsNull ? null : RedisRecords.FromUnixMs((long)value);
    }

    /// <inheritdoc />
    public async ValueTask<bool> AcquireLockAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.AcquireLock, [keys.Lock(name)], [owner, Milliseconds(ttl)]).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<bool> TakeOverLockAsync(string name, string from, string to, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(from);
        ArgumentException.ThrowIfNullOrEmpty(to);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.TakeOverLock, [keys.Lock(name)], [from, to, Milliseconds(ttl)]).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseLockAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.ReleaseLock, [keys.Lock(name)], [owner]).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetLockOwnerAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = await db.StringGetAsync(keys.Lock(name)).ConfigureAwait(false);
        return value.IsNull ? null : (string?)value;
    }

    /// <inheritdoc />
    /// <remarks>One script call on the record, the label index and the due index.</remarks>
    public async ValueTask<RecurringWriteResult> PutRecurringAsync(RecurringWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrEmpty(write.Id);
        ArgumentException.ThrowIfNullOrEmpty(write.Label);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.PutRecurring,
            [keys.Recurring(write.Id), keys.RecurringLabels, keys.RecurringDue],
            [write.Id, write.Label, write.Body, Ms(write.NextRun), write.ExpectedVersion is { } v ? v : "", write.ReplaceLabel ? "1" : "0", keys.RecurringPrefix])
            .ConfigureAwait(false))!;
        var status = (long)reply[0] switch
        {
            0 => RecurringWriteStatus.Written,
            1 => RecurringWriteStatus.VersionConflict,
            _ => RecurringWriteStatus.LabelTaken,
        };
        return new RecurringWriteResult(status, (long)reply[1], reply.Length > 2 ? (string?)reply[2] : null);
    }

    /// <inheritdoc />
    public async ValueTask<RecurringEntry?> GetRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return await ReadOneAsync(id, "").ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RecurringEntry?> FindRecurringAsync(string label, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        return await ReadOneAsync("", label).ConfigureAwait(false);
    }

    private async Task<RecurringEntry?> ReadOneAsync(string id, string label)
    {
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.GetRecurring, [keys.RecurringLabels],
            [id, label, keys.RecurringPrefix, keys.RecurringLockPrefix, keys.RecurringRunsPrefix]).ConfigureAwait(false))!;
        return reply.Length == 0 ? null : Entries(reply, 0)[0];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RecurringEntry>> ListRecurringAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0) return [];
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.ListRecurring, [keys.RecurringLabels],
            [limit, keys.RecurringPrefix, keys.RecurringLockPrefix, keys.RecurringRunsPrefix]).ConfigureAwait(false))!;
        return Entries(reply, 0);
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.DeleteRecurring, [keys.Recurring(id), keys.RecurringLabels, keys.RecurringDue], [id])
            .ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <inheritdoc />
    /// <remarks>One script call on the record's sorted set of runs (scored by expiry, by Redis <c>TIME</c>).</remarks>
    public async ValueTask BeginRecurringRunAsync(string id, string run, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(run);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await db.ScriptEvaluateAsync(LuaScripts.BeginRecurringRun, [keys.RecurringRuns(id)], [run, Milliseconds(ttl)]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One <c>ZREM</c>.</remarks>
    public async ValueTask EndRecurringRunAsync(string id, string run, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(run);
        await db.SortedSetRemoveAsync(keys.RecurringRuns(id), run).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One script call; what is due is decided by Redis <c>TIME</c>.</remarks>
    public async ValueTask<RecurringDue> DueRecurringAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.DueRecurring, [keys.RecurringDue],
            [limit, keys.RecurringPrefix, keys.RecurringLockPrefix, keys.RecurringRunsPrefix]).ConfigureAwait(false))!;
        DateTimeOffset? next = reply[1].IsNull ? null : RedisRecords.FromUnixMs((long)(double)reply[1]);
        return new RecurringDue(Entries(reply, 2), RedisRecords.FromUnixMs((long)reply[0]), next);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One script call on the record, the due index, the record's lock and the outbox; then the
    /// message is relayed to its queue as <see cref="FirePeriodicAsync"/> relays.
    /// </remarks>
    public async ValueTask<RecurringFireStatus> FireRecurringAsync(RecurringFire fire, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fire);
        ArgumentException.ThrowIfNullOrEmpty(fire.Queue);
        if (fire.LockOwner is not null && fire.LockTtl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(fire), fire.LockTtl, "a lock needs a positive time to live");
        }
        var target = NextPartition(fire.Queue);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.FireRecurring,
            [keys.Recurring(fire.Id), keys.RecurringDue, keys.RecurringLock(fire.Id), keys.Outbox, keys.Sequence],
            [fire.Id, fire.ExpectedVersion, fire.Body, Ms(fire.NextRun), RedisRecords.Entry(fire.Message.Span), fire.LockOwner ?? "", Milliseconds(fire.LockTtl),
             fire.Priority, target.Name])
            .ConfigureAwait(false))!;
        var status = (long)reply[0] switch
        {
            0 => RecurringFireStatus.Fired,
            1 => RecurringFireStatus.VersionConflict,
            2 => RecurringFireStatus.Busy,
            _ => RecurringFireStatus.Missing,
        };
        if (status == RecurringFireStatus.Fired) await RelayAsync((byte[])reply[1]!).ConfigureAwait(false);
        return status;
    }

    /// <summary>Reads records laid out seven fields each from <paramref name="start"/>: id, label, body, next, version, running, busy.</summary>
    private static List<RecurringEntry> Entries(RedisResult[] reply, int start)
    {
        var entries = new List<RecurringEntry>((reply.Length - start) / 7);
        for (int i = start; i + 6 < reply.Length; i += 7)
        {
            DateTimeOffset? next = reply[i + 3].IsNull ? null : RedisRecords.FromUnixMs(long.Parse((string)reply[i + 3]!, CultureInfo.InvariantCulture));
            entries.Add(new RecurringEntry((string)reply[i]!, (string)reply[i + 1]!, (byte[])reply[i + 2]!, next, (long)reply[i + 4],
                Running: (long)reply[i + 5] == 1, Busy: (long)reply[i + 6] == 1));
        }
        return entries;
    }

    private static RedisValue Ms(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : "";

    private static long Milliseconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalMilliseconds));
}
