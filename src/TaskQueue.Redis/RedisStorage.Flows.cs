using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Sends once per key, and chords.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>
    /// One script on the queue's slot. On a partitioned queue the key picks the partition (by its hash), so that every
    /// send with the same key meets the same key.
    /// </remarks>
    public async ValueTask<UniqueSend> EnqueueUniqueAsync(string queue, ReadOnlyMemory<byte> message, string key, string value, TimeSpan keyTtl,
        DateTimeOffset? eta = null, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keyTtl, TimeSpan.Zero);
        var target = PartitionFor(queue, key);
        await RegisterAsync(target).ConfigureAwait(false);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.EnqueueUnique,
            [target.Ready, target.Priorities, target.Marked, target.Unique(key), target.Schedule, target.Sequence],
            [priority, target.ReadyPrefix, RedisRecords.CeilingMs(keyTtl), eta is { } due ? Math.Max(1, due.ToUnixTimeMilliseconds()) : 0, message, value])
            .ConfigureAwait(false))!;
        bool stored = (long)reply[0] == 1;
        if (stored) await ReplicatedAsync(target.Ready).ConfigureAwait(false);
        return new UniqueSend(stored, (string)reply[1]!);
    }

    /// <inheritdoc />
    /// <remarks>One script (a compare and delete) on the queue's slot.</remarks>
    public async ValueTask<bool> ReleaseUniqueAsync(string queue, string key, string? value = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.ReleaseUnique, [PartitionFor(queue, key).Unique(key)], [value ?? ""]).ConfigureAwait(false);
        return (long)reply == 1;
    }

    /// <inheritdoc />
    /// <remarks>One script on the application's slot (the chord's hash).</remarks>
    public async ValueTask<IReadOnlyList<byte[]>?> AddChordResultAsync(string chordId, int index, int count, ReadOnlyMemory<byte> result, TimeSpan ttl,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(chordId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var reply = await db.ScriptEvaluateAsync(LuaScripts.AddChordResult, [keys.Chord(chordId)],
            [index, count, result, RedisRecords.CeilingMs(ttl)]).ConfigureAwait(false);
        if (reply.IsNull) return null;
        var pairs = (RedisValue[])reply!;
        var results = new byte[count][];
        for (int i = 0; i + 1 < pairs.Length; i += 2)
        {
            // Fields the chord does not have (another count under the same id) are ignored.
            if (int.TryParse((string?)pairs[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int member)
                && member < count)
            {
                results[member] = (byte[])pairs[i + 1]!;
            }
        }
        // A member missing can only be one whose record expired between calls: the chord is not done.
        return Array.IndexOf(results, null) >= 0 ? null : results;
    }

    /// <summary>The partition of <paramref name="queue"/> that keeps <paramref name="key"/>: always the same one for a key.</summary>
    private QueueKeys PartitionFor(string queue, string key)
    {
        var all = PartitionsOf(queue);
        if (all.Length == 1) return all[0];
        uint hash = 2166136261;
        foreach (char c in key) hash = (hash ^ c) * 16777619;
        return all[(int)(hash % (uint)all.Length)];
    }
}
