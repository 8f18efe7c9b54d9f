using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using TaskQueue.Consumer;
using TaskQueue.Redis;

namespace TaskQueue.Worker;

/// <summary>
/// Turns any console app that references tasks into a worker process:
/// <c>return await TaskQueueWorker.RunAsync(args);</c>. Run it with <c>--help</c> for the options;
/// each can also come from an environment variable (<c>TASKQUEUE_REDIS</c>, <c>TASKQUEUE_WORKERS</c>, ...).
/// </summary>
/// <remarks>
/// SIGTERM or Ctrl-C stops it gracefully: no new tasks, running tasks get the grace period to
/// finish, what is left goes back to the queue, and the exit code is 0. A second signal stops at
/// once (running tasks are cancelled and handed back; exit code 1).
/// </remarks>
public static partial class TaskQueueWorker
{
    /// <summary>Parses <paramref name="args"/> and runs the worker until it is told to stop; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>As <see cref="RunAsync(string[])"/>, also stopping gracefully when <paramref name="cancellationToken"/> fires.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = WorkerCommand.Create(RunWorkerAsync);
        var parsed = command.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a worker with settings already made; returns the exit code.</summary>
    public static async Task<int> RunWorkerAsync(WorkerSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.LogLevel)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            }));
        var logger = loggerFactory.CreateLogger("TaskQueue.Worker");

        RedisStorage storage;
        try
        {
            storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
            {
                ConnectionString = settings.Redis,
                ApplicationName = settings.Application,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            LogBadSettings(logger, e.Message);
            return 2;
        }

        // Tasks that block their thread (synchronous I/O, locks) would otherwise wait for the pool to
        // grow one thread at a time; give every worker a thread from the start.
        ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, settings.Workers + 4), minIo);

        await using var ownedStorage = storage;
        await using var app = new TaskApp(storage) { Name = settings.Application };
        TaskApp.Default = app;
        var options = new ConsumerOptions
        {
            Workers = settings.Workers,
            Queues = [.. settings.Queues],
            BatchSize = settings.BatchSize,
            ShutdownGrace = TimeSpan.FromSeconds(settings.GraceSeconds),
            VisibilityTimeout = TimeSpan.FromSeconds(settings.VisibilityTimeoutSeconds),
            RunPeriodic = settings.Periodic,
        };
        if (settings.Name is { Length: > 0 } name) options.ConsumerId = name;

        await using var consumer = new TaskConsumer(app, options, loggerFactory);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                LogSignal(logger, context.Signal.ToString(), settings.GraceSeconds);
                stopping.Cancel();
            }
            else
            {
                LogSecondSignal(logger);
                consumer.Abort();
            }
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        var tasks = app.Tasks.All;
        LogReady(logger, consumer.ConsumerId, settings.Workers, string.Join(",", settings.Queues), settings.Application, tasks.Count,
            string.Join(", ", tasks.Select(t => t.Name)));
        await consumer.RunAsync(stopping.Token).ConfigureAwait(false);
        return Volatile.Read(ref signals) > 1 ? 1 : 0;
    }

    [LoggerMessage(100, LogLevel.Information, "TaskQueue worker {ConsumerId} ready: {Workers} workers, queues {Queues}, app '{Application}', {TaskCount} tasks: {Tasks}")]
    private static partial void LogReady(ILogger logger, string consumerId, int workers, string queues, string application, int taskCount, string tasks);

    [LoggerMessage(101, LogLevel.Information, "{Signal} received: stopping; running tasks have {GraceSeconds} s to finish (signal again to stop at once)")]
    private static partial void LogSignal(ILogger logger, string signal, double graceSeconds);

    [LoggerMessage(102, LogLevel.Warning, "Second signal: stopping at once; running tasks are cancelled and handed back")]
    private static partial void LogSecondSignal(ILogger logger);

    [LoggerMessage(103, LogLevel.Critical, "Cannot start: {Reason}")]
    private static partial void LogBadSettings(ILogger logger, string reason);
}
