namespace TaskQueue.Consumer;

/// <summary>Fires periodic tasks at their occurrences (see <see cref="PeriodicTicker"/>).</summary>
internal sealed class PeriodicLoop(PeriodicTicker ticker, StorageFaults faults, TimeProvider time)
    : ConsumerLoop(StorageOperation.Periodic, faults, time)
{
    /// <summary>The longest sleep: a clock change on this machine cannot put the ticker to sleep for long.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var (now, next) = await ticker.TickAsync(token).ConfigureAwait(false);
        // Sleep until the next occurrence by the storage's clock.
        var wait = next is { } n ? n - now : MaxSleep;
        return wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > MaxSleep ? MaxSleep : wait;
    }
}
