namespace TaskQueue;

public sealed partial class TaskApp
{
    /// <summary>How long a cancel request is kept when <see cref="RevocationTtl"/> is null: 30 days.</summary>
    private static readonly TimeSpan DefaultCancelTtl = TimeSpan.FromDays(30);

    /// <summary>
    /// Cancels task instance <paramref name="taskId"/> wherever it is. A run going on in any consumer of this storage
    /// (in any process) has its <see cref="CancellationToken"/> fired within about
    /// <see cref="Consumer.ConsumerOptions.CancelPollInterval"/> (1 s by default) and, when it throws for it, ends as
    /// cancelled: not retried, <see cref="TaskEventKind.Cancelled"/> published, and its error stored (when
    /// <see cref="StoreErrors"/>), so that reading its result throws <see cref="TaskFailedException"/> with
    /// <see cref="TaskFailedException.RemoteType"/> <c>System.OperationCanceledException</c>. An instance that has not
    /// started (queued, scheduled, or taken and not yet run) is revoked: it never starts, and ends the same way when a
    /// worker takes it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A task that ignores its token runs to its end, and what it comes to stands (a value is stored as usual). A run
    /// that has already ended is left as it is. Cancelling an id that does not exist does no harm.
    /// </para>
    /// <para>
    /// The request and the revocation are kept for <see cref="RevocationTtl"/> (30 days by default): an instance
    /// scheduled further ahead than that runs. <see cref="RestoreByIdAsync"/> lifts the revocation, but a run that
    /// starts while the request is kept is still cancelled. Consumers learn of cancels by asking storage about the
    /// runs they have going, once a <see cref="Consumer.ConsumerOptions.CancelPollInterval"/> while they run any:
    /// nothing is asked per message, and an idle consumer asks nothing.
    /// </para>
    /// </remarks>
    /// <param name="taskId">The instance's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async ValueTask CancelAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var ttl = RevocationTtl ?? DefaultCancelTtl;
        // The request first: a worker that finds the instance revoked reads the request to tell a cancel from a revoke.
        await CallStorageAsync("cancel task instance", taskId, (taskId, ttl),
            static (storage, s, ct) => storage.RequestCancelAsync(s.taskId, s.ttl, ct), cancellationToken).ConfigureAwait(false);
        await RevokeInstanceAsync(taskId, revokeUntil: null, revokeOnce: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="CancelAsync"/>
    public void Cancel(string taskId) => Sync.Wait(CancelAsync(taskId));
}
