using System.Globalization;

namespace TaskQueue.Soak;

/// <summary>The soak's command line.</summary>
internal sealed record SoakOptions
{
    public string? Redis { get; init; } = Environment.GetEnvironmentVariable("TASKQUEUE_REDIS") is { Length: > 0 } r ? r : null;
    public double Minutes { get; init; } = 20;
    public double KillEverySeconds { get; init; } = 60;
    public int Processes { get; init; } = 3;
    public int WorkersPerProcess { get; init; } = 4;
    public double VisibilityTimeoutSeconds { get; init; } = 5;
    public double Load { get; init; } = 0.70;
    public double? Rate { get; init; }
    public int Burst { get; init; } = 100_000;
    public double DrainTimeoutSeconds { get; init; } = 120;
    public int Seed { get; init; } = Environment.TickCount;
    public string? LogDirectory { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        TaskQueue soak: worker processes under a steady load while one of them is SIGKILLed at
        intervals; then counts every task's runs. Exits 1 if a task was lost (enqueued, never run) or
        the queue did not drain, 0 otherwise.

        usage: dotnet run -c Release --project bench/TaskQueue.Soak -- [options]

          --redis HOST:PORT          the Redis to use (env TASKQUEUE_REDIS); without it a private
                                     redis-server is started on a free loopback port
          --minutes M                how long to produce (default 20)
          --kill-every S             SIGKILL a random worker process every S seconds and start a
                                     replacement at once (default 60)
          --processes N              worker processes (default 3)
          --workers N                workers in each process, its -w (default 4)
          --visibility-timeout S     the workers' --visibility-timeout: how long a killed worker's
                                     tasks wait before they go back to the queue (default 5)
          --load F                   produce at F × the drain rate measured first (default 0.7)
          --rate R                   produce R tasks/s instead, and skip the drain measurement
          --burst N                  tasks in the burst that measures the drain rate (default 100,000)
          --drain-timeout S          how long the queue may take to empty at the end (default 120)
          --seed N                   seed for choosing which worker to kill
          --log-dir DIR              where the workers' output goes (default: a new temp directory)
          --help                     this text

        Phases: start the workers; a warm-up burst of 20,000 and a timed burst of --burst tasks (no
        kills: both must run exactly once); the soak (paced producer, kills); stop producing and wait
        until queue, schedule and in-flight are empty; SIGTERM the workers; count.

        Every run goes through one Lua call on the same Redis (the soak's ledger, outside TaskQueue's
        keys): a saturating byte of run count per task, the first run's worker, and a list of the
        runs after the first. Redis memory is given with and without the ledger.
        """;

    public static SoakOptions Parse(string[] args)
    {
        var options = new SoakOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            double Positive()
            {
                string text = Value();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
                    ? value
                    : throw new ArgumentException($"{name}: '{text}' is not a positive number.");
            }
            int Count()
            {
                double value = Positive();
                return value == Math.Floor(value) && value <= int.MaxValue ? (int)value : throw new ArgumentException($"{name}: '{value}' is not a whole number.");
            }
            options = name switch
            {
                "--redis" => options with { Redis = Value() },
                "--minutes" => options with { Minutes = Positive() },
                "--kill-every" => options with { KillEverySeconds = Positive() },
                "--processes" => options with { Processes = Count() },
                "--workers" or "-w" => options with { WorkersPerProcess = Count() },
                "--visibility-timeout" => options with { VisibilityTimeoutSeconds = Math.Max(1, Positive()) },
                "--load" => options with { Load = Positive() },
                "--rate" => options with { Rate = Positive() },
                "--burst" => options with { Burst = Count() },
                "--drain-timeout" => options with { DrainTimeoutSeconds = Positive() },
                "--seed" => options with { Seed = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : throw new ArgumentException("--seed needs a whole number.") },
                "--log-dir" => options with { LogDirectory = Value() },
                "--help" or "-h" or "-?" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown argument '{name}'."),
            };
        }
        return options;
    }
}
