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
    /// <summary>How long a task whose cancellation token fired may take to stop before its message is handed back anyway.</summary>
    internal static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(1);

    private readonly TaskApp app;
    private readonly ConsumerOptions options;
    private readonly string[] queues;
    private readonly TaskExecutor executor;
    private readonly PeriodicTicker ticker;
    private readonly RecurringRunner recurring;
    private readonly StorageFaults faults;
    private readonly HeartbeatLoop heartbeat;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource aborting = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? running;
    private TimeSpan grace;
    private int abandoned;

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
        faults = new StorageFaults(logger, app.TimeProvider);
        executor = new TaskExecutor(app, factory.CreateLogger<TaskExecutor>())
        {
            RecurringLockTtl = this.options.VisibilityTimeout,
            UnknownTaskGrace = this.options.UnknownTaskGrace,
            MaxRedeliveries = this.options.MaxRedeliveries,
            TimeoutGrace = this.options.TimeoutGrace,
        };
        ticker = new PeriodicTicker(app, app.Tasks.All, factory.CreateLogger<PeriodicTicker>());
        recurring = new RecurringRunner(app, this.options.VisibilityTimeout, factory.CreateLogger<RecurringRunner>())
        {
            UnknownTaskGrace = this.options.UnknownRecurringTaskGrace,
        };
        heartbeat = new HeartbeatLoop(app, this.options.ConsumerId, this.options, stopping.Token, faults, logger);
    }

    /// <summary>This consumer's id in storage.</summary>
    public string ConsumerId => options.ConsumerId;

    /// <summary>The options this consumer runs with (a copy of those it was given).</summary>
    public ConsumerOptions Options => options.Clone();

    /// <summary>How long ago this consumer last wrote its heartbeat to storage; null before the first one.</summary>
    public TimeSpan? SinceLastHeartbeat => heartbeat.LastBeat is var at && at == long.MinValue ? null : app.TimeProvider.GetElapsedTime(at);

    /// <summary>
    /// Completes when the consumer has reached storage (its first heartbeat is written) and its
    /// workers take tasks; canceled when it stops before that. While storage cannot be reached the
    /// consumer retries, with one warning in the log (and one a minute while it lasts).
    /// </summary>
    public Task Ready => ready.Task;

    /// <summary>
    /// How many tasks ignored their cancellation token at the last stop: after the grace period and
    /// one more second their messages went back to the queue while they still ran (they may run again
    /// elsewhere). Zero when every task finished or stopped in time. A worker process exits with its
    /// own code when this is not zero.
    /// </summary>
    public int AbandonedTasks => Volatile.Read(ref abandoned);

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
    /// <see cref="ConsumerOptions.ShutdownGrace"/>; after it, running tasks' cancellation tokens fire,
    /// and a task still running a second later is left behind: its message goes back to the queue and
    /// the consumer stops (see <see cref="AbandonedTasks"/>).
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

    /// <summary>Stops at once: running tasks' cancellation tokens fire now; those still running a second later are handed back and left behind.</summary>
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
        var time = app.TimeProvider;
        // Checkpoint: nothing is taken before storage has answered; Ready completes after this.
        if (!await heartbeat.UntilConnectedAsync(stopping.Token).ConfigureAwait(false))
        {
            ready.TrySetCanceled();
            LogStopped(logger, ConsumerId);
            return;
        }
        using var gauges = Diagnostics.StorageGauges.Register(app, queues);
        if (app.Tasks.Count == 0) LogNoTasks(logger, ConsumerId);
        LogStarted(logger, ConsumerId, options.Workers, string.Join(", ", queues));
        var workers = new WorkerLoop[options.Workers];
        var runs = new Task[workers.Length];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new WorkerLoop(app, executor, options, queues, aborting.Token, faults);
            runs[i] = RunWorkerAsync(workers[i], i, stopping.Token);
        }
        heartbeat.Workers = workers;
        // The heartbeat outlives the workers: while a stopping consumer's tasks run out their grace
        // period it still holds them, and a lapsed heartbeat would hand them to another consumer,
        // which would run them a second time, at the same time.
        using var heartbeatStop = new CancellationTokenSource();
        var beating = heartbeat.RunAsync(heartbeatStop.Token);
        var watchingCancels = new CancelWatchLoop(app, executor.Running, options.CancelPollInterval, faults).RunAsync(heartbeatStop.Token);
        var services = new List<Task>();
        if (options.RunScheduler) services.Add(new SchedulerLoop(app.Storage, options.SchedulerInterval, faults, time).RunAsync(stopping.Token));
        if (options.RunPeriodic && ticker.Tasks.Count > 0)
        {
            LogTicking(logger, ConsumerId, ticker.Tasks.Count);
            services.Add(new PeriodicLoop(ticker, faults, time).RunAsync(stopping.Token));
        }
        if (options.RunRecurring) services.Add(new RecurringLoop(recurring, options.RecurringInterval, faults, time).RunAsync(stopping.Token));
        ready.TrySetResult();

        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Checkpoint: no worker takes new work now. Running tasks get the grace period, then their
        // tokens fire and the executor hands them back (released, not lost).
        LogStopping(logger, ConsumerId, grace.TotalSeconds);
        var all = Task.WhenAll(runs);
        if (!await FinishesWithinAsync(all, grace, aborting.Token).ConfigureAwait(false))
        {
            if (!aborting.IsCancellationRequested) LogGraceExpired(logger, ConsumerId);
            aborting.Cancel();
            // Checkpoint: a task that ignores its token cannot keep the process: after CancelWait
            // its message goes back to the queue while it still runs, and the consumer stops.
            if (!await FinishesWithinAsync(all, CancelWait, CancellationToken.None).ConfigureAwait(false))
            {
                await HandBackStuckAsync(workers).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(services).ConfigureAwait(false);
        // Checkpoint: every message this consumer took is settled or handed back; only now may its
        // heartbeat stop.
        await heartbeatStop.CancelAsync().ConfigureAwait(false);
        await beating.ConfigureAwait(false);
        await watchingCancels.ConfigureAwait(false);
        try
        {
            await app.Storage.RemoveHeartbeatAsync(ConsumerId).ConfigureAwait(false);
            await app.Storage.RemoveConsumerAsync(ConsumerId).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            faults.Failed(StorageOperation.Heartbeat, e);
        }
        LogStopped(logger, ConsumerId);
    }

    /// <summary>Whether <paramref name="work"/> completes within <paramref name="wait"/> (false as soon as <paramref name="cut"/> fires).</summary>
    private async Task<bool> FinishesWithinAsync(Task work, TimeSpan wait, CancellationToken cut)
    {
        await work.WaitAsync(wait, app.TimeProvider, cut).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return work.IsCompleted;
    }

    /// <summary>Hands back the messages of tasks that ignored their cancellation token; they keep running until the process exits.</summary>
    private async Task HandBackStuckAsync(WorkerLoop[] workers)
    {
        var stuck = new List<Completion>();
        foreach (var worker in workers)
        {
            if (worker.Running is { } message) stuck.Add(Completion.Interrupted(message));
        }
        Volatile.Write(ref abandoned, stuck.Count);
        if (stuck.Count == 0) return;
        LogAbandoned(logger, ConsumerId, stuck.Count, CancelWait.TotalSeconds);
        try
        {
            // Releasing is idempotent: a run that ends after this settles nothing (its record is gone).
            await app.Storage.CompleteAsync(ConsumerId, stuck).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // They stay in flight and go back when this consumer's heartbeat has lapsed.
            faults.Failed(StorageOperation.Settle, e);
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

    [LoggerMessage(16, LogLevel.Information, "Consumer {ConsumerId} fires {Count} periodic tasks")]
    private static partial void LogTicking(ILogger logger, string consumerId, int count);

    [LoggerMessage(18, LogLevel.Error, "Consumer {ConsumerId}: {Count} tasks ignored their cancellation token for {Seconds} s after the grace period; their messages went back to the queue while they still run, and the consumer stops without them")]
    private static partial void LogAbandoned(ILogger logger, string consumerId, int count, double seconds);
}
