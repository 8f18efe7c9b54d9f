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

    /// <summary>The consumer's workers, whose batches are what it holds; set once they exist.</summary>
    public IReadOnlyList<WorkerLoop>? Workers { get; set; }

    /// <summary>When the last heartbeat was written (<see cref="TimeProvider.GetTimestamp"/>), or <see cref="long.MinValue"/>.</summary>
    public long LastBeat => Volatile.Read(ref lastBeat);

    private readonly DateTimeOffset startedAt = app.TimeProvider.GetUtcNow();

    /// <summary>Writes one heartbeat, and the consumer's description for operators.</summary>
    public async ValueTask BeatAsync(CancellationToken token)
    {
        await app.Storage.HeartbeatAsync(consumerId, options.VisibilityTimeout, token).ConfigureAwait(false);
        Volatile.Write(ref lastBeat, Time.GetTimestamp());
        await app.Storage.PutConsumerAsync(consumerId, Describe().Encode(), options.VisibilityTimeout, token).ConfigureAwait(false);
    }

    /// <summary>This consumer as operators see it: who it is, what it serves and runs now.</summary>
    internal Operations.ConsumerDescription Describe()
    {
        var now = Time.GetUtcNow();
        var running = new List<Operations.RunningTask>();
        foreach (var worker in Workers ?? [])
        {
            long since = worker.RunningSince;
            if (worker.Running is not { } message) continue;
            // The task's id and name are in the message; one that does not decode is left out.
            Messages.TaskMessage decoded;
            try
            {
                decoded = Messages.MessageCodec.Decode(app.Open(message.Body));
            }
            catch (TaskPayloadException)
            {
                continue;
            }
            running.Add(new Operations.RunningTask(decoded.Id, Texts.Cut(decoded.Name), message.Queue, now - Time.GetElapsedTime(since)));
        }
        return new Operations.ConsumerDescription(consumerId, consumerId, Environment.MachineName, Environment.ProcessId,
            Operations.ConsumerDescription.LibraryVersion, startedAt, options.Queues.ToList(), options.Workers, running, now);
    }

    /// <summary>Writes the first heartbeat, retrying until storage answers (true) or <paramref name="token"/> fires (false).</summary>
    public ValueTask<bool> UntilConnectedAsync(CancellationToken token) => UntilDoneAsync(StorageOperation.Connect, BeatAsync, token);

    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        await BeatAsync(token).ConfigureAwait(false);
        // A stopping consumer keeps its own heartbeat but leaves others' tasks to the consumers that
        // stay. Housekeeping failing is logged and tried again at the next heartbeat; the heartbeat
        // itself has been written either way.
        if (stopping.IsCancellationRequested) return options.VisibilityTimeout / 3;
        try
        {
            await ReapAsync(token).ConfigureAwait(false);
            await app.Storage.TrimDeadLettersAsync(app.DeadLetterLimit, app.DeadLetterMaxAge, token).ConfigureAwait(false);
            await ReconcileAsync(token).ConfigureAwait(false);
            Faults.Succeeded(StorageOperation.Reap);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            Faults.Failed(StorageOperation.Reap, e);
        }
        return options.VisibilityTimeout / 3;
    }

    private async ValueTask ReapAsync(CancellationToken token)
    {
        var reaped = await app.Storage.ReapAsync(options.MaxRedeliveries, token).ConfigureAwait(false);
        if (reaped.Requeued + reaped.DeadLettered == 0) return;
        LogReaped(logger, reaped.Requeued, reaped.DeadLettered);
        app.Events.Publish(TaskEventKind.Redelivered, null, null, $"{reaped.Requeued} handed back, {reaped.DeadLettered} to dead letters");
    }

    /// <summary>
    /// Hands back in-flight records of this consumer that no worker holds and that are older than a
    /// take is retried: a take whose reply was lost for good left them, and they would otherwise stay
    /// recorded under a live consumer (which no reaper touches) until it stops.
    /// </summary>
    private async ValueTask ReconcileAsync(CancellationToken token)
    {
        if (Workers is not { } workers) return;
        var records = await app.Storage.InFlightAsync(consumerId, token).ConfigureAwait(false);
        if (records.Count == 0) return;
        var now = await app.Storage.GetTimeAsync(token).ConfigureAwait(false);
        // Read after the records: a batch taken meanwhile is young, so it is never taken for an orphan.
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var worker in workers)
        {
            foreach (var message in worker.Holding ?? []) held.Add(message.Receipt);
        }
        List<Completion>? orphans = null;
        foreach (var record in records)
        {
            if (held.Contains(record.Receipt) || now - record.TakenAt < options.OrphanedTakeAge) continue;
            (orphans ??= []).Add(Completion.Release(new TakenMessage(record.Queue, ReadOnlyMemory<byte>.Empty, record.Receipt, 0)));
        }
        if (orphans is null) return;
        await app.Storage.CompleteAsync(consumerId, orphans, token).ConfigureAwait(false);
        LogOrphansReleased(logger, orphans.Count);
    }

    [LoggerMessage(19, LogLevel.Warning, "Handed back {Count} messages recorded under this consumer that none of its workers held (a take whose reply was lost)")]
    private static partial void LogOrphansReleased(ILogger logger, int count);

    [LoggerMessage(15, LogLevel.Warning, "Handed back {Requeued} tasks of consumers that stopped responding; {DeadLettered} went to dead letters")]
    private static partial void LogReaped(ILogger logger, int requeued, int deadLettered);
}
