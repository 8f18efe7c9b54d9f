using TaskQueue.Storage;

namespace TaskQueue.Consumer;

/// <summary>Moves scheduled tasks to their queues when they are due, by the storage's clock.</summary>
internal sealed class SchedulerLoop(ITaskStorage storage, TimeSpan interval, StorageFaults faults, TimeProvider time)
    : ConsumerLoop(StorageOperation.Promote, faults, time)
{
    private const int Limit = 1000;

    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var result = await storage.PromoteDueAsync(Limit, token).ConfigureAwait(false);
        if (result.Moved >= Limit) return TimeSpan.Zero;
        // Sleep until the next task is due (by the storage's clock), or the interval if sooner, so a
        // task starts at its eta rather than up to one interval late.
        return Until(result.NextDue, result.Now, interval);
    }
}
