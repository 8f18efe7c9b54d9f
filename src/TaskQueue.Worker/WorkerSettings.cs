namespace TaskQueue.Worker;

/// <summary>The settings of one worker process, from the command line or the environment.</summary>
public sealed record WorkerSettings
{
    /// <summary>Number of workers (concurrent tasks).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Queues to take from, in priority order.</summary>
    public IReadOnlyList<string> Queues { get; init; } = [TaskDescriptor.DefaultQueue];

    /// <summary>The Redis connection string (StackExchange.Redis syntax).</summary>
    public required string Redis { get; init; }

    /// <summary>The application name: the namespace of this app's keys in Redis.</summary>
    public string Application { get; init; } = "default";

    /// <summary>Whether this process fires periodic tasks.</summary>
    public bool Periodic { get; init; } = true;

    /// <summary>This consumer's name (its id in storage); generated when null.</summary>
    public string? Name { get; init; }

    /// <summary>Seconds that running tasks get to finish after a stop signal.</summary>
    public double GraceSeconds { get; init; } = 30;

    /// <summary>How long a dead consumer's tasks stay in flight before others take them over.</summary>
    public double VisibilityTimeoutSeconds { get; init; } = 30;

    /// <summary>Most messages a worker takes at once.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>How much to log.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
