namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// A handle on the result of task instance <paramref name="taskId"/> for code that holds only its id (huey's
    /// <c>huey.result(id)</c>): <see cref="TaskResultBase.GetJsonAsync"/> reads the value as JSON, <see cref="TaskResult.GetAsync"/>
    /// waits for the run to end, and a failure throws <see cref="TaskFailedException"/> either way. Where the task is
    /// known, its stub's <c>Result(id)</c> gives a typed handle (<c>CountBeans.Result(id).GetAsync()</c>).
    /// </summary>
    /// <param name="taskId">The instance's id.</param>
    /// <returns>A handle whose <see cref="TaskResultBase.TaskName"/> is empty: the id alone does not say which task it is.</returns>
    public TaskResult Result(string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return new TaskResult(this, taskId, "");
    }
}
