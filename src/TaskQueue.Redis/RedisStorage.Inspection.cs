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
        var q = PartitionsOf(queue)[0];
        await RegisterAsync(q).ConfigureAwait(false);
        await db.ScriptEvaluateAsync(LuaScripts.DeadLetter, [q.DeadLetters, q.Sequence], [queue, reason ?? "unknown", message])
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One script call per queue drops those older than <paramref name="maxAge"/>; when more than
    /// <paramref name="maxCount"/> are left across the queues, the oldest of them go too (dead letters
    /// are ordered by when they were written, by Redis <c>TIME</c>).
    /// </remarks>
    public async ValueTask<int> TrimDeadLettersAsync(int maxCount, TimeSpan maxAge, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        long ageMs = Math.Max(0, (long)Math.Min(maxAge.TotalMilliseconds, long.MaxValue / 2));
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        var trims = new Task<RedisResult>[queues.Length];
        for (int i = 0; i < queues.Length; i++) trims[i] = db.ScriptEvaluateAsync(LuaScripts.TrimDeadLetters, [queues[i].DeadLetters], [int.MaxValue, ageMs]);
        int removed = 0;
        foreach (var t in trims) removed += (int)await t.ConfigureAwait(false);

        var counts = new Task<long>[queues.Length];
        for (int i = 0; i < queues.Length; i++) counts[i] = db.SortedSetLengthAsync(queues[i].DeadLetters);
        long total = 0;
        foreach (var c in counts) total += await c.ConfigureAwait(false);
        long excess = total - maxCount;
        if (excess <= 0) return removed;
        // The oldest `excess` across queues: each queue's oldest `excess`, merged by time.
        var oldest = new List<(long At, long Number, QueueKeys Queue, RedisValue Member)>();
        for (int i = 0; i < queues.Length; i++)
        {
            foreach (var m in await db.SortedSetRangeByRankAsync(queues[i].DeadLetters, 0, excess - 1).ConfigureAwait(false))
            {
                var d = RedisRecords.ParseDeadLetter((byte[])m!, queues[i].Name);
                oldest.Add((d.At.ToUnixTimeMilliseconds(), RedisRecords.DeadLetterNumber((byte[])m!), queues[i], m));
            }
        }
        oldest.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Number.CompareTo(b.Number));
        var deletes = new List<Task<bool>>();
        for (int i = 0; i < excess && i < oldest.Count; i++) deletes.Add(db.SortedSetRemoveAsync(oldest[i].Queue.DeadLetters, oldest[i].Member));
        foreach (var d in deletes) if (await d.ConfigureAwait(false)) removed++;
        return removed;
    }

    /// <inheritdoc />
    /// <remarks>Newest first across queues: each queue's newest, merged by when they were written.</remarks>
    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        var reads = new Task<RedisValue[]>[queues.Length];
        for (int i = 0; i < queues.Length; i++) reads[i] = db.SortedSetRangeByRankAsync(queues[i].DeadLetters, 0, limit - 1, Order.Descending);
        var all = new List<(DeadLetter Letter, long Number)>();
        for (int i = 0; i < queues.Length; i++)
        {
            foreach (var m in await reads[i].ConfigureAwait(false))
            {
                all.Add((RedisRecords.ParseDeadLetter((byte[])m!, queues[i].Name), RedisRecords.DeadLetterNumber((byte[])m!)));
            }
        }
        all.Sort((a, b) => a.Letter.At != b.Letter.At ? b.Letter.At.CompareTo(a.Letter.At) : b.Number.CompareTo(a.Number));
        return [.. all.Take(limit).Select(x => x.Letter)];
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        if (!TryParseId(deadLetterId, out var q, out long n)) return false;
        var reply = await db.ScriptEvaluateAsync(LuaScripts.RequeueDeadLetter, [q.DeadLetters, q.Ready], [n]).ConfigureAwait(false);
        return (int)reply == 1;
    }

    /// <inheritdoc />
    /// <remarks>One <c>ZREMRANGEBYSCORE</c>: the number is the dead letter's score.</remarks>
    public async ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
    {
        if (!TryParseId(deadLetterId, out var q, out long n)) return false;
        return await db.SortedSetRemoveRangeByScoreAsync(q.DeadLetters, n, n).ConfigureAwait(false) > 0;
    }

    /// <summary>Reads a dead letter's id, <c>&lt;queue&gt;/&lt;number&gt;</c>.</summary>
    private bool TryParseId(string? id, out QueueKeys queue, out long number)
    {
        queue = null!;
        number = 0;
        int slash = id?.LastIndexOf('/') ?? -1;
        if (slash <= 0 || !long.TryParse(id.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out number) || number <= 0) return false;
        queue = keys.Of(id![..slash]);
        return true;
    }

    /// <inheritdoc />
    /// <remarks>One script call per partition: the highest priority first, as takes serve them.</remarks>
    public async ValueTask<IReadOnlyList<byte[]>> PendingAsync(string queue, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        if (limit <= 0) return [];
        var found = new List<byte[]>();
        foreach (var q in PartitionsOf(queue))
        {
            var reply = await ReadyAsync(q, limit - found.Count).ConfigureAwait(false);
            for (int i = 1; i < reply.Length; i++) found.Add(((byte[])reply[i]!)[1..]);
            if (found.Count >= limit) break;
        }
        return found;
    }

    /// <inheritdoc />
    public async ValueTask<long> QueueLengthAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        long total = 0;
        foreach (var q in PartitionsOf(queue)) total += (long)(await ReadyAsync(q, 0).ConfigureAwait(false))[0];
        return total;
    }

    private async Task<RedisResult[]> ReadyAsync(QueueKeys q, int list)
        => (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.Ready, [q.Ready, q.Priorities, q.Marked], [q.ReadyPrefix, list]).ConfigureAwait(false))!;

    /// <inheritdoc />
    /// <remarks>Each queue's soonest, merged by eta.</remarks>
    public async ValueTask<IReadOnlyList<ScheduledMessage>> ScheduledAsync(int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) return [];
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        var reads = new Task<SortedSetEntry[]>[queues.Length];
        for (int i = 0; i < queues.Length; i++) reads[i] = db.SortedSetRangeByRankWithScoresAsync(queues[i].Schedule, 0, limit - 1);
        var all = new List<ScheduledMessage>();
        for (int i = 0; i < queues.Length; i++)
        {
            foreach (var m in await reads[i].ConfigureAwait(false)) all.Add(RedisRecords.ParseScheduled((byte[])m.Element!, m.Score, QueueOf(queues[i].Name)));
        }
        all.Sort((a, b) => a.Eta.CompareTo(b.Eta));
        return all.Count > limit ? all.GetRange(0, limit) : all;
    }

    /// <inheritdoc />
    /// <remarks>Walks the result keys with <c>SCAN</c> on every primary: for tools, not for hot paths.</remarks>
    public async ValueTask<IReadOnlyList<KeyValuePair<string, byte[]>>> ResultsAsync(int limit, CancellationToken cancellationToken = default)
    {
        var found = new List<KeyValuePair<string, byte[]>>();
        if (limit <= 0) return found;
        foreach (var server in Primaries())
        {
            var page = new List<RedisKey>(ScanPage);
            await foreach (var key in server.KeysAsync(db.Database, keys.ResultKeysPattern, ScanPage).ConfigureAwait(false))
            {
                page.Add(key);
                if (page.Count == ScanPage && await ReadPageAsync(page) >= limit) return found;
            }
            if (await ReadPageAsync(page).ConfigureAwait(false) >= limit) return found;
        }
        return found;

        async Task<int> ReadPageAsync(List<RedisKey> page)
        {
            if (page.Count == 0) return found.Count;
            cancellationToken.ThrowIfCancellationRequested();
            var reads = new Task<RedisValue>[page.Count];
            for (int i = 0; i < reads.Length; i++) reads[i] = db.StringGetAsync(page[i]);
            for (int i = 0; i < reads.Length; i++)
            {
                var value = await reads[i].ConfigureAwait(false);
                // A key that expired since the scan reads as null.
                if (!value.IsNull && found.Count < limit) found.Add(KeyValuePair.Create(keys.TaskIdOf(page[i]), (byte[])value!));
            }
            page.Clear();
            return found.Count;
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>HKEYS</c> per queue: the receipt says when and from which queue (<c>&lt;seq&gt;|&lt;taken ms&gt;|&lt;priority&gt;|&lt;queue&gt;</c>).</remarks>
    public async ValueTask<IReadOnlyList<InFlightMessage>> InFlightAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        var reads = new Task<RedisValue[]>[queues.Length];
        for (int i = 0; i < queues.Length; i++) reads[i] = db.HashKeysAsync(queues[i].Processing(consumerId));
        var list = new List<InFlightMessage>();
        foreach (var read in reads)
        {
            foreach (var value in await read.ConfigureAwait(false))
            {
                string receipt = value!;
                int first = receipt.IndexOf('|', StringComparison.Ordinal);
                int second = first < 0 ? -1 : receipt.IndexOf('|', first + 1);
                string? partition = PartitionOfReceipt(receipt);
                if (second < 0 || partition is null
                    || !long.TryParse(receipt.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)) continue;
                list.Add(new InFlightMessage(receipt, QueueOf(partition), DateTimeOffset.FromUnixTimeMilliseconds(ms)));
            }
        }
        return list;
    }

    /// <inheritdoc />
    /// <remarks>One script call per queue, pipelined.</remarks>
    public async ValueTask<long> InFlightCountAsync(CancellationToken cancellationToken = default)
        => await InFlightCountAsync(await RegisteredQueuesAsync().ConfigureAwait(false)).ConfigureAwait(false);

    private async Task<long> InFlightCountAsync(QueueKeys[] queues)
    {
        var counts = new Task<RedisResult>[queues.Length];
        for (int i = 0; i < queues.Length; i++) counts[i] = db.ScriptEvaluateAsync(LuaScripts.InFlightCount, [queues[i].Consumers], [queues[i].ProcessingPrefix]);
        long total = 0;
        foreach (var c in counts) total += (long)await c.ConfigureAwait(false);
        return total;
    }

    /// <inheritdoc />
    /// <remarks>Two pipelined round trips: the registry of queues, then the length of each queue asked about and, for every queue, its schedule, dead letters and in-flight records.</remarks>
    public async ValueTask<StorageCounts> CountAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var all = await RegisteredQueuesAsync().ConfigureAwait(false);
        var lengths = new Task<long>[queues.Count];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = QueueLengthAsync(queues[i], cancellationToken).AsTask();
        var scheduled = new Task<long>[all.Length];
        var dead = new Task<long>[all.Length];
        for (int i = 0; i < all.Length; i++)
        {
            scheduled[i] = db.SortedSetLengthAsync(all[i].Schedule);
            dead[i] = db.SortedSetLengthAsync(all[i].DeadLetters);
        }
        var inFlight = InFlightCountAsync(all);
        var counts = new long[lengths.Length];
        for (int i = 0; i < counts.Length; i++) counts[i] = await lengths[i].ConfigureAwait(false);
        long s = 0, d = 0;
        for (int i = 0; i < all.Length; i++)
        {
            s += await scheduled[i].ConfigureAwait(false);
            d += await dead[i].ConfigureAwait(false);
        }
        return new StorageCounts(counts, s, await inFlight.ConfigureAwait(false), d);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes every key of the application (found with <c>SCAN</c> on every primary) and nothing
    /// else. Other processes' storages add their queues to the registry again on their next write
    /// to each, or within a minute.
    /// </remarks>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        foreach (var server in Primaries())
        {
            foreach (var pattern in keys.AllKeysPatterns)
            {
                var page = new List<Task>(ScanPage);
                await foreach (var key in server.KeysAsync(db.Database, pattern, ScanPage).ConfigureAwait(false))
                {
                    // One key a DEL: keys of different slots cannot go in one command on a cluster.
                    page.Add(db.KeyDeleteAsync(key));
                    if (page.Count < ScanPage) continue;
                    cancellationToken.ThrowIfCancellationRequested();
                    await Task.WhenAll(page).ConfigureAwait(false);
                    page.Clear();
                }
                await Task.WhenAll(page).ConfigureAwait(false);
            }
        }
        registered.Clear();
    }
}
