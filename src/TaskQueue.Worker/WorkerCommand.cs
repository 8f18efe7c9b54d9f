using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TaskQueue.Worker;

/// <summary>The worker's command line. Every option falls back to an environment variable, then to its default.</summary>
internal static class WorkerCommand
{
    public static RootCommand Create(Func<WorkerSettings, CancellationToken, Task<int>> run)
    {
        var workers = new Option<int>("--workers", "-w")
        {
            Description = "Number of workers: tasks run at once in this process. Env: TASKQUEUE_WORKERS. Default 1.",
            DefaultValueFactory = _ => IntFromEnvironment("TASKQUEUE_WORKERS") ?? 1,
        };
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--workers must be at least 1.");
        });
        var queues = new Option<string[]>("--queue", "-q")
        {
            Description = "A queue to take tasks from; repeat it for several, first has priority. Env: TASKQUEUE_QUEUES (comma-separated). Default: default.",
            DefaultValueFactory = _ => ListFromEnvironment("TASKQUEUE_QUEUES") ?? [TaskDescriptor.DefaultQueue],
        };
        var redis = new Option<string?>("--redis")
        {
            Description = "Redis connection string, e.g. localhost:6379,password=...,ssl=true. Env: TASKQUEUE_REDIS. Required.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKQUEUE_REDIS"),
        };
        var application = new Option<string>("--app")
        {
            Description = "Application name: the namespace of this app's keys in Redis; producers must use the same. Env: TASKQUEUE_APP. Default: default.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKQUEUE_APP") is { Length: > 0 } a ? a : "default",
        };
        var noPeriodic = new Option<bool>("--no-periodic", "-n")
        {
            Description = "Do not fire periodic tasks from this process (other consumers still do). Env: TASKQUEUE_NO_PERIODIC=1.",
            DefaultValueFactory = _ => BoolFromEnvironment("TASKQUEUE_NO_PERIODIC"),
        };
        var name = new Option<string?>("--name")
        {
            Description = "This consumer's name, its id in storage (must be unique among live consumers). Env: TASKQUEUE_NAME. Default: host:pid:random.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKQUEUE_NAME"),
        };
        var grace = new Option<double>("--grace")
        {
            Description = "Seconds that running tasks get to finish after SIGTERM or Ctrl-C. Env: TASKQUEUE_GRACE. Default 30.",
            DefaultValueFactory = _ => DoubleFromEnvironment("TASKQUEUE_GRACE") ?? 30,
        };
        grace.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() < 0) r.AddError("--grace cannot be negative.");
        });
        var visibility = new Option<double>("--visibility-timeout")
        {
            Description = "Seconds after which the tasks of a consumer that stopped sending heartbeats go to other consumers. Env: TASKQUEUE_VISIBILITY_TIMEOUT. Default 30.",
            DefaultValueFactory = _ => DoubleFromEnvironment("TASKQUEUE_VISIBILITY_TIMEOUT") ?? 30,
        };
        visibility.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() < 1) r.AddError("--visibility-timeout must be at least 1 second.");
        });
        var batch = new Option<int>("--batch")
        {
            Description = "Most tasks one worker takes at once (short tasks run faster in batches). Env: TASKQUEUE_BATCH. Default 16.",
            DefaultValueFactory = _ => IntFromEnvironment("TASKQUEUE_BATCH") ?? 16,
        };
        batch.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch must be at least 1.");
        });
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every task (debug level)." };
        var quiet = new Option<bool>("--quiet") { Description = "Log warnings and errors only." };

        var root = new RootCommand("Runs TaskQueue tasks from Redis until SIGTERM or Ctrl-C (a second signal stops at once).")
        {
            workers, queues, redis, application, noPeriodic, name, grace, visibility, batch, verbose, quiet,
        };
        root.Validators.Add(r =>
        {
            if (r.GetValue(verbose) && r.GetValue(quiet)) r.AddError("--verbose and --quiet cannot be used together.");
        });
        root.SetAction((result, cancellationToken) =>
        {
            // Checked here, not in a validator: validators do not see values that come from defaults (the environment).
            if (string.IsNullOrWhiteSpace(result.GetValue(redis)))
            {
                Console.Error.WriteLine("No Redis given: pass --redis CONNECTION or set TASKQUEUE_REDIS.");
                return Task.FromResult(2);
            }
            return Run(result, cancellationToken);
        });
        return root;

        Task<int> Run(ParseResult result, CancellationToken cancellationToken) => run(new WorkerSettings
        {
            Workers = result.GetValue(workers),
            Queues = result.GetValue(queues) is { Length: > 0 } q ? q : [TaskDescriptor.DefaultQueue],
            Redis = result.GetValue(redis)!,
            Application = result.GetValue(application)!,
            Periodic = !result.GetValue(noPeriodic),
            Name = result.GetValue(name),
            GraceSeconds = result.GetValue(grace),
            VisibilityTimeoutSeconds = result.GetValue(visibility),
            BatchSize = result.GetValue(batch),
            LogLevel = result.GetValue(verbose) ? LogLevel.Debug : result.GetValue(quiet) ? LogLevel.Warning : LogLevel.Information,
        }, cancellationToken);
    }

    private static int? IntFromEnvironment(string name)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static double? DoubleFromEnvironment(string name)
        => double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static bool BoolFromEnvironment(string name)
        => Environment.GetEnvironmentVariable(name) is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    private static string[]? ListFromEnvironment(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : null;
}
