using System.ComponentModel;
using System.Text.Json;
using TaskQueue.Messages;
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
/// Writes a task's encoded arguments to <paramref name="writer"/> as one JSON object: a property per
/// argument, named as the parameter, in parameter order. Generated code implements it by decoding the
/// arguments as the task's invoker does and writing the values it gets; it throws what the decoder throws
/// (<see cref="TaskPayloadException"/>) when they do not decode. Call
/// <see cref="TaskDescriptor.RenderArguments"/> instead, which never throws.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void ArgumentsRenderer(ReadOnlyMemory<byte> arguments, Utf8JsonWriter writer);

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

    /// <summary>
    /// The generated code that writes the task's arguments as JSON, for <see cref="RenderArguments"/>; null
    /// for a descriptor made without one, whose arguments render without their names.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public ArgumentsRenderer? ArgumentsRenderer { get; init; }

    /// <summary>
    /// The default priority of the task's runs in their queue (<see cref="TaskAttribute.Priority"/>):
    /// higher runs first, equal priorities in the order sent. 0 unless the attribute says otherwise.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>How long after it is sent (or due) a run that has not started expires (<see cref="TaskAttribute.ExpiresSeconds"/>); null for never.</summary>
    public TimeSpan? Expires { get; init; }

    /// <summary>How long a run may take before its token fires (<see cref="TaskAttribute.TimeoutSeconds"/>); null for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How the retry delay grows (<see cref="TaskAttribute.RetryBackoff"/>); null keeps it fixed.</summary>
    public RetryBackoff? Backoff { get; init; }

    /// <summary>The name of the lock every run holds while it runs, across processes (<see cref="TaskAttribute.Lock"/>); null for none.</summary>
    public string? Lock { get; init; }

    /// <summary>How many runs may start per period across all workers (<see cref="TaskAttribute.RateLimit"/>); null for no limit.</summary>
    public RateLimit? RateLimit { get; init; }

    /// <summary>For a periodic task (<see cref="PeriodicTaskAttribute"/>): its schedule; null for other tasks.</summary>
    public PeriodicSchedule? Periodic { get; init; }

    /// <summary>A copy of this descriptor with another schedule (see <see cref="TaskCatalog.WithPeriodic"/>).</summary>
    internal TaskDescriptor WithPeriodic(PeriodicSchedule periodic)
        => new(Name, Queue, Retries, RetryDelay, Invoker) {
            Periodic = periodic, ArgumentsRenderer = ArgumentsRenderer, Priority = Priority,
            Expires = Expires, Timeout = Timeout, Backoff = Backoff, Lock = Lock, RateLimit = RateLimit,
        };

    /// <summary>
    /// A message's arguments as JSON for people to read (an admin command, a dashboard, a dead letter): one
    /// object with a property per argument that travels in the message, named as the method's parameter,
    /// such as <c>{"count":1000,"farm":"north"}</c>. <see cref="CancellationToken"/>,
    /// <see cref="TaskContext"/> and <see cref="FromServicesAttribute"/> parameters do not travel and are not
    /// shown. Never throws.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The arguments are decoded as a worker decodes them, so the JSON shows what the method would get:
    /// defaults for arguments that an older message lacks, no trace of extra ones from a newer caller.
    /// Values render as JSON says them: numbers (and <see cref="decimal"/>) as numbers, with NaN and the
    /// infinities as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>; <see cref="char"/>,
    /// <see cref="string"/> as strings; <see cref="Guid"/>, <see cref="DateTime"/>, <see cref="DateTimeOffset"/>
    /// as their standard and ISO 8601 text; <see cref="TimeSpan"/> as <c>"c"</c> text (<c>"1.02:03:04"</c>);
    /// byte arrays as base64; an enum as the name of its member, or its number when no single member has the
    /// value (flags combined, a newer member); lists and arrays as arrays; dictionaries and the task's own
    /// records, classes and structs as objects, with member names as declared; null as <c>null</c>.
    /// </para>
    /// <para>
    /// Arguments that do not decode for this task render without names, from their MessagePack alone,
    /// under the reason: <c>{"$error":"task 'count': argument 'num' does not decode as int: ...","$arguments":["many"]}</c>;
    /// bytes that are no MessagePack at all as <c>{"$error":"...","$length":3,"$base64":"AQID"}</c>. A descriptor
    /// without a renderer gives <c>{"$arguments":[1000,"north"]}</c>.
    /// </para>
    /// <para>
    /// The JSON is bounded: a string or base64 text longer than 16,384 characters is cut and ends with
    /// <c>…</c>; JSON longer than 64 KiB is cut after its last whole value, closed, and marked with a last
    /// property <c>"$truncated":true</c>. Non-ASCII text is written as it is, so the JSON is readable but not
    /// HTML-safe: a page encodes it as any other text.
    /// </para>
    /// </remarks>
    /// <param name="arguments">The message's arguments (<see cref="TaskMessage.Arguments"/>).</param>
    /// <returns>One JSON object.</returns>
    public string RenderArguments(ReadOnlyMemory<byte> arguments) => ArgumentsJson.Render(ArgumentsRenderer, arguments);

    /// <inheritdoc />
    public override string ToString() => Name;
}
