namespace TaskQueue.Worker;

/// <summary>
/// What the command line and the environment said about one worker process. A null setting was not
/// given: it comes from configuration (<c>appsettings.json</c>, section <c>TaskQueue</c>), else from
/// its default.
/// </summary>
public sealed record WorkerSettings
{
    /// <summary>Number of workers (tasks run at once). Default 1.</summary>
    public int? Workers { get; init; }

    /// <summary>Queues to take from, in priority order. Default <c>default</c>.</summary>
    public IReadOnlyList<string>? Queues { get; init; }

    /// <summary>The Redis connection string (StackExchange.Redis syntax). Required here or in configuration.</summary>
    public string? Redis { get; init; }

    /// <summary>The application name: the namespace of this app's keys in Redis. Default <c>default</c>.</summary>
    public string? Application { get; init; }

    /// <summary>Queues split into partitions (queue → number of partitions; see <c>RedisStorageOptions.Partitions</c>). Default none.</summary>
    public IReadOnlyDictionary<string, int>? Partitions { get; init; }

    /// <summary>Whether this process fires periodic tasks. Default true.</summary>
    public bool? Periodic { get; init; }

    /// <summary>This consumer's name (its id in storage); generated when not given.</summary>
    public string? Name { get; init; }

    /// <summary>Seconds that running tasks get to finish after a stop signal. Default 30.</summary>
    public double? GraceSeconds { get; init; }

    /// <summary>Seconds a dead consumer's tasks stay in flight before others take them over. Default 30.</summary>
    public double? VisibilityTimeoutSeconds { get; init; }

    /// <summary>Most messages a worker takes at once. Default 16.</summary>
    public int? BatchSize { get; init; }

    /// <summary>How often a message may be handed back after its consumer died before it goes to dead letters. Default 5.</summary>
    public int? MaxRedeliveries { get; init; }

    /// <summary>How much to log; from configuration (<c>Logging:LogLevel</c>), else information, when not given.</summary>
    public Microsoft.Extensions.Logging.LogLevel? LogLevel { get; init; }
}
