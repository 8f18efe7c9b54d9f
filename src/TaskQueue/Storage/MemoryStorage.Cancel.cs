namespace TaskQueue.Storage;

/// <content>Requests to cancel runs by id.</content>
public sealed partial class MemoryStorage
{
    /// <summary>Task id → when its cancel request expires.</summary>
    private readonly Dictionary<string, DateTimeOffset> cancelRequests = new(StringComparer.Ordinal);

    /// <inheritdoc />
    /// <remarks>Drops the requests that have expired, so that they cost memory only as long as their time to live.</remarks>
    public ValueTask RequestCancelAsync(string taskId, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        lock (gate)
        {
            var now = time.GetUtcNow();
            List<string>? expired = null;
            foreach (var (id, expires) in cancelRequests)
            {
                if (expires <= now) (expired ??= []).Add(id);
            }
            foreach (var id in expired ?? []) cancelRequests.Remove(id);
            cancelRequests[taskId] = now + ttl;
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ReadCancelRequestsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        lock (gate)
        {
            if (cancelRequests.Count == 0) return new([]);
            var now = time.GetUtcNow();
            List<string>? found = null;
            foreach (var id in taskIds)
            {
                if (cancelRequests.TryGetValue(id, out var expires) && expires > now) (found ??= []).Add(id);
            }
            return new(found is null ? [] : found);
        }
    }
}
