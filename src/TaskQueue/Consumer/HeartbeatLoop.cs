using Microsoft.Extensions.Logging;
using TaskQueue.Storage;

namespace TaskQueue.Consumer;

/// <summary>
/// Keeps this consumer's in-flight tasks its own (a heartbeat every third of the visibility timeout)
/// and hands back those of consumers whose heartbeat lapsed. It runs until everything the consumer
/// took is settled or handed back, longer than the workers: a lapsed heartbeat during a graceful stop
/// would hand still-running tasks to another consumer.
/// </summary>
internal sealed partial class HeartbeatLoop(TaskApp app, string consumerId, ConsumerOptions options, CancellationToken stopping,
    StorageFaults faults, ILogger logger)
    : ConsumerLoop(StorageOperation.Heartbeat, faults, app.TimeProvider)
{
    private long lastBeat = long.MinValue;

    /// <summary>When the last heartbeat was written (<see cref="TimeProvider.GetTimestamp"/>), or <see cref="long.MinValue"/>.</summary>
    public long LastBeat => Volatile.Read(ref lastBeat);

    /// <summary>Writes one heartbeat.</summary>
    public async ValueTask BeatAsync(CancellationToken token)
    {
        await app.Storage.HeartbeatAsync(consumerId, options.VisibilityTimeout, token).ConfigureAwait(false);
        Volatile.Write(ref lastBeat, Time.GetTimestamp());
    }

    /// <summary>Writes the first heartbeat, retrying until storage answers (true) or <paramref name="token"/> fires (false).</summary>
    public ValueTask<bool> UntilConnectedAsync(CancellationToken token) => UntilDoneAsync(StorageOperation.Connect, BeatAsync, token);

    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        await BeatAsync(token).ConfigureAwait(false);
        // A stopping consumer keeps its own heartbeat but leaves others' tasks to the consumers that stay.
        if (!stopping.IsCancellationRequested) await ReapAsync(token).ConfigureAwait(false);
        return options.VisibilityTimeout / 3;
    }

    private async ValueTask ReapAsync(CancellationToken token)
    {
        ReapResult reaped;
        try
        {
            reaped = await app.Storage.ReapAsync(options.MaxRedeliveries, token).ConfigureAwait(false);
            Faults.Succeeded(StorageOperation.Reap);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            Faults.Failed(StorageOperation.Reap, e);
            return;
        }
        try
        {
            await app.Storage.TrimDeadLettersAsync(app.DeadLetterLimit, app.DeadLetterMaxAge, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            Faults.Failed(StorageOperation.Reap, e);
            return;
        }
        if (reaped.Requeued + reaped.DeadLettered == 0) return;
        LogReaped(logger, reaped.Requeued, reaped.DeadLettered);
        app.Events.Publish(TaskEventKind.Redelivered, null, null, $"{reaped.Requeued} handed back, {reaped.DeadLettered} to dead letters");
    }

    [LoggerMessage(15, LogLevel.Warning, "Handed back {Requeued} tasks of consumers that stopped responding; {DeadLettered} went to dead letters")]
    private static partial void LogReaped(ILogger logger, int requeued, int deadLettered);
}
