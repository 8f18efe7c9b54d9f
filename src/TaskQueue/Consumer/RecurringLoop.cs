namespace TaskQueue.Consumer;

/// <summary>Runs due recurring-task records (see <see cref="RecurringRunner"/>).</summary>
internal sealed class RecurringLoop(RecurringRunner runner, TimeSpan interval, StorageFaults faults, TimeProvider time)
    : ConsumerLoop(StorageOperation.Recurring, faults, time)
{
    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var (now, next, more) = await runner.RunDueAsync(token).ConfigureAwait(false);
        return more ? TimeSpan.Zero : Until(next, now, interval);
    }
}
