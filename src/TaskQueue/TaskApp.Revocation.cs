using TaskQueue.Storage;

namespace TaskQueue;

public sealed partial class TaskApp
{
    // Instance ids and task names share one revocation namespace; the prefixes keep them apart.
    internal static string IdTarget(string taskId) => "i:" + taskId;

    internal static string TaskTarget(string taskName) => "t:" + taskName;

    /// <summary>Revokes one task instance by id (huey's <c>revoke_by_id</c>).</summary>
    /// <param name="taskId">The instance's id.</param>
    /// <param name="revokeUntil">Revoked until then; null until restored.</param>
    /// <param name="revokeOnce">Skip only its next run.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public ValueTask RevokeByIdAsync(string taskId, DateTimeOffset? revokeUntil = null, bool revokeOnce = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return RevokeInstanceAsync(taskId, revokeUntil, revokeOnce, cancellationToken);
    }

    /// <summary>Restores a task instance revoked by id; says whether it was revoked.</summary>
    public ValueTask<bool> RestoreByIdAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return CallStorageAsync("restore task instance", taskId, IdTarget(taskId), static (storage, target, ct) => storage.RestoreAsync(target, ct), cancellationToken);
    }

    /// <summary>Whether a task instance is revoked at <paramref name="at"/> (now by default).</summary>
    public ValueTask<bool> IsRevokedByIdAsync(string taskId, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return IsTargetRevokedAsync(IdTarget(taskId), at, cancellationToken);
    }

    /// <summary>
    /// Revokes a task as a whole: none of its runs start until it is restored, or until
    /// <paramref name="revokeUntil"/>; with <paramref name="revokeOnce"/> only the next run is skipped.
    /// </summary>
    public ValueTask RevokeTaskAsync(string taskName, DateTimeOffset? revokeUntil = null, bool revokeOnce = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        return RevokeTargetAsync(TaskTarget(taskName), revokeUntil, revokeOnce, cancellationToken);
    }

    /// <summary>Restores a task revoked as a whole; says whether it was revoked.</summary>
    public ValueTask<bool> RestoreTaskAsync(string taskName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        return CallStorageAsync("restore task", taskName, TaskTarget(taskName), static (storage, target, ct) => storage.RestoreAsync(target, ct), cancellationToken);
    }

    /// <summary>Whether a task as a whole is revoked at <paramref name="at"/> (now by default).</summary>
    public ValueTask<bool> IsTaskRevokedAsync(string taskName, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        return IsTargetRevokedAsync(TaskTarget(taskName), at, cancellationToken);
    }

    /// <inheritdoc cref="RevokeTaskAsync"/>
    public void RevokeTask(string taskName, DateTimeOffset? revokeUntil = null, bool revokeOnce = false)
        => Sync.Wait(RevokeTaskAsync(taskName, revokeUntil, revokeOnce));

    /// <inheritdoc cref="RestoreTaskAsync"/>
    public bool RestoreTask(string taskName) => Sync.Wait(RestoreTaskAsync(taskName));

    /// <inheritdoc cref="IsTaskRevokedAsync"/>
    public bool IsTaskRevoked(string taskName, DateTimeOffset? at = null) => Sync.Wait(IsTaskRevokedAsync(taskName, at));

    /// <summary>
    /// Revokes the next run of a task instance with one storage call and no retries, its expiry from
    /// this app's clock; a passing storage failure is ignored (a result wait that timed out while the
    /// storage failed).
    /// </summary>
    internal async ValueTask TryRevokeOnceAsync(string taskId, CancellationToken cancellationToken)
    {
        var revocation = new Revocation(null, Once: true);
        if (RevocationTtl is { } ttl) revocation = revocation with { Expires = TimeProvider.GetUtcNow() + ttl };
        try
        {
            await Storage.RevokeAsync(IdTarget(taskId), revocation, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && Storage.IsTransientFailure(e))
        {
        }
    }

    private async ValueTask RevokeInstanceAsync(string taskId, DateTimeOffset? revokeUntil, bool revokeOnce, CancellationToken cancellationToken)
    {
        var revocation = new Revocation(revokeUntil, revokeOnce);
        if (revokeUntil is null && RevocationTtl is { } ttl)
        {
            revocation = revocation with { Expires = await StorageTimeAsync(cancellationToken).ConfigureAwait(false) + ttl };
        }
        await RevokeAsync(IdTarget(taskId), revocation, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask RevokeTargetAsync(string target, DateTimeOffset? revokeUntil, bool revokeOnce, CancellationToken cancellationToken)
    {
        await RevokeAsync(target, new Revocation(revokeUntil, revokeOnce), cancellationToken).ConfigureAwait(false);
    }

    private ValueTask RevokeAsync(string target, Revocation revocation, CancellationToken cancellationToken)
        => CallStorageAsync("revoke", target, (target, revocation), static (storage, s, ct) => storage.RevokeAsync(s.target, s.revocation, ct), cancellationToken);

    private async ValueTask<bool> IsTargetRevokedAsync(string target, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        if (await CallStorageAsync("read the revocation of", target, target, static (storage, t, ct) => storage.GetRevocationAsync(t, ct), cancellationToken)
                .ConfigureAwait(false) is not { } revocation)
        {
            return false;
        }
        // "Now" is the storage's clock, the one that decides whether a run is skipped.
        return revocation.AppliesAt(at ?? await StorageTimeAsync(cancellationToken).ConfigureAwait(false));
    }
}
