using System.Globalization;

namespace TaskQueue;

/// <summary>
/// A message or its arguments do not decode into what the task's signature asks for. The consumer
/// sends such a message to dead letters with this exception's message as the reason.
/// </summary>
public sealed class TaskPayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskPayloadException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public TaskPayloadException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A task's message is larger than the app's <see cref="TaskApp.MaxMessageSize"/>: nothing was sent.
/// Pass large data by reference (a key, a path, a URL) rather than as an argument.
/// </summary>
public sealed class TaskMessageTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public TaskMessageTooLargeException(string taskName, long size, int limit)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"task '{taskName}': the message would be {size:N0} bytes, more than the limit of {limit:N0} bytes (TaskApp.MaxMessageSize); pass large data by reference (a key, a path, a URL) rather than as an argument"),
            "arguments")
    {
        TaskName = taskName;
        Size = size;
        Limit = limit;
    }

    /// <summary>The task whose message it was.</summary>
    public string TaskName { get; }

    /// <summary>The size of the encoded message (or of the arguments of a recurring task), in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit it went over: the app's <see cref="TaskApp.MaxMessageSize"/>.</summary>
    public int Limit { get; }
}

/// <summary>A message names a task that this process does not know.</summary>
public sealed class UnknownTaskException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnknownTaskException(string taskName)
        : base($"no task named '{taskName}' is registered in this process; was it renamed or removed, or is its assembly not loaded?")
        => TaskName = taskName;

    /// <summary>The name the message carried.</summary>
    public string TaskName { get; }
}

/// <summary>
/// Reading a result whose task failed: carries the remote exception's type, message and stack trace.
/// </summary>
public sealed class TaskFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskFailedException(string taskId, string? taskName, string remoteType, string remoteMessage, string? remoteStackTrace)
        : base($"Task {taskName ?? "?"} ({taskId}) failed with {remoteType}: {remoteMessage}")
    {
        TaskId = taskId;
        TaskName = taskName;
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The failed task instance's id.</summary>
    public string TaskId { get; }

    /// <summary>The failed task's name, when known.</summary>
    public string? TaskName { get; }

    /// <summary>The full name of the exception type the task threw.</summary>
    public string RemoteType { get; }

    /// <summary>The message of the exception the task threw.</summary>
    public string RemoteMessage { get; }

    /// <summary>The stack trace where the task threw, as text.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>How many retries the task had left when it failed (huey's <c>metadata['retries']</c>); 0 once it failed for good.</summary>
    public int RetriesLeft { get; init; }

    /// <inheritdoc />
    public override string? StackTrace => RemoteStackTrace is null ? base.StackTrace : RemoteStackTrace + Environment.NewLine + "--- end of remote stack trace ---" + Environment.NewLine + base.StackTrace;
}

/// <summary>A blocking result read ran out of time (huey's <c>DataStoreTimeout</c>).</summary>
public sealed class TaskResultTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public TaskResultTimeoutException(string taskId, TimeSpan timeout)
        : base($"The result of task {taskId} was not ready within {timeout.TotalSeconds:0.###} s.")
        => TaskId = taskId;

    /// <summary>Creates the exception for a wait whose last reads failed on storage (the inner exception).</summary>
    internal TaskResultTimeoutException(string taskId, TimeSpan timeout, TimeSpan failingFor, Exception storageError)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The result of task {taskId} was not ready within {timeout.TotalSeconds:0.###} s; the storage was unreachable for the last {failingFor.TotalSeconds:0.0} s ({storageError.GetType().Name}: {Texts.Cut(storageError.Message)})."),
            storageError)
        => TaskId = taskId;

    /// <summary>The task instance whose result was awaited.</summary>
    public string TaskId { get; }
}

/// <summary>A non-blocking result read found no result yet.</summary>
public sealed class TaskResultNotReadyException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public TaskResultNotReadyException(string taskId)
        : base($"The result of task {taskId} is not ready. Use TryGet to test for it, or read with blocking: true.")
        => TaskId = taskId;

    /// <summary>The task instance whose result was read.</summary>
    public string TaskId { get; }
}

