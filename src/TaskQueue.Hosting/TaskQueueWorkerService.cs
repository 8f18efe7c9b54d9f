using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskQueue.Consumer;

namespace TaskQueue.Hosting;

/// <summary>
/// The hosted consumer that <c>services.AddTaskQueueWorker(...)</c> registers. It starts with the
/// host and stops with it: no new tasks, running tasks get the grace period (cut to fit the host's
/// shutdown timeout), then their cancellation tokens fire and what is left goes back to its queue.
/// </summary>
public sealed partial class TaskQueueWorkerService : IHostedService, IAsyncDisposable
{
    /// <summary>Time kept back from the host's shutdown timeout for handing back unfinished tasks.</summary>
    private static readonly TimeSpan HandBackMargin = TimeSpan.FromSeconds(5);

    private readonly TaskApp app;
    private readonly TaskQueueWorkerOptions options;
    private readonly TimeSpan shutdownTimeout;
    private readonly ILoggerFactory loggerFactory;
    private readonly ILogger logger;
    private TaskConsumer? consumer;

    /// <summary>Creates the service; the container does.</summary>
    public TaskQueueWorkerService(TaskApp app, IOptions<TaskQueueWorkerOptions> options, IOptions<HostOptions> hostOptions, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        this.app = app ?? throw new ArgumentNullException(nameof(app));
        this.options = options.Value;
        shutdownTimeout = hostOptions.Value.ShutdownTimeout;
        this.loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        logger = loggerFactory.CreateLogger<TaskQueueWorkerService>();
    }

    /// <summary>The running consumer; null before the host starts.</summary>
    public TaskConsumer? Consumer => Volatile.Read(ref consumer);

    /// <summary>The grace running tasks get when the host stops: the configured one, cut to fit the host's shutdown timeout.</summary>
    public TimeSpan ShutdownGrace
    {
        get
        {
            var fits = shutdownTimeout - HandBackMargin;
            if (fits < TimeSpan.Zero) fits = TimeSpan.Zero;
            return options.ShutdownGrace is { } grace && grace < fits ? grace : fits;
        }
    }

    /// <summary>Starts the consumer; it runs in the background until the host stops.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var grace = ShutdownGrace;
        if (options.ShutdownGrace is { } asked && grace < asked) LogGraceCut(logger, asked.TotalSeconds, grace.TotalSeconds, shutdownTimeout.TotalSeconds);
        var started = new TaskConsumer(app, options.ToConsumerOptions(grace), loggerFactory);
        started.Start();
        Volatile.Write(ref consumer, started);
        return Task.CompletedTask;
    }

    /// <summary>Stops the consumer gracefully; if <paramref name="cancellationToken"/> fires first (the host gave up), running tasks are cancelled and handed back at once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Consumer is not { } running) return;
        using var registration = cancellationToken.Register(static c => ((TaskConsumer)c!).Abort(), running);
        await running.StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops at once: running tasks' cancellation tokens fire and they go back to their queues.</summary>
    public void Abort() => Consumer?.Abort();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref consumer, null) is { } running) await running.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Warning, "TaskQueue worker: the shutdown grace of {GraceSeconds} s does not fit the host's shutdown timeout of {TimeoutSeconds} s; running tasks get {CutSeconds} s when the host stops (raise HostOptions.ShutdownTimeout to give them more)")]
    private static partial void LogGraceCut(ILogger logger, double graceSeconds, double cutSeconds, double timeoutSeconds);
}
