using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>What <see cref="RedisStorage.MigrateLayoutAsync"/> moved from the single-slot layout.</summary>
/// <param name="Queued">Messages moved from the old queue lists.</param>
/// <param name="HandedBack">In-flight messages of the old layout's consumers, put back at the head of their queues.</param>
/// <param name="Scheduled">Scheduled messages moved to their queues' schedules.</param>
/// <param name="DeadLetters">Dead letters moved to their queues.</param>
/// <param name="Results">Stored results moved, with what was left of their time to live.</param>
/// <param name="Queues">The queues the moved messages went to.</param>
public sealed record LayoutMigration(long Queued, long HandedBack, long Scheduled, long DeadLetters, long Results, IReadOnlyList<string> Queues)
{
    /// <summary>Whether there was nothing to move.</summary>
    public bool Nothing => Queued + HandedBack + Scheduled + DeadLetters + Results == 0;
}

public sealed partial class RedisStorage
{
    private const int MigrationChunk = 500;

    /// <summary>
    /// Moves what the single-slot layout of TaskQueue 0.2 and earlier (every key under <c>{tq:&lt;app&gt;}</c>)
    /// holds into the layout of this version (a hash tag per queue and per result): queued,
    /// scheduled and dead-lettered messages, the in-flight messages of stopped consumers (handed back
    /// to the head of their queues, one delivery counted), and stored results. Revocations, periodic
    /// claims, recurring records, locks and counters keep their keys and need nothing. Safe to run
    /// again: a second run moves only what old producers wrote since.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Run it with the old workers stopped (their in-flight messages are handed back as if they had
    /// died) and, once producers of this version are deployed, again to sweep what old producers
    /// wrote in between. New workers need not wait: they serve what has been moved while the rest follows.
    /// </para>
    /// <para>
    /// Each chunk of up to 500 messages is copied to its new key, then removed from the old one: a
    /// run stopped in between leaves that chunk in both, and the next run moves it again, so a crash
    /// of the migration can run up to 500 messages twice; nothing is lost. The old keys are on one
    /// server, found with <c>SCAN</c>.
    /// </para>
    /// </remarks>
    public async Task<LayoutMigration> MigrateLayoutAsync(CancellationToken cancellationToken = default)
    {
        string old = keys.Prefix;
        var server = connection.GetServer(keys.Queues);
        var queues = new SortedSet<string>(StringComparer.Ordinal);
        long queued = 0, handedBack = 0, scheduled = 0, dead = 0, results = 0;

        // Queue lists: "{tq:app}:q:<queue>", entries as they are.
        foreach (var key in await ScanAsync(server, old + "q:").ConfigureAwait(false))
        {
            string queue = ((string)key!)[(old.Length + 2)..];
            var target = keys.Of(queue);
            await RegisterAsync(target).ConfigureAwait(false);
            queues.Add(queue);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = await db.ListRangeAsync(key, 0, MigrationChunk - 1).ConfigureAwait(false);
                if (chunk.Length == 0) break;
                await db.ListRightPushAsync(target.Ready, chunk).ConfigureAwait(false);
                await db.ListTrimAsync(key, chunk.Length, -1).ConfigureAwait(false);
                queued += chunk.Length;
            }
        }

