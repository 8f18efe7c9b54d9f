using System.Diagnostics;
using TaskQueue.Diagnostics;
using TaskQueue.Execution;
using TaskQueue.Messages;
using TaskQueue.Storage;

namespace TaskQueue;

/// <summary>
/// The central object (huey's <c>Huey</c>): which storage holds the tasks, and how results are kept.
/// Generated stubs use <see cref="Current"/>: the app made current for the calling async flow by
/// <see cref="MakeCurrent"/>, else <see cref="Default"/>, which starts as an in-memory app.
/// </summary>
/// <example>
/// <code>
/// // at start-up
/// TaskApp.Default = new TaskApp(new RedisStorage(...));
///
/// // in a test, or per tenant: for this async flow only
/// using (new TaskApp { Eager = true }.MakeCurrent()) { CountBeans.Enqueue(1); }
///
/// // or name the app at the call
/// CountBeans.With(app).Enqueue(1);
/// </code>
/// </example>
public sealed partial class TaskApp : IAsyncDisposable
{
    private static TaskApp? defaultApp;
    private static readonly AsyncLocal<TaskApp?> Ambient = new();

    private readonly bool ownsStorage;

    /// <summary>Creates an app on <paramref name="storage"/> (in memory when null).</summary>
    /// <param name="storage">
    /// Where tasks live. The app does not dispose a storage it is given: whoever created it disposes
    /// it. When null the app makes a <see cref="MemoryStorage"/> of its own and disposes it.
    /// </param>
    /// <param name="timeProvider">The clock for waits and timestamps; the system clock when null.</param>
    public TaskApp(ITaskStorage? storage = null, TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        ownsStorage = storage is null;
        Storage = storage ?? new MemoryStorage(TimeProvider);
        Events = new TaskEventStream(TimeProvider);
        Stats = new Operations.StatsRecorder(this);
        Events.Stats = Stats;
        Recurring = new RecurringTasks(this);
        Operations = new Operations.TaskOperations(this);
    }

    /// <summary>
    /// The app the stubs use when none is current. Set it once at start-up; reading it before it is
    /// set creates an in-memory app.
    /// </summary>
    public static TaskApp Default
    {
        get => Volatile.Read(ref defaultApp) ?? LazyInitializer.EnsureInitialized(ref defaultApp, static () => new TaskApp());
        set => Volatile.Write(ref defaultApp, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The app for the calling async flow: the one made current by <see cref="MakeCurrent"/>, else <see cref="Default"/>.</summary>
    public static TaskApp Current => Ambient.Value ?? Default;

    /// <summary>
    /// Makes this app <see cref="Current"/> for the calling async flow (and what it starts) until the
    /// returned scope is disposed.
    /// </summary>
    public IDisposable MakeCurrent()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Scope(previous);
    }

    private sealed class Scope(TaskApp? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Ambient.Value = previous;
        }
    }

    /// <summary>The application's recurring tasks (sisy's API): list, find, change, enable, disable, delete.</summary>
    public RecurringTasks Recurring { get; }

    /// <summary>Where tasks, results and revocations live.</summary>
    public ITaskStorage Storage { get; }

    /// <summary>The clock for waits and timestamps.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Whether results are stored at all (huey's <c>result_store</c>). Default true.</summary>
    public bool StoreResults { get; init; } = true;

    /// <summary>Whether a task that returns nothing stores a completion marker (huey's <c>store_none</c>). Default false.</summary>
    public bool StoreNone { get; init; }

    /// <summary>Whether a task that fails for good stores its error, so reading its result throws. Default true.</summary>
    public bool StoreErrors { get; init; } = true;

