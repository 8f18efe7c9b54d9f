using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskQueue.Hosting;

namespace TaskQueue.Worker;

/// <summary>
/// Turns any console app that references tasks into a worker process:
/// <c>return await TaskQueueWorker.RunAsync(args);</c>. It runs on the generic host: options come
/// from the command line (<c>--help</c> lists them), then <c>TASKQUEUE_*</c> environment variables,
/// then <c>appsettings.json</c> (sections <c>TaskQueue</c> and <c>TaskQueue:Worker</c>, as for
/// <c>services.AddTaskQueue</c>), then defaults. Exit codes are in <see cref="ExitCodes"/>.
/// </summary>
/// <remarks>
/// SIGTERM or Ctrl-C stops it gracefully: no new tasks, running tasks get the grace period to
/// finish, what is left goes back to the queue, and the exit code is 0. A second signal stops at
/// once (running tasks are cancelled and handed back; exit code 1).
/// </remarks>
public static partial class TaskQueueWorker
{
    /// <summary>The grace running tasks get after a stop signal unless told otherwise.</summary>
    private static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(30);

    /// <summary>Parses <paramref name="args"/> and runs the worker until it is told to stop; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CancellationToken.None);

    /// <summary>As <see cref="RunAsync(string[])"/>, also stopping gracefully when <paramref name="cancellationToken"/> fires.</summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = WorkerCommand.Create(RunWorkerAsync).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Run with --help for the options.");
            return ExitCodes.Usage;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a worker with settings already made; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunWorkerAsync(WorkerSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = false, Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        if (settings.LogLevel is { } level)
        {
            builder.Logging.SetMinimumLevel(level);
            builder.Logging.AddFilter(null, level);
        }
        // This process handles SIGTERM and Ctrl-C itself (a second signal stops at once).
        builder.Services.AddSingleton<IHostLifetime, SignalledLifetime>();
        builder.Services.AddTaskQueue(options =>
        {
            if (settings.Redis is { } redis) options.UseRedis(redis);
            if (settings.Application is { } application) options.Application = application;
            foreach (var (queue, count) in settings.Partitions ?? new Dictionary<string, int>()) options.Partitions[queue] = count;
        });
        builder.Services.AddTaskQueueWorker(options =>
        {
            if (settings.Workers is { } workers) options.Workers = workers;
            if (settings.Queues is { Count: > 0 } queues) options.Queues = [.. queues];
            if (settings.Name is { } name) options.Name = name;
            if (settings.BatchSize is { } batch) options.BatchSize = batch;
            options.ShutdownGrace ??= DefaultGrace;
            if (settings.GraceSeconds is { } grace) options.ShutdownGrace = TimeSpan.FromSeconds(grace);
            if (settings.VisibilityTimeoutSeconds is { } visibility) options.VisibilityTimeout = TimeSpan.FromSeconds(visibility);
            if (settings.MaxRedeliveries is { } redeliveries) options.MaxRedeliveries = redeliveries;
            if (settings.Periodic is { } periodic) options.Periodic = periodic;
        });
        // The host waits for the grace period and the hand-back after it.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<TaskQueueWorkerOptions>>(
            static (host, worker) => host.ShutdownTimeout = (worker.Value.ShutdownGrace ?? DefaultGrace) + TimeSpan.FromSeconds(10));

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TaskQueue.Worker");
        TaskQueueOptions queueOptions;
        TaskQueueWorkerOptions workerOptions;
        try
        {
            queueOptions = host.Services.GetRequiredService<IOptions<TaskQueueOptions>>().Value;
            workerOptions = host.Services.GetRequiredService<IOptions<TaskQueueWorkerOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            foreach (var failure in e.Failures) LogBadSettings(logger, failure);
            return ExitCodes.Usage;
        }
        if (queueOptions.Redis is null && queueOptions.StorageFactory is null)
        {
            LogBadSettings(logger, "No Redis given: pass --redis CONNECTION, set TASKQUEUE_REDIS, or set TaskQueue:Redis in appsettings.json.");
            return ExitCodes.Usage;
        }

        // Tasks that block their thread (synchronous I/O, locks) would otherwise wait for the pool to
        // grow one thread at a time; give every worker a thread from the start.
        ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, workerOptions.Workers + 4), minIo);

        var worker = host.Services.GetRequiredService<TaskQueueWorkerService>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                LogSignal(logger, context.Signal.ToString(), worker.ShutdownGrace.TotalSeconds);
                stopping.Cancel();
            }
            else
            {
                LogSecondSignal(logger);
                worker.Abort();
            }
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        using var stopped = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stopping.Cancel);
        var app = host.Services.GetRequiredService<TaskApp>();
        var tasks = app.Tasks.All;
        var consumer = worker.Consumer!;
        // Checkpoint: "ready" means connected. Until storage answers the consumer retries, and says so once.
        try
        {
            await consumer.Ready.WaitAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (consumer.Ready.IsCompletedSuccessfully) LogReady(logger, consumer.ConsumerId, workerOptions.Workers, string.Join(",", workerOptions.Queues), app.Name,
            worker.ShutdownGrace.TotalSeconds, workerOptions.VisibilityTimeout.TotalSeconds, workerOptions.MaxRedeliveries, tasks.Count,
            string.Join(", ", tasks.Select(t => t.Name)));
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (consumer.AbandonedTasks > 0) return ExitCodes.TasksLeftRunning;
        return Volatile.Read(ref signals) > 1 ? ExitCodes.StoppedAtOnce : ExitCodes.Stopped;
    }

    /// <summary>A host lifetime that leaves signals to the worker (the console lifetime would take SIGTERM and Ctrl-C itself).</summary>
    private sealed class SignalledLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(100, LogLevel.Information, "TaskQueue worker {ConsumerId} ready: {Workers} workers, queues {Queues}, app '{Application}', grace {GraceSeconds} s, visibility timeout {VisibilitySeconds} s, max redeliveries {MaxRedeliveries}, {TaskCount} tasks: {Tasks}")]
    private static partial void LogReady(ILogger logger, string consumerId, int workers, string queues, string application, double graceSeconds,
        double visibilitySeconds, int maxRedeliveries, int taskCount, string tasks);

    [LoggerMessage(101, LogLevel.Information, "{Signal} received: stopping; running tasks have {GraceSeconds} s to finish (signal again to stop at once)")]
    private static partial void LogSignal(ILogger logger, string signal, double graceSeconds);

    [LoggerMessage(102, LogLevel.Warning, "Second signal: stopping at once; running tasks are cancelled and handed back")]
    private static partial void LogSecondSignal(ILogger logger);

    [LoggerMessage(103, LogLevel.Critical, "Cannot start: {Reason}")]
    private static partial void LogBadSettings(ILogger logger, string reason);
}
