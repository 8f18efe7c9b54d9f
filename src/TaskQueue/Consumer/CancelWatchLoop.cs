using TaskQueue.Execution;

namespace TaskQueue.Consumer;

/// <summary>
/// Fires the tokens of this consumer's runs that were cancelled by id (<see cref="TaskApp.CancelAsync"/>): while the
/// workers run tasks it asks storage, once a <see cref="ConsumerOptions.CancelPollInterval"/>, which of their ids have
/// a cancel request. While nothing runs it asks nothing, and it never asks per message.
/// </summary>
/// <remarks>It runs as long as the heartbeat, so that a cancel also reaches runs finishing their grace period during a stop.</remarks>
internal sealed class CancelWatchLoop(TaskApp app, RunningTasks running, TimeSpan interval, StorageFaults faults)
    : ConsumerLoop(StorageOperation.WatchCancels, faults, app.TimeProvider)
{
    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var ids = running.Ids();
        if (ids.Count == 0) return interval;
        var cancelled = await app.Storage.ReadCancelRequestsAsync(ids, token).ConfigureAwait(false);
        running.Cancel(cancelled);
        return interval;
    }
}
