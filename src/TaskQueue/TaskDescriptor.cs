using System.ComponentModel;
using TaskQueue.Scheduling;
using TaskQueue.Serialization;

namespace TaskQueue;

/// <summary>
/// Runs a task from its encoded arguments and returns its encoded result, or <see langword="null"/>
/// when the task returned nothing (<c>void</c>, <c>Task</c>, <c>ValueTask</c> or a null value).
/// Generated code implements it; it throws <see cref="TaskPayloadException"/> when the arguments do
/// not decode.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ValueTask<byte[]?> TaskInvoker(ReadOnlyMemory<byte> arguments, TaskContext context, CancellationToken cancellationToken);

/// <summary>Reads a task's result from its MessagePack encoding. Generated code implements it.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate T ResultReader<T>(ref MessagePack.MessagePackReader reader);

/// <summary>
/// What the consumer and the client know about one task: its stable name, queue, retry policy and
/// the generated code that runs it. The generator creates one per <see cref="TaskAttribute"/> or
/// <see cref="PeriodicTaskAttribute"/> method; each app finds them in its <see cref="TaskCatalog"/>.
/// </summary>
public sealed class TaskDescriptor
{
    /// <summary>The queue used when a task names none.</summary>
    public const string DefaultQueue = "default";

    /// <summary>Creates a descriptor. Called by generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
    public TaskDescriptor(string name, string? queue, int retries, TimeSpan retryDelay, TaskInvoker invoker)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryDelay, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(invoker);
        Name = name;
        Queue = string.IsNullOrEmpty(queue) ? DefaultQueue : queue;
        Retries = retries;
        RetryDelay = retryDelay;
        Invoker = invoker;
    }

    /// <summary>The task's stable name, written in every message.</summary>
    public string Name { get; }

    /// <summary>The queue the task's messages go to.</summary>
    public string Queue { get; }

    /// <summary>Default number of retries after a failure.</summary>
    public int Retries { get; }

    /// <summary>Default delay before each retry.</summary>
    public TimeSpan RetryDelay { get; }

    /// <summary>The generated code that decodes arguments, calls the method and encodes its result.</summary>
    public TaskInvoker Invoker { get; }

    /// <summary>For a periodic task (<see cref="PeriodicTaskAttribute"/>): its schedule; null for other tasks.</summary>
    public PeriodicSchedule? Periodic { get; init; }

    /// <summary>A copy of this descriptor with another schedule (see <see cref="TaskCatalog.WithPeriodic"/>).</summary>
    internal TaskDescriptor WithPeriodic(PeriodicSchedule periodic) => new(Name, Queue, Retries, RetryDelay, Invoker) { Periodic = periodic };

    /// <inheritdoc />
    public override string ToString() => Name;
}
