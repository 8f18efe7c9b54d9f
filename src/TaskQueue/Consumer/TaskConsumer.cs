using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TaskQueue.Execution;
using TaskQueue.Storage;

namespace TaskQueue.Consumer;

/// <summary>
/// Runs tasks: N workers that take messages and run them through <see cref="TaskExecutor"/>, a
/// scheduler that moves due tasks to their queues, and a heartbeat that keeps this consumer's
/// in-flight tasks its own (and hands back those of consumers that died).
/// </summary>
/// <example>
/// <code>
/// await using var consumer = new TaskConsumer(app, new ConsumerOptions { Workers = 4 });
/// consumer.Start();
/// ...
/// await consumer.StopAsync();   // no new tasks; running ones finish within the grace period
/// </code>
/// </example>
public sealed partial class TaskConsumer : IAsyncDisposable
{
    private static readonly TimeSpan LongRun = TimeSpan.FromMilliseconds(100);
    private readonly TaskApp app;
    private readonly ConsumerOptions options;
    private readonly string[] queues;
    private readonly TaskExecutor executor;
    private readonly PeriodicTicker ticker;
    private readonly RecurringRunner recurring;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource aborting = new();
    private Task? running;
    private TimeSpan grace;
    private long lastHeartbeat = long.MinValue;

    /// <summary>Creates a consumer of <paramref name="app"/>'s tasks; call <see cref="Start"/> or <see cref="RunAsync"/>.</summary>
    public TaskConsumer(TaskApp app, ConsumerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        this.app = app ?? throw new ArgumentNullException(nameof(app));
        // A copy: the options are frozen here, whatever the caller does with its object later.
        this.options = options?.Clone() ?? new ConsumerOptions();
        this.options.Validate();
        grace = this.options.ShutdownGrace;
        queues = [.. this.options.Queues];
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        logger = factory.CreateLogger<TaskConsumer>();
        executor = new TaskExecutor(app, factory.CreateLogger<TaskExecutor>())
        {
            RecurringLockTtl = this.options.VisibilityTimeout,
            UnknownTaskGrace = this.options.UnknownTaskGrace,
        };
        ticker = new PeriodicTicker(app, app.Tasks.All, factory.CreateLogger<PeriodicTicker>());
        recurring = new RecurringRunner(app, this.options.VisibilityTimeout, factory.CreateLogger<RecurringRunner>())
        {
            UnknownTaskGrace = this.options.UnknownRecurringTaskGrace,
        };
    }

    /// <summary>This consumer's id in storage.</summary>
    public string ConsumerId => options.ConsumerId;

    /// <summary>The options this consumer runs with (a copy of those it was given).</summary>
    public ConsumerOptions Options => options.Clone();

    /// <summary>How long ago this consumer last wrote its heartbeat to storage; null before the first one.</summary>
    public TimeSpan? SinceLastHeartbeat
    {
        get
        {
            long at = Volatile.Read(ref lastHeartbeat);
            return at == long.MinValue ? null : TimeSpan.FromMilliseconds(Environment.TickCount64 - at);
        }
    }

    /// <summary>Whether the consumer has started and not yet stopped.</summary>
    public bool IsRunning => running is { IsCompleted: false };

    /// <summary>Starts the consumer in the background.</summary>
    /// <exception cref="InvalidOperationException">It was already started.</exception>
    public void Start()
    {
        if (running is not null) throw new InvalidOperationException("The consumer is already running.");
        running = RunCoreAsync();
    }

