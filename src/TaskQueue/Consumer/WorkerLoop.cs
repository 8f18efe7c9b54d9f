using TaskQueue.Execution;
using TaskQueue.Storage;

namespace TaskQueue.Consumer;

/// <summary>
/// One worker: takes a batch of messages, runs them one at a time through <see cref="TaskExecutor"/>,
/// and settles what they came to. While a task runs long the rest of its batch is handed back for
/// idle workers, and what already finished is settled, so that one slow task holds nothing but itself.
/// </summary>
internal sealed class WorkerLoop(TaskApp app, TaskExecutor executor, ConsumerOptions options, IReadOnlyList<string> queues,
    CancellationToken aborting, StorageFaults faults)
    : ConsumerLoop(StorageOperation.Take, faults, app.TimeProvider)
{
    /// <summary>How long a task runs before the rest of its batch is handed back.</summary>
    internal static readonly TimeSpan LongRun = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a worker pauses after a batch in which storage failed under a run.</summary>
    private static readonly TimeSpan PauseAfterFailedRun = TimeSpan.FromMilliseconds(250);

    private readonly List<Completion> pending = [];
    private bool failedRuns;
    private TakenMessage? running;

    private IReadOnlyList<TakenMessage>? holding;

    /// <summary>The batch this worker holds (taken, not yet all settled), or null.</summary>
    public IReadOnlyList<TakenMessage>? Holding => Volatile.Read(ref holding);

    /// <summary>The message whose task runs now, or null.</summary>
    public TakenMessage? Running => Volatile.Read(ref running);

    /// <summary>When <see cref="Running"/> started (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long RunningSince => Volatile.Read(ref runningSince);

    private long runningSince;

    protected override async ValueTask<TimeSpan> StepAsync(CancellationToken token)
    {
        var batch = await app.Storage.TakeAsync(queues, options.ConsumerId, options.BatchSize, options.TakeWait, token).ConfigureAwait(false);
        var messages = batch.Messages;
        Volatile.Write(ref holding, messages);
        long lastSettle = Time.GetTimestamp();
        for (int i = 0; i < messages.Count; i++)
        {
            Volatile.Write(ref runningSince, Time.GetTimestamp());
            Volatile.Write(ref running, messages[i]);
            var run = ExecuteAsync(messages[i], batch.RevocationsVersion);
            bool handedBack = false;
            if (!run.IsCompleted && (i + 1 < messages.Count || pending.Count > 0))
            {
                // Checkpoint: a task that runs long must not hold its batch. After LongRun the
                // messages not started go back to the queue for idle workers, and what finished is
                // settled now rather than when the slow one ends (which may be never).
                var task = run.AsTask();
                await ((Task)task).WaitAsync(LongRun, Time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!task.IsCompleted)
                {
                    HandBack(messages, i + 1);
                    handedBack = true;
                    await SettleAsync().ConfigureAwait(false);
                }
                run = new ValueTask<Completion>(task);
            }
            pending.Add(await run.ConfigureAwait(false));
            Volatile.Write(ref running, null);
            if (handedBack) break;
            // Checkpoint: a stopping consumer hands back what it has not started.
            if (token.IsCancellationRequested)
            {
                HandBack(messages, i + 1);
                break;
            }
            if (Time.GetElapsedTime(lastSettle) >= options.SettleInterval)
            {
                await SettleAsync().ConfigureAwait(false);
                lastSettle = Time.GetTimestamp();
            }
        }
        // Checkpoint: results are stored and messages acknowledged together, after the runs; a crash
        // before this line leaves them in flight, to be run again (at least once).
        await SettleAsync().ConfigureAwait(false);
        Volatile.Write(ref holding, null);
        // A storage that fails under every run must not be met with a hot loop of take and hand back.
        if (!failedRuns) return TimeSpan.Zero;
        failedRuns = false;
        return PauseAfterFailedRun;
    }

    private void HandBack(IReadOnlyList<TakenMessage> messages, int from)
    {
        for (int j = from; j < messages.Count; j++) pending.Add(Completion.Release(messages[j]));
    }

    /// <summary>
    /// Runs one message. Task failures are the executor's to settle; a storage error on the way (the
    /// revocation check during an outage) hands the message back instead of killing the worker.
    /// </summary>
    private async ValueTask<Completion> ExecuteAsync(TakenMessage message, long revocationsVersion)
    {
        try
        {
            var completion = await executor.ExecuteAsync(message, revocationsVersion, aborting).ConfigureAwait(false);
            if (revocationsVersion != 0) Faults.Succeeded(StorageOperation.RunTask);
            return completion;
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException)
            {
                Faults.Failed(StorageOperation.RunTask, e);
                failedRuns = true;
            }
            return Completion.Interrupted(message);
        }
    }

    /// <summary>Settles what is pending, retrying through an outage until the consumer aborts.</summary>
    private async ValueTask SettleAsync()
    {
        if (pending.Count == 0) return;
        if (await UntilDoneAsync(StorageOperation.Settle, ct => app.Storage.CompleteAsync(options.ConsumerId, pending, ct), aborting).ConfigureAwait(false))
        {
            // Checkpoint: results and retries are stored; what waited for that is announced now.
            foreach (var completion in pending)
            {
                if (completion.AfterSettle is { } e) app.Events.Publish(e.Kind, e.TaskId, e.TaskName, duration: e.Duration);
            }
        }
        pending.Clear();
    }
}
