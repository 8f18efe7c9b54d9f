using System.ComponentModel;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;
using TaskQueue.Messages;

namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>
    /// Enqueues one run of <paramref name="task"/> with already-encoded arguments and returns its id.
    /// Generated stubs call this; application code uses the stubs.
    /// </summary>
    /// <remarks><paramref name="priority"/> overrides the task's <see cref="TaskDescriptor.Priority"/> for this run.</remarks>
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<string> EnqueueAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, int? retries = null, TimeSpan? retryDelay = null,
        int? priority = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        using var sending = TaskTelemetry.StartSend(task, "enqueue");
        var message = NewMessage(task, arguments, retries, retryDelay, eta: null, sending);
        TaskTelemetry.Sending(sending, message);
        // Encoded in eager mode too, so that a message too large for a consumer fails there as well.
        var body = Encode(task, message);
        if (Eager)
        {
            await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            return message.Id;
        }
        await CallStorageAsync("enqueue task", task.Name, (task.Queue, body, NewSend(), Priority: priority ?? task.Priority),
            static (storage, s, ct) => storage.EnqueueAsync(s.Queue, s.body, s.Item3, s.Priority, ct), cancellationToken).ConfigureAwait(false);
        TaskTelemetry.Sent(task, 1);
        Events.Publish(TaskEventKind.Enqueued, message.Id, message.Name);
        return message.Id;
    }

    /// <inheritdoc cref="EnqueueAsync(TaskDescriptor, ReadOnlyMemory{byte}, int?, TimeSpan?, int?, CancellationToken)"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string Enqueue(TaskDescriptor task, ReadOnlyMemory<byte> arguments, int? retries = null, TimeSpan? retryDelay = null, int? priority = null)
        => Sync.Wait(EnqueueAsync(task, arguments, retries, retryDelay, priority));

    /// <summary>
    /// Enqueues many runs of <paramref name="task"/> in one round trip and returns their ids, in order.
    /// </summary>
    /// <exception cref="TaskMessageTooLargeException">A message is larger than <see cref="MaxMessageSize"/>; none was enqueued.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<IReadOnlyList<string>> EnqueueManyAsync(TaskDescriptor task, IEnumerable<ReadOnlyMemory<byte>> argumentsList,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(argumentsList);
        var ids = new List<string>();
        var encoded = new List<ReadOnlyMemory<byte>>();
        using var sending = TaskTelemetry.StartSend(task, "enqueue");
        foreach (var arguments in argumentsList)
        {
            var message = NewMessage(task, arguments, null, null, eta: null, sending);
            ids.Add(message.Id);
            // Every message is checked before any is sent: a batch with one too large sends nothing.
            var body = Encode(task, message);
            if (Eager)
            {
                await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                encoded.Add(body);
            }
        }
        if (encoded.Count > 0)
        {
            await CallStorageAsync("enqueue many of task", task.Name, (task.Queue, encoded, NewSend(), task.Priority),
                static (storage, s, ct) => storage.EnqueueManyAsync(s.Queue, s.encoded, s.Item3, s.Priority, ct), cancellationToken).ConfigureAwait(false);
            TaskTelemetry.Sent(task, encoded.Count);
            sending?.SetTag("messaging.batch.message_count", encoded.Count);
            foreach (var id in ids) Events.Publish(TaskEventKind.Enqueued, id, task.Name);
        }
        return ids;
    }

    /// <summary>
    /// Schedules one run of <paramref name="task"/> after <paramref name="delay"/> or at
    /// <paramref name="eta"/> (exactly one of them), and returns its id.
    /// </summary>
    /// <exception cref="ArgumentException">Neither or both of <paramref name="delay"/> and <paramref name="eta"/> were given, or the delay is negative.</exception>
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<string> ScheduleAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TimeSpan? delay = null, DateTimeOffset? eta = null,
        int? retries = null, TimeSpan? retryDelay = null, int? priority = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        CheckSchedule(delay, eta);
        // A delay counts from the storage's clock, which also decides when the task is due: a client
        // whose clock is off would otherwise move the task by its error (eager runs need no clock).
        var due = eta ?? (Eager ? TimeProvider.GetUtcNow() : await StorageTimeAsync(cancellationToken).ConfigureAwait(false)) + delay!.Value;
        using var sending = TaskTelemetry.StartSend(task, "schedule");
        var message = NewMessage(task, arguments, retries, retryDelay, due, sending);
        TaskTelemetry.Sending(sending, message);
        var body = Encode(task, message);
        if (Eager)
        {
            await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            return message.Id;
        }
        await CallStorageAsync("schedule task", task.Name, (task.Queue, body, due, NewSend(), Priority: priority ?? task.Priority),
            static (storage, s, ct) => storage.ScheduleAsync(s.Queue, s.body, s.due, s.Item4, s.Priority, ct), cancellationToken).ConfigureAwait(false);
        TaskTelemetry.Sent(task, 1);
        Events.Publish(TaskEventKind.Scheduled, message.Id, message.Name);
        return message.Id;
    }

    /// <inheritdoc cref="ScheduleAsync(TaskDescriptor, ReadOnlyMemory{byte}, TimeSpan?, DateTimeOffset?, int?, TimeSpan?, int?, CancellationToken)"/>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string Schedule(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TimeSpan? delay = null, DateTimeOffset? eta = null,
        int? retries = null, TimeSpan? retryDelay = null, int? priority = null)
        => Sync.Wait(ScheduleAsync(task, arguments, delay, eta, retries, retryDelay, priority));

    /// <summary>Checks that a schedule gives exactly one of <paramref name="delay"/> and <paramref name="eta"/>, and no negative delay.</summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    internal static void CheckSchedule(TimeSpan? delay, DateTimeOffset? eta)
    {
        if (delay is null == eta is null)
        {
            throw new ArgumentException(
                delay is null ? "Schedule needs either delay or eta; neither was given." : "Schedule takes delay or eta, not both.",
                delay is null ? nameof(delay) : nameof(eta));
        }
        if (delay is { } d && d < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay), delay, "delay cannot be negative");
    }

    /// <summary>The storage's clock, read as a client call (retried through passing failures).</summary>
    internal ValueTask<DateTimeOffset> StorageTimeAsync(CancellationToken cancellationToken)
        => CallStorageAsync("read the storage's clock", null, 0, static (storage, _, ct) => storage.GetTimeAsync(ct), cancellationToken);
}
