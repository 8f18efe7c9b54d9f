using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using MessagePack;
using TaskQueue.Messages;

namespace TaskQueue;

/// <summary>
/// A handle on one enqueued task instance: its id, its result, and revoking it. The generated
/// <c>Enqueue</c> and <c>Schedule</c> return <see cref="TaskResult{T}"/> for tasks with a value and
/// <see cref="TaskResult"/> for tasks without one.
/// </summary>
/// <remarks>
/// Reading a result deletes it from storage unless <c>preserve</c> is set (huey's default). The handle
/// keeps the value or error it read: a second read of the same handle returns it without asking
/// storage, until <see cref="Reset"/>; another handle on the same id finds nothing. Nothing is stored
/// for a task that returned nothing unless the app has <see cref="TaskApp.StoreNone"/>, so waiting on
/// such a task only ends with an error or a timeout without it.
/// </remarks>
public abstract partial class TaskResultBase
{
    private protected TaskResultBase(TaskApp app, string id, string taskName)
    {
        App = app ?? throw new ArgumentNullException(nameof(app));
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
        TaskName = taskName;
    }

    /// <summary>The app the task was enqueued on.</summary>
    public TaskApp App { get; }

    /// <summary>The task instance's id.</summary>
    public string Id { get; }

    /// <summary>The task's name; empty for a handle made from an id alone (<see cref="TaskApp.Result"/>).</summary>
    public string TaskName { get; }

    /// <summary>
    /// Prevents this instance from running if it has not started. By default only the next run is
    /// skipped (huey's behaviour for one result); with <paramref name="revokeOnce"/> false it stays
    /// revoked until restored or until <paramref name="revokeUntil"/>.
    /// </summary>
    public ValueTask RevokeAsync(DateTimeOffset? revokeUntil = null, bool revokeOnce = true, CancellationToken cancellationToken = default)
        => App.RevokeByIdAsync(Id, revokeUntil, revokeOnce, cancellationToken);

    /// <inheritdoc cref="RevokeAsync"/>
    public void Revoke(DateTimeOffset? revokeUntil = null, bool revokeOnce = true) => Sync.Wait(RevokeAsync(revokeUntil, revokeOnce));

    /// <summary>Undoes <see cref="Revoke"/>; says whether the instance was revoked.</summary>
    public ValueTask<bool> RestoreAsync(CancellationToken cancellationToken = default) => App.RestoreByIdAsync(Id, cancellationToken);

    /// <inheritdoc cref="RestoreAsync"/>
    public bool Restore() => Sync.Wait(RestoreAsync());

