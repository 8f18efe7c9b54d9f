namespace TaskQueue;

/// <summary>
/// Named locks held across every process of the application (huey's <c>lock_task</c> and <c>flush_locks</c>): a lock is
/// held by one holder at a time, renewed while it is held, released when its holder disposes it, and expires after its
/// time to live when its holder dies. They share names with the locks of tasks (<see cref="TaskAttribute.Lock"/>): a run of
/// <c>[Task(Lock = "reports")]</c> and <c>Locks.AcquireAsync("reports")</c> exclude each other. Get it from
/// <see cref="TaskApp.Locks"/>.
/// </summary>
/// <example>
/// <code>
/// await using (var held = await app.Locks.AcquireAsync("nightly-report", cancellationToken: cancellationToken))
/// {
///     await BuildReportAsync(held.Lost);   // throws TaskLockedException above if another process holds it
/// }
///
/// if (await app.Locks.TryAcquireAsync("cache-warmup") is { } warming) { await using (warming) { ... } }
/// </code>
/// </example>
public sealed class TaskLocks
{
    private readonly TaskApp app;

    internal TaskLocks(TaskApp app) => this.app = app;

    /// <summary>The time to live when none is given: 30 seconds, as a consumer's default visibility timeout.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);

    /// <summary>The name of lock <paramref name="name"/> in storage: locks of tasks and of code share them, apart from recurring records' locks.</summary>
    internal static string StorageName(string name) => "app:" + name;

    /// <summary>
    /// Takes the lock <paramref name="name"/>, or throws <see cref="TaskLockedException"/> when another holder has it. It is
    /// renewed every third of <paramref name="ttl"/> until the returned handle is disposed.
    /// </summary>
    /// <param name="name">The lock's name.</param>
    /// <param name="ttl">How long the lock outlives a holder that stops renewing it (a process that died); <see cref="DefaultTtl"/> when null. At least 100 ms.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="TaskLockedException">Another holder has the lock.</exception>
    public async ValueTask<TaskLock> AcquireAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
        => await TryAcquireAsync(name, ttl, cancellationToken).ConfigureAwait(false) ?? throw new TaskLockedException(name);

    /// <summary>
    /// Takes the lock <paramref name="name"/> when it is free and returns its handle, renewed every third of
    /// <paramref name="ttl"/> until disposed; null when another holder has it.
    /// </summary>
    /// <inheritdoc cref="AcquireAsync" path="/param"/>
    public async ValueTask<TaskLock?> TryAcquireAsync(string name, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var life = ttl ?? DefaultTtl;
        ArgumentOutOfRangeException.ThrowIfLessThan(life, TimeSpan.FromMilliseconds(100), nameof(ttl));
        string owner = "code/" + Environment.ProcessId + "/" + Guid.NewGuid().ToString("N");
        string key = StorageName(name);
        bool taken = await app.CallStorageAsync("take lock", name, (key, owner, life),
            static (storage, s, ct) => storage.AcquireLockAsync(s.key, s.owner, s.life, ct), cancellationToken).ConfigureAwait(false);
        return taken ? new TaskLock(app, name, key, owner, life) : null;
    }

    /// <summary>Whether anybody holds the lock <paramref name="name"/> (a task's run or code).</summary>
    public async ValueTask<bool> IsLockedAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await app.CallStorageAsync("read lock", name, StorageName(name),
            static (storage, key, ct) => storage.GetLockOwnerAsync(key, ct), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Frees the lock <paramref name="name"/> whoever holds it (huey's <c>flush_locks</c>), for an operator who knows its
    /// holder is gone; says whether it was held. A holder still alive takes it again at its next renewal if nobody else
    /// took it meanwhile, and otherwise sees it lost (<see cref="TaskLock.Lost"/>).
    /// </summary>
    public async ValueTask<bool> ForceReleaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string key = StorageName(name);
        // The storage frees a lock only for its owner: read who that is, then free it for them (again if it changed hands).
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var owner = await app.CallStorageAsync("read lock", name, key, static (storage, k, ct) => storage.GetLockOwnerAsync(k, ct), cancellationToken)
                .ConfigureAwait(false);
            if (owner is null) return false;
            if (await app.CallStorageAsync("release lock", name, (key, owner), static (storage, s, ct) => storage.ReleaseLockAsync(s.key, s.owner, ct),
                    cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }
        return false;
    }
}
