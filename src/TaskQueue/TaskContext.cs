using System.Text.Json.Nodes;

namespace TaskQueue;

/// <summary>
/// What a running task may know about its own run. Declare a parameter of this type on a task
/// method to receive it; it is not part of the payload.
/// </summary>
public sealed class TaskContext
{
    /// <summary>Creates a context. The executor creates one per run; tests may create their own.</summary>
    public TaskContext(string taskId, string taskName, int retriesLeft, TimeSpan retryDelay, DateTimeOffset? eta = null)
    {
        TaskId = taskId;
        TaskName = taskName;
        RetriesLeft = retriesLeft;
        RetryDelay = retryDelay;
        Eta = eta;
    }

    /// <summary>The id of this task instance (the same across its retries).</summary>
    public string TaskId { get; }

    /// <summary>The task's stable name.</summary>
    public string TaskName { get; }

    /// <summary>How many retries remain if this run fails.</summary>
    public int RetriesLeft { get; }

    /// <summary>The delay before the next retry if this run fails.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>When the task was scheduled to run, for scheduled tasks and retries.</summary>
    public DateTimeOffset? Eta { get; }

    /// <summary>Data attached by the caller as JSON text (a recurring task's userdata); null when there is none.</summary>
    public string? UserDataJson { get; init; }

    /// <summary>
    /// Data attached by the caller (a recurring task's userdata), parsed; an empty object when there
    /// is none. Each read parses afresh, so changes made here do not travel anywhere.
    /// </summary>
    public JsonObject UserData => RecurringCodec.ParseUserData(UserDataJson);

    /// <summary>The id of the recurring-task record that queued this run; null for other runs.</summary>
    public string? RecurringId { get; init; }

    /// <summary>A context for <c>CallLocal</c>: a fresh id, no retries.</summary>
    public static TaskContext ForLocalCall(string taskName) => new(global::TaskQueue.TaskId.New(), taskName, 0, TimeSpan.Zero);
}
