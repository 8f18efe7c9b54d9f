namespace TaskQueue.Messages;

/// <summary>
/// The envelope of one task instance: what travels through storage. Arguments are the generated
/// MessagePack encoding of the task's parameters, in parameter order; no type names travel.
/// </summary>
public sealed record TaskMessage
{
    /// <summary>The task instance's id (see <see cref="TaskQueue.TaskId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The task's stable name.</summary>
    public required string Name { get; init; }

    /// <summary>The encoded arguments (a MessagePack array).</summary>
    public required ReadOnlyMemory<byte> Arguments { get; init; }

    /// <summary>Retries left after this run.</summary>
    public int Retries { get; init; }

    /// <summary>Delay before a retry.</summary>
    public TimeSpan RetryDelay { get; init; }

    /// <summary>When the task is due, or null for "now".</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>When the message was first created (used for enqueue-to-start latency).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Data for the task as JSON text (a recurring task's userdata); null when none.</summary>
    public string? UserData { get; init; }

    /// <summary>The id of the recurring-task record that queued this run; null for other runs.</summary>
    public string? RecurringId { get; init; }

    /// <summary>
    /// Whether the run must not overlap another run of its recurring record: it holds the lock
    /// <c>recurring:&lt;RecurringId&gt;</c> while it runs, and is skipped if another run holds it.
    /// </summary>
    public bool Exclusive { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span that sent the message (or of the activity current
    /// then), so the run's span continues that trace; null when there was none.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>; null when empty.</summary>
    public string? TraceState { get; init; }

    /// <summary>
    /// When the run expires: a run not started by then is skipped and reported as
    /// <see cref="TaskQueue.TaskEventKind.Expired"/>; null for never.
    /// </summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>How long a run may take before its token fires; <see cref="TimeSpan.Zero"/> for no limit.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>How the delay grows from one retry to the next; null keeps <see cref="RetryDelay"/> fixed.</summary>
    public RetryBackoff? Backoff { get; init; }

    /// <summary>
    /// The deduplication key the message was sent with: while it is pending a second send with the same
    /// key stores nothing. Null when none.
    /// </summary>
    public string? DeduplicationKey { get; init; }

    /// <summary>
    /// What follows the run (the rest of a pipeline, its error step, the chord it belongs to), encoded;
    /// empty for a plain run.
    /// </summary>
    public ReadOnlyMemory<byte> Flow { get; init; }
}
