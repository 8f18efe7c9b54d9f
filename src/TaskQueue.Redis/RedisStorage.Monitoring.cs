using System.Globalization;
using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <content>Consumers' descriptions, counters and the pause switch of periodic tasks.</content>
public sealed partial class RedisStorage
{
    /// <inheritdoc />
    /// <remarks>One script call: the description with its expiry, and its place in the index.</remarks>
    public async ValueTask PutConsumerAsync(string consumerId, ReadOnlyMemory<byte> description, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await db.ScriptEvaluateAsync(LuaScripts.PutConsumer, [keys.ConsumerDescription(consumerId), keys.ConsumerIndex],
            [consumerId, description, Milliseconds(ttl)]).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask RemoveConsumerAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        await db.KeyDeleteAsync(keys.ConsumerDescription(consumerId)).ConfigureAwait(false);
        await db.SortedSetRemoveAsync(keys.ConsumerIndex, consumerId).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<IReadOnlyList<ConsumerEntry>> ListConsumersAsync(CancellationToken cancellationToken = default)
    {
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.ListConsumers, [keys.ConsumerIndex], [keys.ConsumerDescriptionPrefix])
            .ConfigureAwait(false))!;
        var entries = new List<ConsumerEntry>(reply.Length / 3);
        for (int i = 0; i + 2 < reply.Length; i += 3)
        {
            entries.Add(new ConsumerEntry((string)reply[i]!, (byte[])reply[i + 1]!, RedisRecords.FromUnixMs((long)(double)reply[i + 2])));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.ConsumerId, b.ConsumerId));
        return entries;
    }

    /// <inheritdoc />
    /// <remarks>One script call for all the counts; the buckets are by Redis <c>TIME</c>.</remarks>
    public async ValueTask AddStatsAsync(IReadOnlyList<StatCount> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0) return;
        var args = new RedisValue[2 + 2 * counts.Count];
        args[0] = keys.MinuteStatsPrefix;
        args[1] = keys.HourStatsPrefix;
        for (int i = 0; i < counts.Count; i++)
        {
            args[2 + 2 * i] = counts[i].Key;
            args[3 + 2 * i] = counts[i].Count;
        }
        await db.ScriptEvaluateAsync(LuaScripts.AddStats, [keys.StatsAnchor], args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One script call.</remarks>
    public async ValueTask<StatsWindow> ReadStatsAsync(int minutes, int hours, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        var reply = (RedisResult[])(await db.ScriptEvaluateAsync(LuaScripts.ReadStats, [keys.StatsAnchor],
            [keys.MinuteStatsPrefix, keys.HourStatsPrefix, minutes, hours]).ConfigureAwait(false))!;
        long found = (long)reply[1];
        var minuteBuckets = new List<StatBucket>();
        var hourBuckets = new List<StatBucket>();
        for (int i = 2, n = 0; i + 1 < reply.Length; i += 2, n++)
        {
            long bucket = (long)reply[i];
            var values = (RedisResult[])reply[i + 1]!;
            var counts = new Dictionary<string, long>(values.Length / 2, StringComparer.Ordinal);
            for (int j = 0; j + 1 < values.Length; j += 2) counts[(string)values[j]!] = long.Parse((string)values[j + 1]!, CultureInfo.InvariantCulture);
            if (n < found) minuteBuckets.Add(new StatBucket(RedisRecords.FromUnixMs(bucket * 60_000), counts));
            else hourBuckets.Add(new StatBucket(RedisRecords.FromUnixMs(bucket * 3_600_000), counts));
        }
        return new StatsWindow(RedisRecords.FromUnixMs((long)reply[0]), minuteBuckets, hourBuckets);
    }

    /// <inheritdoc />
    public async ValueTask SetPeriodicPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (paused) await db.SetAddAsync(keys.PausedPeriodic, name).ConfigureAwait(false);
        else await db.SetRemoveAsync(keys.PausedPeriodic, name).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> PausedPeriodicAsync(CancellationToken cancellationToken = default)
    {
        var members = await db.SetMembersAsync(keys.PausedPeriodic).ConfigureAwait(false);
        return members.Select(m => (string)m!).Order(StringComparer.Ordinal).ToList();
    }
}