    /// <summary>
    /// Whether this instance would be skipped at <paramref name="at"/> (now by default): it is revoked
    /// by id, or its task is revoked as a whole (huey's <c>result.is_revoked()</c>).
    /// </summary>
    public async ValueTask<bool> IsRevokedAsync(DateTimeOffset? at = null, CancellationToken cancellationToken = default)
        => await App.IsRevokedByIdAsync(Id, at, cancellationToken).ConfigureAwait(false)
           || (TaskName.Length > 0 && await App.IsTaskRevokedAsync(TaskName, at, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc cref="IsRevokedAsync"/>
    public bool IsRevoked(DateTimeOffset? at = null) => Sync.Wait(IsRevokedAsync(at));

    /// <summary>
    /// Reads the stored result once, without waiting (retrying a failing storage for
    /// <see cref="TaskApp.StorageRetryTime"/>); throws <see cref="TaskFailedException"/> for a stored error.
    /// </summary>
    private protected async ValueTask<(bool Ready, ReadOnlyMemory<byte> Value)> TryReadAsync(bool preserve, CancellationToken cancellationToken)
        => Cached() ?? Unpack(await App.CallStorageAsync("read the result of task", Id, (Id, preserve),
            static (storage, s, ct) => storage.ReadResultAsync(s.Id, s.preserve, ct), cancellationToken).ConfigureAwait(false));

    private (bool Ready, ReadOnlyMemory<byte> Value) Unpack(byte[]? bytes)
    {
        if (bytes is null) return (false, default);
        var stored = ResultCodec.Decode(bytes);
        // Kept once read (huey's handle does so): the next read returns it without asking storage, until Reset.
        Remember(stored);
        if (stored.IsError) throw Failure(stored.Error!);
        return (true, stored.Value);
    }

    /// <summary>
    /// Waits for the stored result, polling with backoff (huey's <c>get(blocking=True)</c>). A read that
    /// fails with a passing storage failure counts as "not yet": the wait goes on through an outage
    /// until its timeout, or, without one, until the storage has failed for <see cref="TaskApp.StorageRetryTime"/>.
    /// </summary>
    private protected async ValueTask<ReadOnlyMemory<byte>> WaitAsync(
        bool blocking, TimeSpan? timeout, double backoff, TimeSpan? maxDelay, bool revokeOnTimeout, bool preserve, CancellationToken cancellationToken)
    {
        if (backoff < 1) throw new ArgumentOutOfRangeException(nameof(backoff), backoff, "backoff must be 1 or more");
        if (Cached() is { } known) return known.Value;
        if (!blocking)
        {
            var (ready, value) = await TryReadAsync(preserve, cancellationToken).ConfigureAwait(false);
            return ready ? value : throw new TaskResultNotReadyException(Id);
        }
        // Waiting for another process is wall-clock time, whatever clock the app keeps for etas.
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        long failingSince = 0;
        int failures = 0;
        Exception? lastFailure = null;
        var delay = TimeSpan.FromMilliseconds(2);
        var max = maxDelay ?? TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var (ready, value) = Unpack(await App.Storage.ReadResultAsync(Id, preserve, cancellationToken).ConfigureAwait(false));
                if (ready) return value;
                failingSince = 0;
                failures = 0;
                lastFailure = null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && App.Storage.IsTransientFailure(e))
            {
                if (failingSince == 0) failingSince = System.Diagnostics.Stopwatch.GetTimestamp();
                failures++;
                lastFailure = e;
                var failingFor = System.Diagnostics.Stopwatch.GetElapsedTime(failingSince);
                if (timeout is null && failingFor >= App.StorageRetryTime)
                {
                    throw new TaskStorageUnavailableException("wait for the result of task " + Id, failingFor, failures, e);
                }
            }
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (timeout is { } limit && elapsed >= limit)
            {
                if (revokeOnTimeout && lastFailure is null)
                {
                    await App.RevokeByIdAsync(Id, null, revokeOnce: true, cancellationToken).ConfigureAwait(false);
                }
                else if (revokeOnTimeout)
                {
                    // The storage is failing: one try, without the client retries, so that the wait
                    // ends at its timeout with the timeout's exception.
                    await App.TryRevokeOnceAsync(Id, cancellationToken).ConfigureAwait(false);
                }
                throw lastFailure is null
                    ? new TaskResultTimeoutException(Id, limit)
                    : new TaskResultTimeoutException(Id, limit, System.Diagnostics.Stopwatch.GetElapsedTime(failingSince), lastFailure);
            }
            var wait = timeout is { } t && t - elapsed < delay ? t - elapsed : delay;
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * backoff), max.Ticks));
        }
    }

    /// <inheritdoc />
    public override string ToString() => TaskName.Length > 0 ? $"{TaskName} ({Id})" : Id;
}

/// <summary>The handle on a task instance that returns nothing. See <see cref="TaskResultBase"/>.</summary>
public sealed class TaskResult : TaskResultBase
{
    /// <summary>Creates a handle for an existing task id.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
    public TaskResult(TaskApp app, string id, string taskName) : base(app, id, taskName) { }

    /// <summary>
    /// Waits until the task has finished: returns when a completion is stored (with
    /// <see cref="TaskApp.StoreNone"/>) and throws <see cref="TaskFailedException"/> when it failed.
    /// </summary>
    /// <param name="blocking">Wait for it; when false, throw <see cref="TaskResultNotReadyException"/> if it is not there.</param>
    /// <param name="timeout">How long to wait; null waits for ever.</param>
    /// <param name="backoff">Factor by which the pause between polls grows.</param>
    /// <param name="maxDelay">Longest pause between polls (1 s by default).</param>
    /// <param name="revokeOnTimeout">On timeout, revoke the task so it does not start later.</param>
    /// <param name="preserve">Keep the stored result after reading it.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async ValueTask GetAsync(bool blocking = true, TimeSpan? timeout = null, double backoff = 1.15, TimeSpan? maxDelay = null,
        bool revokeOnTimeout = false, bool preserve = false, CancellationToken cancellationToken = default)
        => await WaitAsync(blocking, timeout, backoff, maxDelay, revokeOnTimeout, preserve, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="GetAsync"/>
    public void Get(bool blocking = true, TimeSpan? timeout = null, double backoff = 1.15, TimeSpan? maxDelay = null,
        bool revokeOnTimeout = false, bool preserve = false)
        => Sync.Wait(GetAsync(blocking, timeout, backoff, maxDelay, revokeOnTimeout, preserve));

    /// <summary>Whether the task has finished (a completion is stored); throws <see cref="TaskFailedException"/> when it failed.</summary>
    public async ValueTask<bool> IsDoneAsync(bool preserve = false, CancellationToken cancellationToken = default)
        => (await TryReadAsync(preserve, cancellationToken).ConfigureAwait(false)).Ready;
}