    /// <summary>How long stored results are kept; null keeps them until read. Default 7 days.</summary>
    public TimeSpan? ResultTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a revocation of one task instance (by id, a handle's <c>Revoke</c>, or
    /// <c>GetAsync(revokeOnTimeout: true)</c>) with no end of its own is kept when nothing consumes
    /// it: a revocation of a run that had already started would otherwise stay forever. Revoke an
    /// instance scheduled further ahead with an explicit end. Revocations of a task as a whole are
    /// kept until restored. Null keeps them all until restored. Default 30 days.
    /// </summary>
    public TimeSpan? RevocationTtl { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The most dead letters kept: consumers remove the oldest beyond it with their heartbeat.
    /// Default 10,000 (as Sidekiq's dead set).
    /// </summary>
    public int DeadLetterLimit
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 10_000;

    /// <summary>How long dead letters are kept: consumers remove older ones with their heartbeat. Default 180 days.</summary>
    public TimeSpan DeadLetterMaxAge
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromDays(180);

    /// <summary>
    /// Runs tasks inline at <c>Enqueue</c> and <c>Schedule</c> (ignoring delays) instead of queueing
    /// them (huey's <c>always_eager</c>): for unit tests of code that enqueues. Arguments and results
    /// still travel through their encoding, so what works eagerly works in a consumer.
    /// </summary>
    public bool Eager { get; init; }

    /// <summary>The default <see cref="MaxMessageSize"/>: 16 MiB.</summary>
    public const int DefaultMaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// The largest encoded message, in bytes, that this app sends or runs. <c>Enqueue</c>, <c>Schedule</c>
    /// and <c>EnqueueMany</c> throw <see cref="TaskMessageTooLargeException"/> for a larger one (and
    /// recurring tasks for larger arguments); a consumer sends a larger message it takes to dead letters
    /// without decoding it. Producers and workers should agree: a worker dead-letters what a producer with
    /// a higher limit sent. At least 1 KiB. Default <see cref="DefaultMaxMessageSize"/>, 16 MiB.
    /// </summary>
    /// <remarks>
    /// 16 MiB is far more than arguments need (pass large data by reference: a key, a path, a URL) and still
    /// bounds what one message costs: a worker takes a batch of messages at once and a decoded argument can
    /// take several times its encoded size, so messages of hundreds of megabytes, which Redis would accept,
    /// could take a worker's memory, and each one stays in the queue's memory until it runs.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1,024.</exception>
    public int MaxMessageSize
    {
        get;
        init => field = value >= 1024 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), value, "the message size limit must be at least 1024 bytes");
    } = DefaultMaxMessageSize;

    /// <summary>What happens to tasks: enqueued, started, finished, failed, retried, revoked...</summary>
    public TaskEventStream Events { get; }

    /// <summary>
    /// The tasks this app's consumers run and whose periodic schedules their tickers fire. By
    /// default every task the generated code of this process announced (<see cref="TaskCatalog.Registered"/>),
    /// taken when the app is built.
    /// </summary>
    public TaskCatalog Tasks { get; init; } = TaskCatalog.Registered;

    /// <summary>
    /// Where <c>[FromServices]</c> task parameters come from: each run gets a scope of its own
    /// (see <see cref="TaskContext.Services"/>). <c>services.AddTaskQueue(...)</c> sets it; null in a
    /// plain console app, where a task with such a parameter fails with a message that says so.
    /// </summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>The application's name, as its storage knows it; it tags the app's metrics. Default <c>default</c>.</summary>
    public string Name { get; init; } = "default";

    /// <summary>
    /// Signs every message this app sends and checks every message it runs (HMAC-SHA256, with key
    /// rotation); null (the default) sends and accepts unsigned messages. Give producers and consumers
    /// the same keys.
    /// </summary>
    public MessageSigning? Signing { get; init; }

    /// <summary>An encoded envelope as it goes to storage: signed when <see cref="Signing"/> is set.</summary>
    internal byte[] Seal(byte[] envelope) => Signing is { } signing ? signing.Sign(envelope) : envelope;

    /// <summary>The envelope inside a message from storage, its signature checked when <see cref="Signing"/> is set.</summary>
    /// <exception cref="TaskPayloadException">A signature is missing, from a key not accepted, or does not match; or the message is signed and this app has no keys.</exception>
    internal ReadOnlyMemory<byte> Open(ReadOnlyMemory<byte> message)
    {
        if (Signing is { } signing) return signing.Verify(message);
        if (!message.IsEmpty && message.Span[0] == MessageSigning.Marker)
        {
            throw new TaskPayloadException("the message is signed, but this app has no signing keys (set TaskApp.Signing, or TaskQueue:SigningKeys)");
        }
        return message;
    }

