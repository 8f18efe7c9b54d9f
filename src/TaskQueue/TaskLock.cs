namespace TaskQueue;

/// <summary>
/// A lock taken by <see cref="TaskLocks"/>: renewed every third of its time to live while held, released when disposed.
/// </summary>
public sealed class TaskLock : IAsyncDisposable
{
    private readonly TaskApp app;
    private readonly string key;
    private readonly string owner;
    private readonly TimeSpan ttl;
    private readonly CancellationTokenSource done = new();
    // Never disposed: Lost stays usable after the handle is.
    private readonly CancellationTokenSource lost = new();
    private readonly Action<Exception>? renewalFailed;
    private readonly Task renewal;
    private int disposed;

    /// <summary>A lock already taken by <paramref name="owner"/>: renewed from now on, released when disposed.</summary>
    /// <param name="app">The app whose storage holds the lock.</param>
    /// <param name="name">The lock's name, as the caller gave it.</param>
    /// <param name="key">The lock's name in storage.</param>
    /// <param name="owner">Who holds it.</param>
    /// <param name="ttl">How long it lasts without renewal.</param>
    /// <param name="renewalFailed">Told of each renewal or release that failed (it is tried again at the next one); null to say nothing.</param>
    internal TaskLock(TaskApp app, string name, string key, string owner, TimeSpan ttl, Action<Exception>? renewalFailed = null)
    {
        this.app = app;
        Name = name;
        this.key = key;
        this.owner = owner;
        this.ttl = ttl;
        this.renewalFailed = renewalFailed;
        Lost = lost.Token;
        renewal = RenewAsync();
    }

    /// <summary>The lock's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Fires when the lock was found held by another holder at a renewal: it expired while this process could not reach
    /// the storage for longer than its time to live, or was force-released, and someone else took it. Work that must not
    /// overlap should stop.
    /// </summary>
    public CancellationToken Lost { get; }

    private async Task RenewAsync()
    {
        var interval = ttl / 3;
        while (true)
        {
            try
            {
                await Task.Delay(interval, app.TimeProvider, done.Token).ConfigureAwait(false);
                if (!await app.Storage.AcquireLockAsync(key, owner, ttl, done.Token).ConfigureAwait(false))
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A failed renewal is tried again at the next one; the lock holds for its time to live meanwhile.
                renewalFailed?.Invoke(e);
            }
        }
    }

    /// <summary>Stops renewing the lock and frees it, unless another holder has it by now.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await done.CancelAsync().ConfigureAwait(false);
        await renewal.ConfigureAwait(false);
        done.Dispose();
        try
        {
            await app.Storage.ReleaseLockAsync(key, owner, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not thrown out of an `await using`: the lock expires by itself after its time to live.
            renewalFailed?.Invoke(e);
        }
    }
}
