namespace TaskQueue.Consumer;

/// <summary>Runs due recurring-task records (see <see cref="RecurringRunner"/>).</summary>
internal sealed class RecurringLoop(RecurringRunner runner, TimeSpan interval, StorageFaults faults, TimeProvider time)
    : ConsumerLoop(StorageOperation.Recurring, faults, time)
{
    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var (now, next, more) = await runner.RunDueAsync(token).ConfigureAwait(false);
        if (more) return TimeSpan.Zero;
        return next is { } n && n - now < interval ? n - now : interval;
    }
}
