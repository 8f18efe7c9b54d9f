using System.Threading.Channels;

namespace TaskQueue;

/// <summary>What happened to a task.</summary>
public enum TaskEventKind
{
    /// <summary>Put on its queue.</summary>
    Enqueued,
    /// <summary>Put in the schedule for later.</summary>
    Scheduled,
    /// <summary>A consumer started running it.</summary>
    Started,
    /// <summary>It ran to the end and its result (if any) is stored: a handler can read it.</summary>
    Finished,
    /// <summary>It threw (every failure; <see cref="TaskEvent.WillRetry"/> says whether a retry follows).</summary>
    Error,
    /// <summary>It threw and is queued to run again (then <see cref="Enqueued"/>, or <see cref="Scheduled"/> with a retry delay, once the retry is stored).</summary>
    Retrying,
    /// <summary>It was skipped because it, or its task, is revoked.</summary>
    Revoked,
    /// <summary>It could not run (bad payload, unknown task, too many redeliveries) and went to dead letters.</summary>
    DeadLettered,
    /// <summary>A stopping consumer handed it back to its queue unstarted.</summary>
    Released,
    /// <summary>A consumer's heartbeat expired and its in-flight tasks were handed back.</summary>
    Redelivered,
    /// <summary>
    /// Not run: a run of a recurring task with <c>allowOverlap: false</c> whose earlier run was still
    /// going (at the consumer), or an occurrence the ticker passed over for the same reason.
    /// </summary>
    Skipped,
    /// <summary>A recurring task was reported and disabled: its task is unknown to this worker or its record does not load.</summary>
    RecurringDisabled,
    /// <summary>Not run: it had not started when it expired (<see cref="TaskAttribute.ExpiresSeconds"/>, <see cref="TaskOptions.ExpiresAfter"/>).</summary>
    Expired,
    /// <summary>
    /// Its run was cancelled: by <c>TaskApp.CancelAsync</c> or by a pre-execute hook. (A run that stops at its timeout
    /// is a failure, an <see cref="Error"/> with a <see cref="TaskTimeoutException"/>.)
    /// </summary>
    Cancelled,
    /// <summary>Its run outlived its timeout and the hard limit after it: it was abandoned and its slot given back.</summary>
    TimedOut,
    /// <summary>
    /// Not run yet: its task's rate limit (<see cref="TaskAttribute.RateLimit"/>) allowed no more starts, so it was put in
    /// the schedule for when the next start is allowed, its retries untouched. <see cref="TaskEvent.Error"/> says how long.
    /// </summary>
    RateLimited,
}

/// <summary>One event about one task instance.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="TaskId">The instance's id (null when a message did not decode).</param>
/// <param name="TaskName">The task's name (null when a message did not decode).</param>
/// <param name="Timestamp">When.</param>
/// <param name="Error">For errors, retries and dead letters: what went wrong.</param>
/// <param name="Duration">For finished and failed runs: how long the run took.</param>
public sealed record TaskEvent(TaskEventKind Kind, string? TaskId, string? TaskName, DateTimeOffset Timestamp, string? Error = null, TimeSpan? Duration = null)
{
    /// <summary>For <see cref="TaskEventKind.Error"/>: whether the task will be retried.</summary>
    public bool WillRetry { get; init; }
}

/// <summary>
/// The in-process stream of <see cref="TaskEvent"/>s of one <see cref="TaskApp"/>. Publishing costs
/// nothing when nobody listens; a slow reader never blocks a worker (its oldest events are dropped).
/// </summary>
public sealed class TaskEventStream
{
    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private Action<TaskEvent>[] handlers = [];

    /// <summary>Creates a stream whose events are stamped by <paramref name="timeProvider"/>.</summary>
    public TaskEventStream(TimeProvider? timeProvider = null) => time = timeProvider ?? TimeProvider.System;

    /// <summary>Calls <paramref name="handler"/> for every event until the returned subscription is disposed. Handlers run on the worker's thread: keep them short.</summary>
    public IDisposable Subscribe(Action<TaskEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (gate) handlers = [.. handlers, handler];
        return new Subscription(this, handler);
    }

    /// <summary>Reads events as they happen, until <paramref name="cancellationToken"/> fires. Keeps up to <paramref name="capacity"/> unread events.</summary>
    public async IAsyncEnumerable<TaskEvent> ReadAllAsync(int capacity = 10_000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var subscription = Subscribe(e => channel.Writer.TryWrite(e));
        while (true)
        {
            TaskEvent item;
            try
            {
                if (!await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) yield break;
                if (!channel.Reader.TryRead(out item!)) continue;
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            yield return item;
        }
    }

    /// <summary>Whether anybody listens.</summary>
    public bool HasListeners => Volatile.Read(ref handlers).Length > 0;

    /// <summary>Counts the events that the operations counters count (set by the app that owns the stream).</summary>
    internal Operations.StatsRecorder? Stats { get; set; }

    internal void Publish(TaskEventKind kind, string? taskId, string? taskName, string? error = null, TimeSpan? duration = null, bool willRetry = false)
    {
        if (Stats is { } stats)
        {
            switch (kind)
            {
                case TaskEventKind.Enqueued or TaskEventKind.Scheduled: stats.Count(Operations.StatKind.Enqueued, taskName); break;
                case TaskEventKind.Started: stats.Count(Operations.StatKind.Started, taskName); break;
                case TaskEventKind.Finished: stats.Count(Operations.StatKind.Succeeded, taskName); break;
                case TaskEventKind.Error: stats.Count(willRetry ? Operations.StatKind.Retried : Operations.StatKind.Failed, taskName); break;
                case TaskEventKind.DeadLettered: stats.Count(Operations.StatKind.DeadLettered, taskName); break;
            }
        }
        var current = Volatile.Read(ref handlers);
        if (current.Length == 0) return;
        var e = new TaskEvent(kind, taskId, taskName, time.GetUtcNow(), error, duration) { WillRetry = willRetry };
        foreach (var handler in current)
        {
            try
            {
                handler(e);
            }
            catch (Exception)
            {
                // A listener's failure must not fail the task it listens to.
            }
        }
    }

    private sealed class Subscription(TaskEventStream stream, Action<TaskEvent> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (stream.gate) stream.handlers = Array.FindAll(stream.handlers, h => !ReferenceEquals(h, handler));
        }
    }
}