    /// <summary>
    /// Runs until <paramref name="stoppingToken"/> fires, then stops gracefully: no new tasks, running
    /// tasks get <see cref="ConsumerOptions.ShutdownGrace"/> to finish, and what is left goes back to the queue.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        Start();
        using (stoppingToken.Register(static s => ((TaskConsumer)s!).stopping.Cancel(), this))
        {
            await running!.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops gracefully and waits until stopped. <paramref name="grace"/> overrides
    /// <see cref="ConsumerOptions.ShutdownGrace"/>; after it, running tasks' cancellation tokens fire.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (running is null) return;
        if (grace is { } g)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(g, TimeSpan.Zero, nameof(grace));
            this.grace = g;
        }
        stopping.Cancel();
        await running.ConfigureAwait(false);
    }

    /// <summary>Stops at once: running tasks' cancellation tokens fire now.</summary>
    public void Abort()
    {
        stopping.Cancel();
        aborting.Cancel();
    }

    /// <summary>Stops gracefully.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        stopping.Dispose();
        aborting.Dispose();
    }

    private async Task RunCoreAsync()
    {
        await Task.Yield();
        await Retry(async ct =>
        {
            await app.Storage.HeartbeatAsync(ConsumerId, options.VisibilityTimeout, ct).ConfigureAwait(false);
            Volatile.Write(ref lastHeartbeat, Environment.TickCount64);
        }, stopping.Token).ConfigureAwait(false);
        using var gauges = Diagnostics.StorageGauges.Register(app, queues);
        if (app.Tasks.Count == 0) LogNoTasks(logger, ConsumerId);
        LogStarted(logger, ConsumerId, options.Workers, string.Join(", ", queues));
        var workers = new List<Task>();
        for (int i = 0; i < options.Workers; i++) workers.Add(Task.Run(WorkerLoopAsync));
        // The heartbeat outlives the workers: while a stopping consumer's tasks run out their grace
        // period it still holds them, and a lapsed heartbeat would hand them to another consumer,
        // which would run them a second time, at the same time.
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = Task.Run(() => HeartbeatLoopAsync(heartbeatStop.Token));
        var services = new List<Task>();
        if (options.RunScheduler) services.Add(Task.Run(SchedulerLoopAsync));
        if (options.RunPeriodic && ticker.Tasks.Count > 0) services.Add(Task.Run(PeriodicLoopAsync));
        if (options.RunRecurring) services.Add(Task.Run(RecurringLoopAsync));

        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Checkpoint: no worker takes new work now. Running tasks get the grace period, then
        // their tokens fire and the executor hands them back (released, not lost).
        LogStopping(logger, ConsumerId, grace.TotalSeconds);
        var all = Task.WhenAll(workers);
        if (await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false) != all)
        {
            LogGraceExpired(logger, ConsumerId);
            aborting.Cancel();
        }
        await all.ConfigureAwait(false);
        await Task.WhenAll(services).ConfigureAwait(false);
        // Checkpoint: every message this consumer took is settled or handed back; only now may its
        // heartbeat stop.
        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        try
        {
            await app.Storage.RemoveHeartbeatAsync(ConsumerId).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogStorageError(logger, "remove heartbeat", e);
        }
        LogStopped(logger, ConsumerId);
    }

    private async Task WorkerLoopAsync()
    {
        var token = stopping.Token;
        var pending = new List<Completion>();
        while (!token.IsCancellationRequested)
        {
            TakenBatch batch;
            try
            {
                batch = await app.Storage.TakeAsync(queues, ConsumerId, options.BatchSize, options.TakeWait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "take", e);
                await PauseAsync(token).ConfigureAwait(false);
                continue;
            }

            long lastSettle = Stopwatch.GetTimestamp();
            var messages = batch.Messages;
            for (int i = 0; i < messages.Count; i++)
            {
                long started = Stopwatch.GetTimestamp();
                pending.Add(await ExecuteAsync(messages[i], batch.RevocationsPresent).ConfigureAwait(false));
                bool ranLong = Stopwatch.GetElapsedTime(started) >= LongRun;
                // Checkpoint: a stopping consumer, or one whose last task ran long, hands back what it
                // has not started so that another worker can run it now.
                if (i + 1 < messages.Count && (token.IsCancellationRequested || ranLong))
                {
                    for (int j = i + 1; j < messages.Count; j++) pending.Add(Completion.Release(messages[j]));
                    break;
                }
                if (Stopwatch.GetElapsedTime(lastSettle) >= options.SettleInterval)
                {
                    await SettleAsync(pending).ConfigureAwait(false);
                    lastSettle = Stopwatch.GetTimestamp();
                }
            }
            // Checkpoint: results are stored and messages acknowledged together, after the runs; a
            // crash before this line leaves them in flight, to be run again (at least once).
            await SettleAsync(pending).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs one message. Task failures are the executor's to settle; a storage error on the way (the
    /// revocation check during an outage) hands the message back instead of killing the worker.
    /// </summary>
    private async ValueTask<Completion> ExecuteAsync(TakenMessage message, bool checkRevocations)
    {
        try
        {
            return await executor.ExecuteAsync(message, checkRevocations, aborting.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException) LogStorageError(logger, "run a task", e);
            return Completion.Release(message);
        }
    }

    private async Task SettleAsync(List<Completion> pending)
    {
        if (pending.Count == 0) return;
        if (await Retry(ct => app.Storage.CompleteAsync(ConsumerId, pending, ct), aborting.Token).ConfigureAwait(false))
        {
            // Checkpoint: results and retries are stored; what waited for that is announced now.
            foreach (var completion in pending)
            {
                if (completion.AfterSettle is { } e) app.Events.Publish(e.Kind, e.TaskId, e.TaskName, duration: e.Duration);
            }
        }
        pending.Clear();
    }

    private async Task SchedulerLoopAsync()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var result = await app.Storage.PromoteDueAsync(1000, token).ConfigureAwait(false);
                if (result.Moved >= 1000) continue;
                // Sleep until the next task is due (by the storage's clock), or the interval if sooner,
                // so a task starts at its eta rather than up to one interval late.
                var wait = options.SchedulerInterval;
                if (result.NextDue is { } next && next - result.Now < wait) wait = next - result.Now;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "promote scheduled tasks", e);
                await PauseAsync(token).ConfigureAwait(false);
            }
        }
    }

    private async Task PeriodicLoopAsync()
    {
        var token = stopping.Token;
        LogTicking(logger, ConsumerId, ticker.Tasks.Count);
        while (!token.IsCancellationRequested)
        {
            try
            {
                var (now, next) = await ticker.TickAsync(token).ConfigureAwait(false);
                // Sleep until the next occurrence by the storage's clock; wake at least once a minute
                // so that a clock change on this machine cannot put the ticker to sleep for long.
                await Task.Delay(Clamp(next is { } n ? n - now : MaxTickerSleep, TimeSpan.FromMilliseconds(1), MaxTickerSleep), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "fire periodic tasks", e);
                await PauseAsync(token).ConfigureAwait(false);
            }
        }
    }

    private async Task RecurringLoopAsync()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var (now, next, more) = await recurring.RunDueAsync(token).ConfigureAwait(false);
                if (more) continue;
                var wait = options.RecurringInterval;
                if (next is { } n && n - now < wait) wait = n - now;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "run recurring tasks", e);
                await PauseAsync(token).ConfigureAwait(false);
            }
        }
    }

    private static readonly TimeSpan MaxTickerSleep = TimeSpan.FromMinutes(1);

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private async Task HeartbeatLoopAsync(CancellationToken token)
    {
        var interval = options.VisibilityTimeout / 3;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await app.Storage.HeartbeatAsync(ConsumerId, options.VisibilityTimeout, token).ConfigureAwait(false);
                Volatile.Write(ref lastHeartbeat, Environment.TickCount64);
                // A stopping consumer keeps its own heartbeat but leaves others' tasks to the consumers that stay.
                if (stopping.IsCancellationRequested)
                {
                    await Task.Delay(interval, token).ConfigureAwait(false);
                    continue;
                }
                var reaped = await app.Storage.ReapAsync(options.MaxRedeliveries, token).ConfigureAwait(false);
                if (reaped.Requeued + reaped.DeadLettered > 0)
                {
                    LogReaped(logger, reaped.Requeued, reaped.DeadLettered);
                    app.Events.Publish(TaskEventKind.Redelivered, null, null, $"{reaped.Requeued} handed back, {reaped.DeadLettered} to dead letters");
                }
                await Task.Delay(interval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "heartbeat", e);
                await PauseAsync(token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Retries a storage call until it succeeds (true) or <paramref name="token"/> fires (false): storage outages are waited out.</summary>
    private async Task<bool> Retry(Func<CancellationToken, ValueTask> call, CancellationToken token)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await call(token).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                LogStorageError(logger, "write", e);
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private static async Task PauseAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(10, LogLevel.Information, "Consumer {ConsumerId} started: {Workers} workers on queues {Queues}")]
    private static partial void LogStarted(ILogger logger, string consumerId, int workers, string queues);

    [LoggerMessage(17, LogLevel.Warning, "Consumer {ConsumerId} knows no tasks: every message it takes goes to dead letters. The TaskQueue generator registers tasks; reference the TaskQueue package (it carries the generator), or add the generator project as an analyzer, in the project with the [Task] methods")]
    private static partial void LogNoTasks(ILogger logger, string consumerId);

    [LoggerMessage(11, LogLevel.Information, "Consumer {ConsumerId} stopping: running tasks have {GraceSeconds} s to finish")]
    private static partial void LogStopping(ILogger logger, string consumerId, double graceSeconds);

    [LoggerMessage(12, LogLevel.Warning, "Consumer {ConsumerId}: grace period over, cancelling running tasks")]
    private static partial void LogGraceExpired(ILogger logger, string consumerId);

    [LoggerMessage(13, LogLevel.Information, "Consumer {ConsumerId} stopped")]
    private static partial void LogStopped(ILogger logger, string consumerId);

    [LoggerMessage(14, LogLevel.Error, "Storage call failed ({Operation}); retrying")]
    private static partial void LogStorageError(ILogger logger, string operation, Exception error);

    [LoggerMessage(16, LogLevel.Information, "Consumer {ConsumerId} fires {Count} periodic tasks")]
    private static partial void LogTicking(ILogger logger, string consumerId, int count);

    [LoggerMessage(15, LogLevel.Warning, "Handed back {Requeued} tasks of consumers that stopped responding; {DeadLettered} went to dead letters")]
    private static partial void LogReaped(ILogger logger, int requeued, int deadLettered);
}
