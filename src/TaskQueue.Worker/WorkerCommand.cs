using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TaskQueue.Worker;

/// <summary>
/// The worker's command line. An option not given on the command line falls back to its
/// environment variable, then to configuration, then to its default; the help text says each once.
/// </summary>
internal static class WorkerCommand
{
    public static RootCommand Create(Func<WorkerSettings, CancellationToken, Task<int>> run)
    {
        var workers = new Option<int>("--workers", "-w") { Description = "Tasks run at once in this process. Env: TASKQUEUE_WORKERS. Default 1." };
        workers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--workers must be at least 1.");
        });
        var queues = new Option<string[]>("--queue", "-q")
        {
            Description = "A queue to take tasks from; repeat it for several, the first has priority. Env: TASKQUEUE_QUEUES (comma-separated). Default: default.",
        };
        var redis = new Option<string>("--redis") { Description = "Redis connection string, e.g. localhost:6379,password=...,ssl=true. Env: TASKQUEUE_REDIS. Required (here, in the environment or as TaskQueue:Redis in appsettings.json)." };
        var application = new Option<string>("--app") { Description = "Application name: the namespace of this app's keys in Redis; producers must use the same. Env: TASKQUEUE_APP. Default: default." };
        var partitions = new Option<string[]>("--partitions")
        {
            Description = "A queue split into partitions, as queue=N; repeat it for several. Producers must use the same. Env: TASKQUEUE_PARTITIONS (comma-separated). Default: none.",
        };
        var noPeriodic = new Option<bool>("--no-periodic", "-n") { Description = "Do not fire periodic tasks from this process (other consumers still do). Env: TASKQUEUE_NO_PERIODIC=1." };
        var name = new Option<string>("--name") { Description = "This consumer's name, its id in storage (unique among live consumers). Env: TASKQUEUE_NAME. Default: host:pid:random." };
        var grace = new Option<double>("--grace") { Description = "Seconds running tasks get to finish after SIGTERM or Ctrl-C. Env: TASKQUEUE_GRACE. Default 30." };
        grace.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() < 0) r.AddError("--grace cannot be negative.");
        });
        var visibility = new Option<double>("--visibility-timeout")
        {
            Description = "Seconds after which the tasks of a consumer that stopped sending heartbeats go to others. Env: TASKQUEUE_VISIBILITY_TIMEOUT. Default 30.",
        };
        visibility.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() < 1) r.AddError("--visibility-timeout must be at least 1 second.");
        });
        var batch = new Option<int>("--batch") { Description = "Most tasks one worker takes at once (short tasks run faster in batches). Env: TASKQUEUE_BATCH. Default 16." };
        batch.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1) r.AddError("--batch must be at least 1.");
        });
        var redeliveries = new Option<int>("--max-redeliveries")
        {
            Description = "Times a task may be handed back after its consumer died before it goes to dead letters. Env: TASKQUEUE_MAX_REDELIVERIES. Default 5.",
        };
        redeliveries.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0) r.AddError("--max-redeliveries cannot be negative.");
        });
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every task (debug level)." };
        var quiet = new Option<bool>("--quiet") { Description = "Log warnings and errors only." };

        var root = new RootCommand(
            "Runs TaskQueue tasks from Redis until SIGTERM or Ctrl-C (a second signal stops at once). Settings not given here come from " +
            "TASKQUEUE_* environment variables, then from appsettings.json (section TaskQueue), then from their defaults. " +
            "Exit codes: 0 stopped gracefully, 1 stopped at once by a second signal, 2 bad usage or settings.")
        {
            workers, queues, redis, application, partitions, noPeriodic, name, grace, visibility, batch, redeliveries, verbose, quiet,
        };
        root.Validators.Add(r =>
        {
            if (r.GetValue(verbose) && r.GetValue(quiet)) r.AddError("--verbose and --quiet cannot be used together.");
        });
        root.SetAction((result, cancellationToken) =>
        {
            var errors = new List<string>();
            var environment = new EnvironmentReader(errors);
            var settings = new WorkerSettings
            {
                Workers = Given(result, workers) ?? environment.Int("TASKQUEUE_WORKERS", min: 1),
                Queues = result.GetResult(queues) is not null && result.GetValue(queues) is { Length: > 0 } q ? q : environment.List("TASKQUEUE_QUEUES"),
                Redis = GivenText(result, redis) ?? environment.Text("TASKQUEUE_REDIS"),
                Application = GivenText(result, application) ?? environment.Text("TASKQUEUE_APP"),
                Partitions = ParsePartitions(result.GetResult(partitions) is not null ? result.GetValue(partitions) : environment.List("TASKQUEUE_PARTITIONS"), errors),
                Periodic = result.GetResult(noPeriodic) is not null ? !result.GetValue(noPeriodic) : environment.Flag("TASKQUEUE_NO_PERIODIC") is { } off ? !off : null,
                Name = GivenText(result, name) ?? environment.Text("TASKQUEUE_NAME"),
                GraceSeconds = Given(result, grace) ?? environment.Seconds("TASKQUEUE_GRACE", min: 0),
                VisibilityTimeoutSeconds = Given(result, visibility) ?? environment.Seconds("TASKQUEUE_VISIBILITY_TIMEOUT", min: 1),
                BatchSize = Given(result, batch) ?? environment.Int("TASKQUEUE_BATCH", min: 1),
                MaxRedeliveries = Given(result, redeliveries) ?? environment.Int("TASKQUEUE_MAX_REDELIVERIES", min: 0),
                LogLevel = result.GetValue(verbose) ? LogLevel.Debug : result.GetValue(quiet) ? LogLevel.Warning : null,
            };
            if (errors.Count > 0)
            {
                foreach (var error in errors) Console.Error.WriteLine(error);
                return Task.FromResult(ExitCodes.Usage);
            }
            return run(settings, cancellationToken);
        });
        return root;
    }

    /// <summary>Reads <c>queue=N</c> items; one that does not parse is an error naming it.</summary>
    private static Dictionary<string, int>? ParsePartitions(string[]? items, List<string> errors)
    {
        if (items is not { Length: > 0 }) return null;
        var parsed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            int eq = item.LastIndexOf('=');
            if (eq > 0 && int.TryParse(item.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count is >= 1 and <= 1024)
            {
                parsed[item[..eq]] = count;
            }
            else
            {
                errors.Add($"--partitions: '{item}' is not queue=N with N from 1 to 1024.");
            }
        }
        return parsed;
    }

    private static T? Given<T>(ParseResult result, Option<T> option) where T : struct
        => result.GetResult(option) is not null ? result.GetValue(option) : null;

    private static string? GivenText(ParseResult result, Option<string> option)
        => result.GetResult(option) is not null && result.GetValue(option) is { Length: > 0 } value ? value : null;

    /// <summary>Reads TASKQUEUE_* variables; a value that does not parse is an error naming the variable.</summary>
    private sealed class EnvironmentReader(List<string> errors)
    {
        public string? Text(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : null;

        public int? Int(string variable, int min)
        {
            if (Text(variable) is not { } v) return null;
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min) return n;
            errors.Add($"{variable}: '{v}' is not a whole number of at least {min}.");
            return null;
        }

        public double? Seconds(string variable, double min)
        {
            if (Text(variable) is not { } v) return null;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && double.IsFinite(n) && n >= min) return n;
            errors.Add($"{variable}: '{v}' is not a number of seconds of at least {min.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        public bool? Flag(string variable)
        {
            if (Text(variable) is not { } v) return null;
            if (v is "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
            if (v is "0" || v.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
            errors.Add($"{variable}: '{v}' is not 1, 0, true or false.");
            return null;
        }

        public string[]? List(string variable)
            => Text(variable) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
    }
}
