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
    private readonly Task renewal;
    private int disposed;

    internal TaskLock(TaskApp app, string name, string key, string owner, TimeSpan ttl)
    {
        this.app = app;
        Name = name;
        this.key = key;
        this.owner = owner;
        this.ttl = ttl;
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
            catch (Exception)
            {
                // A failed renewal is tried again at the next one; the lock holds for its time to live meanwhile.
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
        }
    }
}