    /// <summary>
    /// Adds the last operations counts to storage, then disposes the storage if the app made it (see
    /// the constructor); a storage that was given is left to its owner.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Stats.DisposeAsync().ConfigureAwait(false);
        if (ownsStorage) await Storage.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Counts of what happens in this process, added to storage every few seconds.</summary>
    internal Operations.StatsRecorder Stats { get; }

    /// <summary>
    /// What operators look at and do: queues with their depth and rates, workers, pending, scheduled,
    /// running and failed tasks, dead letters, periodic and recurring tasks. The admin command and the
    /// dashboard read it.
    /// </summary>
    public Operations.TaskOperations Operations { get; }

    /// <summary>Encodes a message of <paramref name="task"/>, refusing one larger than <see cref="MaxMessageSize"/>.</summary>
    /// <exception cref="TaskMessageTooLargeException">The encoded message is larger than <see cref="MaxMessageSize"/>.</exception>
    internal byte[] Encode(TaskDescriptor task, TaskMessage message)
    {
        var body = Seal(MessageCodec.Encode(message));
        if (body.Length > MaxMessageSize) throw new TaskMessageTooLargeException(task.Name, body.Length, MaxMessageSize);
        return body;
    }

    internal TaskMessage NewMessage(TaskDescriptor task, ReadOnlyMemory<byte> arguments, int? retries, TimeSpan? retryDelay, DateTimeOffset? eta,
        Activity? sending = null)
        => NewMessage(task, arguments, retries is null && retryDelay is null ? null : new TaskOptions { Retries = retries, RetryDelay = retryDelay }, eta, sending);

    /// <summary>A new message of <paramref name="task"/>: the task's defaults, overridden by <paramref name="options"/>.</summary>
    internal TaskMessage NewMessage(TaskDescriptor task, ReadOnlyMemory<byte> arguments, TaskOptions? options, DateTimeOffset? eta, Activity? sending = null)
    {
        if (options is not null) CheckOptions(options);
        var (traceParent, traceState) = TaskTelemetry.ContextFor(sending);
        var now = TimeProvider.GetUtcNow();
        var expiresAfter = options?.ExpiresAfter ?? task.Expires;
        var message = new TaskMessage
        {
            Id = TaskId.New(),
            Name = task.Name,
            Arguments = arguments,
            Retries = options?.Retries ?? task.Retries,
            RetryDelay = options?.RetryDelay ?? task.RetryDelay,
            Eta = eta,
            CreatedAt = now,
            TraceParent = traceParent,
            TraceState = traceState,
            Expires = options?.ExpiresAt ?? (expiresAfter is { } after ? (eta ?? now) + after : null),
            Timeout = options?.Timeout ?? task.Timeout ?? TimeSpan.Zero,
            Backoff = options?.Backoff ?? task.Backoff,
            DeduplicationKey = options?.DeduplicationKey,
        };
        return message;
    }

    private static void CheckOptions(TaskOptions o)
    {
        if (o.Retries is < 0) throw new ArgumentOutOfRangeException("retries", o.Retries, "retries cannot be negative");
        if (o.RetryDelay is { } d && d < TimeSpan.Zero) throw new ArgumentOutOfRangeException("retryDelay", o.RetryDelay, "retryDelay cannot be negative");
        if (o.ExpiresAfter is { } e && e <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(o.ExpiresAfter), e, "ExpiresAfter must be more than zero");
        if (o.Timeout is { } t && t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(o.Timeout), t, "Timeout must be more than zero");
        if (o.Backoff is { } b && !(b.Factor >= 1 && b.Factor <= 1000)) throw new ArgumentOutOfRangeException(nameof(o.Backoff), b.Factor, "the backoff factor must be between 1 and 1000");
        if (o.DeduplicationKey is { } k && (k.Length == 0 || k.Length > 512)) throw new ArgumentException("a deduplication key must have 1 to 512 characters", nameof(o.DeduplicationKey));
        if (o.DeduplicationTtl is { } dt && dt <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(o.DeduplicationTtl), dt, "DeduplicationTtl must be more than zero");
    }
}
