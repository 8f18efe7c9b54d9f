using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Dead letters, and what tools and tests read: queues, the schedule, results, flushing.</content>
public sealed partial class RedisStorage
{
    private const int ScanPage = 500;

    /// <inheritdoc />
    public async ValueTask DeadLetterAsync(string queue, ReadOnlyMemory<byte> message, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        await db.ScriptEvaluateAsync(LuaScripts.DeadLetter, [keys.DeadLetters, keys.Sequence], [queue, reason ?? "unknown", message])
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One script call; dead letters are ordered by id, which follows the time they were written.</remarks>
    public async ValueTask<int> TrimDeadLettersAsync(int maxCount, TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        long ageMs = Math.Max(0, (long)Math.Min(maxAge.TotalMilliseconds, long.MaxValue / 2));
        return (int)await db.ScriptEvaluateAsync(LuaScripts.TrimDeadLetters, [keys.DeadLetters], [maxCount, ageMs]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        var members = await db.SortedSetRangeByRankAsync(keys.DeadLetters, 0, limit - 1, Order.Descending).ConfigureAwait(false);
        return Array.ConvertAll(members, m => RedisRecords.ParseDeadLetter((byte[])m!));
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        if (!TryParseId(deadLetterId, out long id)) return false;
        var reply = await db.ScriptEvaluateAsync(LuaScripts.RequeueDeadLetter, [keys.DeadLetters], [keys.QueuePrefix, id])
            .ConfigureAwait(false);
        return (int)reply == 1;
    }

    /// <inheritdoc />
    /// <remarks>One <c>ZREMRANGEBYSCORE</c>: the id is the dead letter's score.</remarks>
    public async ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        if (!TryParseId(deadLetterId, out long id)) return false;
        return await db.SortedSetRemoveRangeByScoreAsync(keys.DeadLetters, id, id).ConfigureAwait(false) > 0;
    }

    private static bool TryParseId(string? id, out long value)
        => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<byte[]>> PendingAsync(string queue, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        if (limit <= 0) return [];
        var entries = await db.ListRangeAsync(keys.Queue(queue), 0, limit - 1).ConfigureAwait(false);
        return Array.ConvertAll(entries, e => ((byte[])e!)[1..]);
    }

    /// <inheritdoc />
    public async ValueTask<long> QueueLengthAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        return await db.ListLengthAsync(keys.Queue(queue)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ScheduledMessage>> ScheduledAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        var members = await db.SortedSetRangeByRankWithScoresAsync(keys.Schedule, 0, limit - 1).ConfigureAwait(false);
        return Array.ConvertAll(members, m => RedisRecords.ParseScheduled((byte[])m.Element!, m.Score));
    }

    /// <inheritdoc />
    /// <remarks>Walks the result keys with <c>SCAN</c>: for tools, not for hot paths.</remarks>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, byte[]>>> ResultsAsync(int limit, CancellationToken cancellationToken = default)
    {
        var found = new List<KeyValuePair<string, byte[]>>();
        if (limit <= 0) return found;
        var page = new List<RedisKey>(ScanPage);
        await foreach (var key in ServerOfApplication().KeysAsync(db.Database, keys.ResultKeysPattern, ScanPage).ConfigureAwait(false))
        {
            page.Add(key);
            if (page.Count == ScanPage && await ReadPageAsync() >= limit) return found;
        }
        await ReadPageAsync().ConfigureAwait(false);
        return found;

        async Task<int> ReadPageAsync()
        {
            if (page.Count == 0) return found.Count;
            cancellationToken.ThrowIfCancellationRequested();
            var batch = page.ToArray();
            page.Clear();
            var values = await db.StringGetAsync(batch).ConfigureAwait(false);
            for (int i = 0; i < batch.Length && found.Count < limit; i++)
            {
                // A key that expired since the scan reads as null.
                if (!values[i].IsNull) found.Add(KeyValuePair.Create(keys.TaskIdOf(batch[i]), (byte[])values[i]!));
            }
            return found.Count;
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>HKEYS</c>: the receipt says when and from which queue (<c>&lt;seq&gt;|&lt;taken ms&gt;|&lt;queue&gt;</c>).</remarks>
    public async ValueTask<IReadOnlyList<InFlightMessage>> InFlightAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        var receipts = await db.HashKeysAsync(keys.Processing(consumerId)).ConfigureAwait(false);
        var list = new List<InFlightMessage>(receipts.Length);
        foreach (var value in receipts)
        {
            string receipt = value!;
            int first = receipt.IndexOf('|', StringComparison.Ordinal);
            int second = first < 0 ? -1 : receipt.IndexOf('|', first + 1);
            if (second < 0 || !long.TryParse(receipt.AsSpan(first + 1, second - first - 1), System.Globalization.CultureInfo.InvariantCulture, out long ms)) continue;
            list.Add(new InFlightMessage(receipt, receipt[(second + 1)..], DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }
        return list;
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<long> InFlightCountAsync(CancellationToken cancellationToken = default)
        => (long)await db.ScriptEvaluateAsync(LuaScripts.InFlightCount, [keys.Consumers], [keys.ProcessingPrefix]).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>One pipelined round trip: <c>LLEN</c> per queue, <c>ZCARD</c> of the schedule and of dead letters, and the in-flight count.</remarks>
    public async ValueTask<StorageCounts> CountAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var batch = db.CreateBatch();
        var lengths = new Task<long>[queues.Count];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = batch.ListLengthAsync(keys.Queue(queues[i]));
        var scheduled = batch.SortedSetLengthAsync(keys.Schedule);
        var dead = batch.SortedSetLengthAsync(keys.DeadLetters);
        var inFlight = batch.ScriptEvaluateAsync(LuaScripts.InFlightCount, [keys.Consumers], [keys.ProcessingPrefix]);
        batch.Execute();
        var counts = new long[lengths.Length];
        for (int i = 0; i < counts.Length; i++) counts[i] = await lengths[i].ConfigureAwait(false);
        return new StorageCounts(counts, await scheduled.ConfigureAwait(false), (long)await inFlight.ConfigureAwait(false), await dead.ConfigureAwait(false));
    }

    /// <inheritdoc />
    /// <remarks>Deletes every key under the application's hash tag (found with <c>SCAN</c>) and nothing else.</remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var page = new List<RedisKey>(ScanPage);
        await foreach (var key in ServerOfApplication().KeysAsync(db.Database, keys.AllKeysPattern, ScanPage).ConfigureAwait(false))
        {
            page.Add(key);
            if (page.Count < ScanPage) continue;
            cancellationToken.ThrowIfCancellationRequested();
            await db.KeyDeleteAsync(page.ToArray()).ConfigureAwait(false);
            page.Clear();
        }
        if (page.Count > 0) await db.KeyDeleteAsync(page.ToArray()).ConfigureAwait(false);
    }

    /// <summary>The server holding the application's slot (the only one, unless on a cluster).</summary>
    private IServer ServerOfApplication() => connection.GetServer(keys.Consumers);
}
