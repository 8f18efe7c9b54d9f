namespace TaskQueue;

/// <summary>A message queued by a periodic tick (<see cref="TaskRunner.TickPeriodicAsync"/>).</summary>
/// <param name="TaskId">The new instance's id.</param>
/// <param name="TaskName">The task's name.</param>
/// <param name="Queue">The queue it went to.</param>
public sealed record EnqueuedTask(string TaskId, string TaskName, string Queue);
