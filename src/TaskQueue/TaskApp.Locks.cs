namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// Locks held across every process of the application (huey's <c>lock_task</c>): take one in code with
    /// <see cref="TaskLocks.AcquireAsync"/>, see or free one, including the locks of tasks (<see cref="TaskAttribute.Lock"/>).
    /// </summary>
    public TaskLocks Locks => field ??= new TaskLocks(this);

    /// <summary>Rate limits shared by every process of the application, for code (<see cref="TaskRateLimits.TryStartAsync"/>).</summary>
    public TaskRateLimits RateLimits => field ??= new TaskRateLimits(this);
}