/// <summary>The handle on a task instance that returns a <typeparamref name="T"/>. See <see cref="TaskResultBase"/>.</summary>
public sealed class TaskResult<T> : TaskResultBase
{
    private readonly ResultReader<T> reader;

    /// <summary>Creates a handle for an existing task id; <paramref name="reader"/> is the generated result decoder.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
    public TaskResult(TaskApp app, string id, string taskName, ResultReader<T> reader) : base(app, id, taskName)
        => this.reader = reader ?? throw new ArgumentNullException(nameof(reader));

    /// <summary>
    /// Reads the task's return value, waiting for it by default. Throws
    /// <see cref="TaskResultTimeoutException"/> when <paramref name="timeout"/> passes,
    /// <see cref="TaskResultNotReadyException"/> when not <paramref name="blocking"/> and nothing is there
    /// (use <see cref="TryGet"/> to test instead), and <see cref="TaskFailedException"/> when the task failed.
    /// </summary>
    /// <param name="blocking">Wait for it; when false, fail at once if it is not there.</param>
    /// <param name="timeout">How long to wait; null waits for ever.</param>
    /// <param name="backoff">Factor by which the pause between polls grows.</param>
    /// <param name="maxDelay">Longest pause between polls (1 s by default).</param>
    /// <param name="revokeOnTimeout">On timeout, revoke the task so it does not start later.</param>
    /// <param name="preserve">Keep the stored result after reading it (by default a read deletes it).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async ValueTask<T> GetAsync(bool blocking = true, TimeSpan? timeout = null, double backoff = 1.15, TimeSpan? maxDelay = null,
        bool revokeOnTimeout = false, bool preserve = false, CancellationToken cancellationToken = default)
        => Decode(await WaitAsync(blocking, timeout, backoff, maxDelay, revokeOnTimeout, preserve, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc cref="GetAsync"/>
    public T Get(bool blocking = true, TimeSpan? timeout = null, double backoff = 1.15, TimeSpan? maxDelay = null,
        bool revokeOnTimeout = false, bool preserve = false)
        => Sync.Wait(GetAsync(blocking, timeout, backoff, maxDelay, revokeOnTimeout, preserve));

    /// <summary>
    /// Reads the value if it is there, without waiting: false means "not ready", which is told apart
    /// from any stored value (also <c>0</c> or <c>null</c>). Throws <see cref="TaskFailedException"/> when the task failed.
    /// </summary>
    public bool TryGet([MaybeNullWhen(false)] out T value, bool preserve = false)
    {
        var (ready, bytes) = Sync.Wait(TryReadAsync(preserve, CancellationToken.None));
        value = ready ? Decode(bytes) : default;
        return ready;
    }

    /// <summary>Asynchronous <see cref="TryGet"/>: <c>Ready</c> is false when nothing is stored yet.</summary>
    public async ValueTask<(bool Ready, T? Value)> TryGetAsync(bool preserve = false, CancellationToken cancellationToken = default)
    {
        var (ready, bytes) = await TryReadAsync(preserve, cancellationToken).ConfigureAwait(false);
        return ready ? (true, Decode(bytes)) : (false, default);
    }

    private T Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var r = new MessagePackReader(bytes);
            return reader(ref r);
        }
        catch (Exception e) when (Serialization.Primitives.IsDecodeError(e))
        {
            throw new TaskPayloadException($"the result of task {TaskName} ({Id}) does not decode as {typeof(T).Name}: {e.Message}", e);
        }
    }
}