        // In-flight hashes: "{tq:app}:p:<consumer>", field "<seq>|<taken ms>|<queue>", value the entry.
        foreach (var key in await ScanAsync(server, old + "p:").ConfigureAwait(false))
        {
            var records = await db.HashGetAllAsync(key).ConfigureAwait(false);
            var byQueue = new Dictionary<string, List<(long Seq, byte[] Entry)>>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                string receipt = record.Name!;
                int first = receipt.IndexOf('|', StringComparison.Ordinal);
                int second = first < 0 ? -1 : receipt.IndexOf('|', first + 1);
                byte[] entry = record.Value!;
                if (second < 0 || entry.Length < 2 || !long.TryParse(receipt.AsSpan(0, first), NumberStyles.None, CultureInfo.InvariantCulture, out long seq)) continue;
                string queue = receipt[(second + 1)..];
                if (!byQueue.TryGetValue(queue, out var list)) byQueue[queue] = list = [];
                entry = (byte[])entry.Clone();
                entry[0] = (byte)Math.Min(entry[0] + 1, RedisRecords.MaxDeliveries);
                list.Add((seq, entry));
            }
            foreach (var (queue, list) in byQueue)
            {
                var target = keys.Of(queue);
                await RegisterAsync(target).ConfigureAwait(false);
                queues.Add(queue);
                // LPUSH of the newest first leaves the oldest at the head, in the order they were taken.
                list.Sort((a, b) => b.Seq.CompareTo(a.Seq));
                await db.ListLeftPushAsync(target.Ready, [.. list.Select(r => (RedisValue)r.Entry)]).ConfigureAwait(false);
                handedBack += list.Count;
            }
            await db.KeyDeleteAsync(key).ConfigureAwait(false);
        }

        // The schedule: member "<uid>|<queue length>|<queue><message>", scored by eta.
        RedisKey oldSchedule = old + "schedule";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await db.SortedSetRangeByRankWithScoresAsync(oldSchedule, 0, MigrationChunk - 1).ConfigureAwait(false);
            if (chunk.Length == 0) break;
            var writes = new List<Task>();
            foreach (var item in chunk)
            {
                byte[] member = item.Element!;
                if (!TrySplitOld(member, fieldCount: 2, lengthField: 1, out var fields, out string queue, out int at)) continue;
                var target = keys.Of(queue);
                await RegisterAsync(target).ConfigureAwait(false);
                queues.Add(queue);
                // Now "<uid>|<priority>|<message>": the uid stays, the priority is 0.
                byte[] head = [.. fields[0], .. "|0|"u8];
                var moved = new byte[head.Length + member.Length - at];
                head.CopyTo(moved, 0);
                member.AsSpan(at).CopyTo(moved.AsSpan(head.Length));
                writes.Add(db.SortedSetAddAsync(target.Schedule, moved, item.Score));
            }
            await Task.WhenAll(writes).ConfigureAwait(false);
            await db.SortedSetRemoveAsync(oldSchedule, [.. chunk.Select(c => c.Element)]).ConfigureAwait(false);
            scheduled += chunk.Length;
        }

        // Dead letters: member "<id>|<at>|<queue length>|<reason length>|<queue><reason><message>", the
        // same as now; the id stays the number (and score) in the queue's set.
        RedisKey oldDead = old + "dead";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await db.SortedSetRangeByRankWithScoresAsync(oldDead, 0, MigrationChunk - 1).ConfigureAwait(false);
            if (chunk.Length == 0) break;
            var writes = new List<Task>();
            foreach (var item in chunk)
            {
                byte[] member = item.Element!;
                if (!TrySplitOld(member, fieldCount: 4, lengthField: 2, out _, out string queue, out _)) continue;
                var target = keys.Of(queue);
                await RegisterAsync(target).ConfigureAwait(false);
                queues.Add(queue);
                writes.Add(db.SortedSetAddAsync(target.DeadLetters, member, item.Score));
                // The queue's counter must stay above the numbers moved in.
                writes.Add(db.ScriptEvaluateAsync(RaiseCounter, [target.Sequence], [(long)item.Score]));
            }
            await Task.WhenAll(writes).ConfigureAwait(false);
            await db.SortedSetRemoveAsync(oldDead, [.. chunk.Select(c => c.Element)]).ConfigureAwait(false);
            dead += chunk.Length;
        }

        // Results: "{tq:app}:r:<id>", strings with what is left of their expiry.
        foreach (var key in await ScanAsync(server, old + "r:").ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await db.StringGetWithExpiryAsync(key).ConfigureAwait(false);
            if (value.Value.IsNull) continue;
            var target = keys.Result(((string)key!)[(old.Length + 2)..]);
            if (value.Expiry is { } left) await db.StringSetAsync(target, value.Value, TimeSpan.FromMilliseconds(Math.Max(1, left.TotalMilliseconds))).ConfigureAwait(false);
            else await db.StringSetAsync(target, value.Value).ConfigureAwait(false);
            await db.KeyDeleteAsync(key).ConfigureAwait(false);
            results++;
        }

        // What the old layout kept for its own delivery path and nothing reads now.
        await db.KeyDeleteAsync(old + "consumers").ConfigureAwait(false);
        foreach (var prefix in new[] { "tk:", "sent:" })
        {
            foreach (var key in await ScanAsync(server, old + prefix).ConfigureAwait(false)) await db.KeyDeleteAsync(key).ConfigureAwait(false);
        }
        return new LayoutMigration(queued, handedBack, scheduled, dead, results, [.. queues]);
    }

    // Raises a counter to at least ARGV[1]. KEYS: 1 counter.
    private const string RaiseCounter = """
        local n = tonumber(redis.call('GET', KEYS[1]) or '0')
        if n < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
        return 1
        """;

    private async Task<List<RedisKey>> ScanAsync(IServer server, string prefix)
    {
        var found = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(db.Database, RedisKeys.PrefixPattern(prefix), ScanPage).ConfigureAwait(false)) found.Add(key);
        return found;
    }

    /// <summary>
    /// Splits an old record: <paramref name="fieldCount"/> fields ending in '|', of which field
    /// <paramref name="lengthField"/> (0-based) is the byte length of the queue name that follows them;
    /// <paramref name="rest"/> is where the bytes after the queue name start.
    /// </summary>
    private static bool TrySplitOld(byte[] member, int fieldCount, int lengthField, out List<byte[]> fields, out string queue, out int rest)
    {
        fields = [];
        queue = "";
        rest = 0;
        int at = 0;
        for (int i = 0; i < fieldCount; i++)
        {
            int bar = Array.IndexOf(member, (byte)'|', at);
            if (bar < 0) return false;
            fields.Add(member[at..bar]);
            at = bar + 1;
        }
        if (!int.TryParse(Encoding.ASCII.GetString(fields[lengthField]), NumberStyles.None, CultureInfo.InvariantCulture, out int length) || at + length > member.Length) return false;
        queue = Encoding.UTF8.GetString(member, at, length);
        rest = at + length;
        return length > 0;
    }
}
