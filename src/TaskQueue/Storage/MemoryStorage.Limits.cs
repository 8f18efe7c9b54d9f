namespace TaskQueue.Storage;

/// <content>Rate limits: a sliding log of the starts of each limit's last period.</content>
public sealed partial class MemoryStorage
{
    private readonly Dictionary<string, List<DateTimeOffset>> rateLimits = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<RateLimitResult> TryStartAsync(string name, int count, TimeSpan period, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(1));
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!rateLimits.TryGetValue(name, out var starts)) rateLimits[name] = starts = [];
            // Oldest first: a start leaves the window once a whole period has passed since it.
            int gone = 0;
            while (gone < starts.Count && starts[gone] <= now - period) gone++;
            starts.RemoveRange(0, gone);
            if (starts.Count < count)
            {
                starts.Add(now);
                return ValueTask.FromResult(new RateLimitResult(true, TimeSpan.Zero));
            }
            // With fewer allowed than recorded (the count was lowered), more than the oldest must leave first.
            var wait = starts[starts.Count - count] + period - now;
            return ValueTask.FromResult(new RateLimitResult(false, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1)));
        }
    }
}
