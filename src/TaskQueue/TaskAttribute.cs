namespace TaskQueue;

/// <summary>
/// Marks a static method as a task. The source generator turns it into a static stub class of the
/// same name in the method's namespace, with <c>Enqueue</c>, <c>Schedule</c>, <c>CallLocal</c>,
/// <c>Revoke</c>, <c>Restore</c>, and the recurring-task makers <c>Recurring</c>,
/// <c>RunIterations</c> and <c>RunOnce</c>.
/// </summary>
/// <example>
/// <code>
/// [Task(Retries = 3, RetryDelaySeconds = 10)]
/// public static string CountBeans(int num) => $"Counted {num} beans";
///
/// TaskResult&lt;string&gt; r = CountBeans.Enqueue(1000);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TaskAttribute : Attribute
{
    /// <summary>
    /// The task's stable identity in messages. Defaults to the namespace-qualified method name,
    /// for example <c>Beans.BeanTasks.CountBeans</c>. Set it explicitly before renaming a class or
    /// namespace so that queued messages keep finding the task.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The queue the task's messages go to. Defaults to <c>default</c>.</summary>
    public string? Queue { get; set; }

    /// <summary>How many times a failing run is retried. Defaults to 0.</summary>
    public int Retries { get; set; }

    /// <summary>Seconds to wait before each retry. Defaults to 0 (retry at once).</summary>
    public int RetryDelaySeconds { get; set; }

    /// <summary>
    /// The priority of the task's runs in their queue: workers take a queue's higher priorities first,
    /// and runs of equal priority in the order they were sent. Defaults to 0; negative values run
    /// after the default. A call can give its own (<c>priority:</c> on the generated stubs).
    /// </summary>
    public int Priority { get; set; }
}
