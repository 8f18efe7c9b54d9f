using System.ComponentModel;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;

namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// Enqueues one run of <paramref name="task"/> with already-encoded arguments and per-call
    /// <paramref name="options"/> (retries, backoff, priority, expiry, timeout), and returns its id. Generated code
    /// calls this; application code gives the options to a signature.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="arguments">The encoded arguments.</param>
    /// <param name="options">What overrides the task's defaults for this run; null keeps them all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="NotSupportedException"><see cref="TaskOptions.DeduplicationKey"/> is set: this call sends every run it is given.</exception>
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<string> EnqueueAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return SendAsync(task, arguments, options, due: null, cancellationToken);
    }

    /// <summary>
    /// Schedules one run of <paramref name="task"/> after <paramref name="delay"/> or at <paramref name="eta"/>
    /// (exactly one of them) with per-call <paramref name="options"/>, and returns its id. An expiry given as
    /// <see cref="TaskOptions.ExpiresAfter"/> counts from when the run is due. Generated code calls this.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="arguments">The encoded arguments.</param>
    /// <param name="options">What overrides the task's defaults for this run; null keeps them all.</param>
    /// <param name="delay">How long from now to run it.</param>
    /// <param name="eta">When to run it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="delay"/> and <paramref name="eta"/> were given, the delay is negative, or an option is out of range.</exception>
    /// <exception cref="NotSupportedException"><see cref="TaskOptions.DeduplicationKey"/> is set: this call sends every run it is given.</exception>
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<string> ScheduleAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options,
        TimeSpan? delay = null, DateTimeOffset? eta = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (delay is null == eta is null)
        {
            throw new ArgumentException(
                delay is null ? "Schedule needs either delay or eta; neither was given." : "Schedule takes delay or eta, not both.",
                delay is null ? nameof(delay) : nameof(eta));
        }
        if (delay is { } d && d < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay), delay, "delay cannot be negative");
        // As ScheduleAsync without options: a delay counts from the storage's clock, which decides when the task is due.
        var due = eta ?? (Eager ? TimeProvider.GetUtcNow() : await StorageTimeAsync(cancellationToken).ConfigureAwait(false)) + delay!.Value;
        return await SendAsync(task, arguments, options, due, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one run with options: to its queue when <paramref name="due"/> is null, else to the schedule; inline in eager mode.</summary>
    private async ValueTask<string> SendAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options, DateTimeOffset? due,
        CancellationToken cancellationToken)
    {
        if (options?.DeduplicationKey is not null)
        {
            throw new NotSupportedException("TaskOptions.DeduplicationKey is not supported by this call: it sends every run it is given");
        }
        using var sending = TaskTelemetry.StartSend(task, due is null ? "enqueue" : "schedule");
        var message = NewMessage(task, arguments, options, due, sending);
        TaskTelemetry.Sending(sending, message);
        // Encoded in eager mode too, so that a message too large for a consumer fails there as well.
        var body = Encode(task, message);
        if (Eager)
        {
            await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            return message.Id;
        }
        int priority = options?.Priority ?? task.Priority;
        if (due is { } at)
        {
            await CallStorageAsync("schedule task", task.Name, (task.Queue, body, at, NewSend(), priority),
                static (storage, s, ct) => storage.ScheduleAsync(s.Queue, s.body, s.at, s.Item4, s.priority, ct), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await CallStorageAsync("enqueue task", task.Name, (task.Queue, body, NewSend(), priority),
                static (storage, s, ct) => storage.EnqueueAsync(s.Queue, s.body, s.Item3, s.priority, ct), cancellationToken).ConfigureAwait(false);
        }
        TaskTelemetry.Sent(task, 1);
        Events.Publish(due is null ? TaskEventKind.Enqueued : TaskEventKind.Scheduled, message.Id, message.Name);
        return message.Id;
    }
}
