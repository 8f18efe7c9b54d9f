using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>A task waiting in the schedule.</summary>
/// <param name="Queue">The queue it goes to when due.</param>
/// <param name="Eta">When it is due.</param>
/// <param name="Message">The task message.</param>
public sealed record ScheduledTask(string Queue, DateTimeOffset Eta, TaskMessage Message);

public sealed partial class TaskApp
{
    /// <summary>
    /// Tasks waiting in <paramref name="queue"/>, head first (huey's <c>pending</c>). Messages that do
    /// not decode are left out here; the consumer sends them to dead letters.
    /// </summary>
    public async ValueTask<IReadOnlyList<TaskMessage>> PendingAsync(string queue = TaskDescriptor.DefaultQueue, int limit = 100,
        CancellationToken cancellationToken = default)
    {
        var raw = await CallStorageAsync("list the pending tasks of queue", queue, (queue, limit),
            static (storage, s, ct) => storage.PendingAsync(s.queue, s.limit, ct), cancellationToken).ConfigureAwait(false);
        return raw.Select(TryDecode).OfType<TaskMessage>().ToArray();
    }

    /// <summary>Tasks in the schedule, soonest first (huey's <c>scheduled</c>).</summary>
    public async ValueTask<IReadOnlyList<ScheduledTask>> ScheduledAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        var raw = await CallStorageAsync("list the scheduled tasks", null, limit, static (storage, n, ct) => storage.ScheduledAsync(n, ct), cancellationToken)
            .ConfigureAwait(false);
        var tasks = new List<ScheduledTask>(raw.Count);
        foreach (var s in raw)
        {
            if (TryDecode(s.Body) is { } message) tasks.Add(new ScheduledTask(s.Queue, s.Eta, message));
        }
        return tasks;
    }

    /// <summary>Stored results by task id, without deleting them (huey's <c>all_results</c>).</summary>
    public async ValueTask<IReadOnlyDictionary<string, StoredResult>> ResultsAsync(int limit = 1000, CancellationToken cancellationToken = default)
    {
        var raw = await CallStorageAsync("list the results", null, limit, static (storage, n, ct) => storage.ResultsAsync(n, ct), cancellationToken)
            .ConfigureAwait(false);
        var results = new Dictionary<string, StoredResult>(raw.Count, StringComparer.Ordinal);
        foreach (var (id, bytes) in raw)
        {
            try
            {
                results[id] = ResultCodec.Decode(bytes);
            }
            catch (TaskPayloadException)
            {
                // Not a result this build can read; leave it out of the listing.
            }
        }
        return results;
    }

    /// <summary>Messages set aside because they could not run, newest first, with their reasons.</summary>
    public ValueTask<IReadOnlyList<DeadLetter>> DeadLettersAsync(int limit = 100, CancellationToken cancellationToken = default)
        => CallStorageAsync("list the dead letters", null, limit, static (storage, n, ct) => storage.ListDeadLettersAsync(n, ct), cancellationToken);

    /// <summary>
    /// Puts a dead letter back on its queue; says whether it existed. If the storage failed while the
    /// call was made, its retry may find the letter already requeued and say false.
    /// </summary>
    public ValueTask<bool> RequeueDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
        => CallStorageAsync("requeue dead letter", deadLetterId, deadLetterId, static (storage, id, ct) => storage.RequeueDeadLetterAsync(id, ct), cancellationToken);

    /// <summary>Deletes a dead letter; says whether it existed.</summary>
    public ValueTask<bool> DeleteDeadLetterAsync(string deadLetterId, CancellationToken cancellationToken = default)
        => CallStorageAsync("delete dead letter", deadLetterId, deadLetterId, static (storage, id, ct) => storage.DeleteDeadLetterAsync(id, ct), cancellationToken);

    private TaskMessage? TryDecode(byte[] bytes)
    {
        try
        {
            return MessageCodec.Decode(Open(bytes));
        }
        catch (TaskPayloadException)
        {
            return null;
        }
    }
}
