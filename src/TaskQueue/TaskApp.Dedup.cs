using System.ComponentModel;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;
using TaskQueue.Messages;

namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>How long a deduplication key holds when <see cref="TaskOptions.DeduplicationTtl"/> is not given: 1 hour.</summary>
    internal static readonly TimeSpan DefaultDeduplicationTtl = TimeSpan.FromHours(1);

    /// <summary>The unique key (in the task's queue) that a send with deduplication key <paramref name="key"/> holds.</summary>
    internal static string DeduplicationKey(string taskName, string key) => "dedup:" + taskName + ":" + key;

    /// <inheritdoc cref="SendDeduplicatedAsync(TaskDescriptor, TaskMessage, DateTimeOffset?, int, TimeSpan?, CancellationToken)"/>
    internal ValueTask<string> SendDeduplicatedAsync(TaskDescriptor task, TaskMessage message, DateTimeOffset? eta, int priority,
        CancellationToken cancellationToken)
        => SendDeduplicatedAsync(task, message, eta, priority, ttl: null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/>, which carries a <see cref="TaskMessage.DeduplicationKey"/>, unless a run of the same
    /// task sent with the same key is still pending (queued, scheduled, running or waiting for a retry): then nothing is
    /// stored. The key is held until that run ends (the executor frees it) or <paramref name="ttl"/> passes.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="message">The message, made by <see cref="NewMessage(TaskDescriptor, ReadOnlyMemory{byte}, TaskOptions?, DateTimeOffset?, System.Diagnostics.Activity?)"/>.</param>
    /// <param name="eta">When it is due; null for now.</param>
    /// <param name="priority">Its priority in the queue.</param>
    /// <param name="ttl">How long the key holds at most (<see cref="TaskOptions.DeduplicationTtl"/>); <see cref="DefaultDeduplicationTtl"/> when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The id of the run that holds the key: this message's when it was stored, else the earlier run's.</returns>
    internal async ValueTask<string> SendDeduplicatedAsync(TaskDescriptor task, TaskMessage message, DateTimeOffset? eta, int priority, TimeSpan? ttl,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(message);
        var key = message.DeduplicationKey ?? throw new ArgumentException("the message has no deduplication key", nameof(message));
        var body = Encode(task, message);
        if (Eager)
        {
            // An eager run ends before the call returns, and with it the key's hold: there is nothing to deduplicate against.
            await new TaskExecutor(this).RunEagerAsync(message, task, cancellationToken).ConfigureAwait(false);
            return message.Id;
        }
        var sent = await CallStorageAsync("enqueue task", task.Name,
            (task.Queue, body, Key: DeduplicationKey(task.Name, key), message.Id, Ttl: ttl ?? DefaultDeduplicationTtl, eta, priority),
            static (storage, s, ct) => storage.EnqueueUniqueAsync(s.Queue, s.body, s.Key, s.Id, s.Ttl, s.eta, s.priority, ct), cancellationToken)
            .ConfigureAwait(false);
        // A retry after a lost reply finds the key held by this very message: stored all the same.
        if (sent.Stored || sent.Holder == message.Id)
        {
            TaskTelemetry.Sent(task, 1);
            Events.Publish(eta is null ? TaskEventKind.Enqueued : TaskEventKind.Scheduled, message.Id, message.Name);
        }
        return sent.Holder;
    }

    /// <summary>
    /// Enqueues one run of <paramref name="task"/> unless a run sent with the same <paramref name="deduplicationKey"/> is still
    /// pending, and returns the id of the run that holds the key (this one's, or the earlier one's). Plumbing for tests and
    /// generated code; application code gives <see cref="TaskOptions.DeduplicationKey"/>.
    /// </summary>
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ValueTask<string> EnqueueDeduplicatedAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, string deduplicationKey,
        TimeSpan? deduplicationTtl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(deduplicationKey);
        return EnqueueAsync(task, arguments, new TaskOptions { DeduplicationKey = deduplicationKey, DeduplicationTtl = deduplicationTtl }, cancellationToken);
    }
}
