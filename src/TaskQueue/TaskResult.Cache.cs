using TaskQueue.Messages;

namespace TaskQueue;

/// <content>What a handle read, kept (huey's <c>TaskResultWrapper</c> keeps it until <c>reset()</c>).</content>
public abstract partial class TaskResultBase
{
    private Known? known;

    /// <summary>
    /// Forgets the value or error this handle read, so that its next read asks storage again (huey's
    /// <c>reset()</c>). A handle keeps what it read because a read deletes the stored result unless it
    /// preserves it: without the handle's copy, a second read would find nothing.
    /// </summary>
    public void Reset() => Volatile.Write(ref known, null);

    /// <summary>Keeps what a read found.</summary>
    private void Remember(StoredResult stored) => Volatile.Write(ref known, new Known(stored));

    /// <summary>What this handle read before, or null; throws <see cref="TaskFailedException"/> (a new one each time) for an error it read.</summary>
    private (bool Ready, ReadOnlyMemory<byte> Value)? Cached()
    {
        if (Volatile.Read(ref known) is not { } hit) return null;
        if (hit.Stored.IsError) throw Failure(hit.Stored.Error!);
        return (true, hit.Stored.Value);
    }

    private TaskFailedException Failure(TaskError e)
        => new(Id, e.TaskName ?? TaskName, e.Type, e.Message, e.StackTrace) { RetriesLeft = e.RetriesLeft };

    private sealed record Known(StoredResult Stored);
}
