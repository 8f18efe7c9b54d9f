namespace TaskQueue.Storage;

public sealed partial class MemoryStorage
{
    private static readonly TimeSpan MinuteBucketsKept = TimeSpan.FromHours(2);
    private static readonly TimeSpan HourBucketsKept = TimeSpan.FromHours(25);
    private readonly Dictionary<string, (byte[] Description, DateTimeOffset Expires)> consumers = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, Dictionary<string, long>> minuteStats = [];
    private readonly SortedDictionary<long, Dictionary<string, long>> hourStats = [];
    private readonly HashSet<string> pausedPeriodic = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask PutConsumerAsync(string consumerId, ReadOnlyMemory<byte> description, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (gate) consumers[consumerId] = (description.ToArray(), time.GetUtcNow() + ttl);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveConsumerAsync(string consumerId, CancellationToken cancellationToken = default)
    {
        lock (gate) consumers.Remove(consumerId);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ConsumerEntry>> ListConsumersAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            foreach (var gone in consumers.Where(c => c.Value.Expires <= now).Select(c => c.Key).ToList()) consumers.Remove(gone);
            return new(consumers.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new ConsumerEntry(c.Key, c.Value.Description, c.Value.Expires)).ToList());
        }
    }

    /// <inheritdoc />
    public ValueTask AddStatsAsync(IReadOnlyList<StatCount> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (gate)
        {
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            Add(minuteStats, now / 60_000, counts, now / 60_000 - (long)MinuteBucketsKept.TotalMinutes);
            Add(hourStats, now / 3_600_000, counts, now / 3_600_000 - (long)HourBucketsKept.TotalHours);
        }
        return ValueTask.CompletedTask;

        static void Add(SortedDictionary<long, Dictionary<string, long>> buckets, long bucket, IReadOnlyList<StatCount> counts, long oldestKept)
        {
            if (!buckets.TryGetValue(bucket, out var values)) buckets[bucket] = values = new(StringComparer.Ordinal);
            foreach (var (key, count) in counts) values[key] = values.GetValueOrDefault(key) + count;
            foreach (var old in buckets.Keys.TakeWhile(b => b < oldestKept).ToList()) buckets.Remove(old);
        }
    }

    /// <inheritdoc />
    public ValueTask<StatsWindow> ReadStatsAsync(int minutes, int hours, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        ArgumentOutOfRangeException.ThrowIfNegative(hours);
        lock (gate)
        {
            var now = time.GetUtcNow();
            long ms = now.ToUnixTimeMilliseconds();
            return new(new StatsWindow(now, Read(minuteStats, ms / 60_000, minutes, 60_000), Read(hourStats, ms / 3_600_000, hours, 3_600_000)));
        }

        static List<StatBucket> Read(SortedDictionary<long, Dictionary<string, long>> buckets, long current, int count, long width)
            => buckets.Where(b => b.Key > current - count && b.Key <= current)
                .Select(b => new StatBucket(DateTimeOffset.FromUnixTimeMilliseconds(b.Key * width), new Dictionary<string, long>(b.Value, StringComparer.Ordinal)))
                .ToList();
    }

    /// <inheritdoc />
    public ValueTask SetPeriodicPausedAsync(string name, bool paused, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (gate)
        {
            if (paused) pausedPeriodic.Add(name);
            else pausedPeriodic.Remove(name);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> PausedPeriodicAsync(CancellationToken cancellationToken = default)
    {
        lock (gate) return new(pausedPeriodic.Order(StringComparer.Ordinal).ToList());
    }
}
