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
    /// <exception cref="TaskMessageTooLargeException">The message is larger than <see cref="MaxMessageSize"/>.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public async ValueTask<string> ScheduleAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options,
        TimeSpan? delay = null, DateTimeOffset? eta = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        CheckSchedule(delay, eta);
        // As ScheduleAsync without options: a delay counts from the storage's clock, which decides when the task is due.
        var due = eta ?? (Eager ? TimeProvider.GetUtcNow() : await StorageTimeAsync(cancellationToken).ConfigureAwait(false)) + delay!.Value;
        return await SendAsync(task, arguments, options, due, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one run with options, as a signature of one step: to its queue when <paramref name="due"/> is null, else to the schedule.</summary>
    private async ValueTask<string> SendAsync(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options, DateTimeOffset? due,
        CancellationToken cancellationToken)
    {
        var call = new TaskSignature<NoResult>(task, arguments, NoResult.Read, options);
        var ids = await SendPipelineAsync([new PipelineStage(call, null)], chord: null, delay: null, due, cancellationToken).ConfigureAwait(false);
        return ids[0];
    }
}
