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

    /// <summary>
    /// Seconds after it is sent (or, when scheduled, after it is due) by which a run must have started; a run
    /// that starts later is skipped and reported as <see cref="TaskEventKind.Expired"/>. 0 (the default): never.
    /// </summary>
    public int ExpiresSeconds { get; set; }

    /// <summary>
    /// Seconds a run may take: the task's <see cref="CancellationToken"/> fires at this limit, and a run that
    /// ignores it is reported and abandoned after the consumer's hard limit. 0 (the default): no limit.
    /// </summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>
    /// What each retry's delay is multiplied by: 1 (the default) keeps <see cref="RetryDelaySeconds"/> fixed,
    /// 2 doubles it on every retry, up to <see cref="MaxRetryDelaySeconds"/>.
    /// </summary>
    public double RetryBackoff { get; set; } = 1;

    /// <summary>The longest retry delay when <see cref="RetryBackoff"/> grows it; 0 (the default): no limit.</summary>
    public int MaxRetryDelaySeconds { get; set; }

    /// <summary>Whether each retry delay is drawn between half of it and all of it, so that failing runs do not retry in step.</summary>
    public bool RetryJitter { get; set; }

    /// <summary>
    /// The name of a lock each run holds while it runs, across all processes (huey's <c>lock_task</c>): a run that
    /// cannot take it fails with <see cref="TaskLockedException"/> and is retried as any failure. Null: no lock.
    /// </summary>
    /// <remarks>
    /// The lock lasts the consumer's <see cref="Consumer.ConsumerOptions.VisibilityTimeout"/> (30 s by default) and the run
    /// renews it every third of that, so the lock of a worker that died frees itself within that time. Code shares the
    /// name space: <see cref="TaskApp.Locks"/> takes, reads and frees the same locks.
    /// </remarks>
    public string? Lock { get; set; }

    /// <summary>
    /// At most this many runs of the task start per <see cref="RateLimitPeriodSeconds"/>, across all workers; the
    /// others are put off until the next period, not failed. 0 (the default): no limit.
    /// </summary>
    /// <remarks>
    /// The window slides, by the storage's clock. A run the limit holds back goes to the schedule for when the next start is
    /// allowed (with a small random margin), with its retries untouched, and is reported as <see cref="TaskEventKind.RateLimited"/>.
    /// </remarks>
    public int RateLimit { get; set; }

    /// <summary>The period of <see cref="RateLimit"/>, in seconds. Defaults to 1.</summary>
    public int RateLimitPeriodSeconds { get; set; } = 1;
}
