using TaskQueue.Messages;

namespace TaskQueue;

/// <summary>What a run's task method came to, as post-execute hooks see it.</summary>
public enum TaskRunStatus
{
    /// <summary>It returned; its value (if any) is stored next.</summary>
    Succeeded,
    /// <summary>It threw; a retry or a stored error follows.</summary>
    Failed,
    /// <summary>It was cancelled by <see cref="TaskApp.CancelAsync"/> while it ran (its token fired and it threw).</summary>
    Cancelled,
    /// <summary>Its consumer stopped under it (the token fired at the end of the grace period): the message goes back to its queue.</summary>
    Interrupted,
}

/// <summary>
/// What a run came to, for post-execute hooks (huey passes <c>task_value</c> and <c>exc</c>): its status, what it threw,
/// how long it took and, for a run that returned a value, that value as JSON.
/// </summary>
public sealed class TaskRunOutcome
{
    private readonly byte[]? result;
    private string? json;

    internal TaskRunOutcome(TaskRunStatus status, byte[]? result, Exception? error, TimeSpan duration)
    {
        Status = status;
        this.result = result;
        Error = error;
        Duration = duration;
    }

    /// <summary>What the method came to.</summary>
    public TaskRunStatus Status { get; }

    /// <summary>What the method threw; null when it returned.</summary>
    public Exception? Error { get; }

    /// <summary>How long the method ran.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Whether the method returned a value (not <c>void</c>, not <c>null</c>).</summary>
    public bool HasValue => result is not null;

    /// <summary>
    /// The value the method returned, as JSON (a user type shows as the array of its members, since member names do
    /// not travel); null when it returned nothing. Rendered on first read.
    /// </summary>
    public string? ValueJson => result is { } bytes ? json ??= MessagePackJson.ToJson(bytes) : null;
}
