namespace TaskQueue.Storage;

public sealed partial class MemoryStorage
{
    private readonly Dictionary<(string Queue, string Key), (string Value, DateTimeOffset Expires)> uniqueKeys = new();
    private readonly Dictionary<string, (byte[]?[] Results, DateTimeOffset Expires)> chords = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<UniqueSend> EnqueueUniqueAsync(string queue, ReadOnlyMemory<byte> message, string key, string value, TimeSpan keyTtl,
        DateTimeOffset? eta = null, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(keyTtl, TimeSpan.Zero);
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (uniqueKeys.TryGetValue((queue, key), out var held) && held.Expires > now) return ValueTask.FromResult(new UniqueSend(false, held.Value));
            uniqueKeys[(queue, key)] = (value, now + keyTtl);
            if (eta is { } due)
            {
                AddScheduled(queue, message.ToArray(), due, priority);
            }
            else
            {
                Append(QueueOf(queue), new Entry(message.ToArray(), 0, priority));
                Signal();
            }
        }
        return ValueTask.FromResult(new UniqueSend(true, value));
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseUniqueAsync(string queue, string key, string? value = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (gate)
        {
            if (!uniqueKeys.TryGetValue((queue, key), out var held)) return ValueTask.FromResult(false);
            if (held.Expires <= time.GetUtcNow())
            {
                uniqueKeys.Remove((queue, key));
                return ValueTask.FromResult(false);
            }
            if (value is not null && held.Value != value) return ValueTask.FromResult(false);
            uniqueKeys.Remove((queue, key));
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<byte[]>?> AddChordResultAsync(string chordId, int index, int count, ReadOnlyMemory<byte> result, TimeSpan ttl,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(chordId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!chords.TryGetValue(chordId, out var chord) || chord.Expires <= now || chord.Results.Length != count)
            {
                chord = (new byte[count][], now + ttl);
            }
            chord.Results[index] = result.ToArray();
            chords[chordId] = (chord.Results, now + ttl);
            if (Array.IndexOf(chord.Results, null) >= 0) return ValueTask.FromResult<IReadOnlyList<byte[]>?>(null);
            return ValueTask.FromResult<IReadOnlyList<byte[]>?>(chord.Results.Select(r => r!).ToArray());
        }
    }
}