/// <summary>
/// A client call could not reach the storage: it failed with passing failures (unreachable, timed
/// out, failing over) for longer than <see cref="TaskApp.StorageRetryTime"/>. The inner exception
/// is the last failure.
/// </summary>
/// <remarks>
/// Whether an enqueue or schedule that throws this was stored is unknown: it may have been, once. It
/// was never stored twice, so calling it again with a new id may run the task twice only if the
/// first call was in fact stored.
/// </remarks>
public sealed class TaskStorageUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="operation"/>, which failed for <paramref name="duration"/>.</summary>
    public TaskStorageUnavailableException(string operation, TimeSpan duration, int attempts, Exception innerException)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"could not {operation}: the storage was unreachable for {duration.TotalSeconds:0.0} s ({attempts} tries; TaskApp.StorageRetryTime); last error {innerException?.GetType().Name}: {Texts.Cut(innerException?.Message ?? "")}"),
            innerException)
    {
        Operation = operation;
        Duration = duration;
        Attempts = attempts;
    }

    /// <summary>What the call was doing, as "enqueue task CountBeans".</summary>
    public string Operation { get; }

    /// <summary>How long it kept trying.</summary>
    public TimeSpan Duration { get; }

    /// <summary>How many tries failed.</summary>
    public int Attempts { get; }
}

/// <summary>A run could not take the lock it must hold (<see cref="TaskAttribute.Lock"/>, <see cref="TaskApp.Locks"/>): another run holds it.</summary>
public sealed class TaskLockedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskLockedException(string lockName)
        : base($"the lock '{lockName}' is held by another run (or by code, through TaskApp.Locks); it is released when its holder ends, or expires after its time to live if the holder died")
        => LockName = lockName;

    /// <summary>The lock's name.</summary>
    public string LockName { get; }
}

/// <summary>
/// Thrown by a pre-execute hook to cancel a run (huey's <c>CancelExecution</c>): the run does not start, and it is
/// retried when <see cref="Retry"/> is set and retries remain.
/// </summary>
public sealed class CancelExecutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="retry">Whether to retry the run (as a failure would be) rather than drop it.</param>
    /// <param name="reason">Why, for logs and events.</param>
    public CancelExecutionException(bool retry = false, string? reason = null)
        : base(reason ?? (retry ? "the run was cancelled by a pre-execute hook and will be retried" : "the run was cancelled by a pre-execute hook"))
        => Retry = retry;

    /// <summary>Whether the run is retried.</summary>
    public bool Retry { get; }
}

/// <summary>
/// A run took longer than its timeout (<see cref="TaskAttribute.TimeoutSeconds"/>, <see cref="TaskOptions.Timeout"/>):
/// its <see cref="CancellationToken"/> fired and it stopped, or it ignored the token and was abandoned after the
/// consumer's <see cref="Consumer.ConsumerOptions.TimeoutGrace"/>. It is a failure like any other: retried while
/// retries remain, then stored as the run's error (reading the result throws a <see cref="TaskFailedException"/>
/// whose <see cref="TaskFailedException.RemoteType"/> names this type).
/// </summary>
public sealed class TaskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a run of <paramref name="taskName"/> that stopped at its <paramref name="timeout"/>.</summary>
    public TaskTimeoutException(string taskName, TimeSpan timeout)
        : this(taskName, timeout, null, null)
    {
    }

    /// <summary>Creates the exception for a run that stopped at its timeout, with the exception it stopped with.</summary>
    public TaskTimeoutException(string taskName, TimeSpan timeout, Exception? innerException)
        : this(taskName, timeout, null, innerException)
    {
    }

    /// <summary>Creates the exception for a run that stopped at its timeout, or that was abandoned <paramref name="abandonedAfter"/> later.</summary>
    internal TaskTimeoutException(string taskName, TimeSpan timeout, TimeSpan? abandonedAfter, Exception? innerException)
        : base(abandonedAfter is { } grace
            ? string.Create(CultureInfo.InvariantCulture,
                $"task '{taskName}' timed out after {timeout.TotalSeconds:0.###} s and ignored its cancellation token for {grace.TotalSeconds:0.###} s more: it was abandoned, and may still be running")
            : string.Create(CultureInfo.InvariantCulture, $"task '{taskName}' timed out after {timeout.TotalSeconds:0.###} s"),
            innerException)
    {
        TaskName = taskName;
        Timeout = timeout;
        Abandoned = abandonedAfter is not null;
    }

    /// <summary>The task whose run timed out.</summary>
    public string TaskName { get; }

    /// <summary>The run's timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the run ignored its token past the consumer's hard limit and was abandoned, still running.</summary>
    public bool Abandoned { get; }
}
