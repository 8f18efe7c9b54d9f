namespace TaskQueue.Generator.Model;

/// <summary>
/// Everything the emitter needs to write one task's stub class.
/// </summary>
/// <remarks>
/// Incremental generation compares this record with the one from the previous run and skips the
/// emitter when they are equal, so it must stay immutable and structurally equal: only strings,
/// numbers, enums, other spec records and <see cref="ImmutableEquatableArray{T}"/> — never a symbol,
/// a syntax node, a location or the compilation, which would make every edit look like a change
/// (and keep old compilations alive).
/// </remarks>
internal sealed record TaskSpec
{
    /// <summary>The task's stable name (the attribute's <c>Name</c>, or the qualified method name).</summary>
    public required string Name { get; init; }

    /// <summary>The attribute's <c>Queue</c>, or null for the default queue.</summary>
    public required string? Queue { get; init; }

    public required int Retries { get; init; }

    public required int RetryDelaySeconds { get; init; }

    /// <summary>The attribute's <c>Priority</c> (0 when absent).</summary>
    public int Priority { get; init; }

    /// <summary>The attribute's expiry, timeout, backoff, lock and rate limit.</summary>
    public ControlsSpec Controls { get; init; } = ControlsSpec.None;

    /// <summary>The method's namespace (where the stub goes), or null for the global namespace.</summary>
    public required string? Namespace { get; init; }

    /// <summary>The stub class's name: the method's name.</summary>
    public required string StubName { get; init; }

    public required string HintName { get; init; }

    /// <summary>The method's documentation id: unique per method, also among overloads.</summary>
    public required string MethodKey { get; init; }

    /// <summary>The containing type, <c>global::</c>-qualified, for calling the method.</summary>
    public required string ContainingTypeName { get; init; }

    public required string MethodName { get; init; }

    /// <summary>The method as people read it, for docs: <c>Beans.BeanTasks.CountBeans</c>.</summary>
    public required string MethodDisplayName { get; init; }

    /// <summary>Whether the method and all its containing types are public (else the stub is internal).</summary>
    public required bool IsPublic { get; init; }

    /// <summary>All parameters, in declaration order.</summary>
    public required ImmutableEquatableArray<ParameterSpec> Parameters { get; init; }

    public required ReturnSpec Return { get; init; }

    /// <summary>Every user type reachable from the parameters and the result, for the shared codecs.</summary>
    public required ImmutableEquatableArray<ObjectSpec> Objects { get; init; }

    /// <summary>For a <c>[PeriodicTask]</c>: its schedule; null for a <c>[Task]</c>.</summary>
    public PeriodicSpec? Periodic { get; init; }

    /// <summary>
    /// For a <c>[Task]</c> without <c>Recurring</c>, <c>RunIterations</c> and <c>RunOnce</c> members: the
    /// payload parameter whose name one of their options has (TQ0011). Null when the members are emitted.
    /// </summary>
    public string? RecurringNameClash { get; init; }

    /// <summary>Whether the stub has the recurring-task members: a <c>[Task]</c> without a name clash.</summary>
    public bool HasRecurringMembers => Periodic is null && RecurringNameClash is null;

    /// <summary>The stub's name with its namespace, without <c>global::</c>.</summary>
    public string StubFullName => Namespace is null ? StubName : Namespace + "." + StubName;

    public TaskIdentity Identity => new(MethodKey, Name, StubFullName, MethodDisplayName);
}

/// <summary>A periodic task's schedule, as <c>[PeriodicTask]</c> gives it.</summary>
/// <param name="Cron">The cron text as written (checked by <see cref="Parsing.CronText"/>).</param>
/// <param name="TimeZone">The time zone id, or null for UTC.</param>
/// <param name="MissedRuns">The <c>TaskQueue.Scheduling.MissedRunPolicy</c> member's name.</param>
internal sealed record PeriodicSpec(string Cron, string? TimeZone, string MissedRuns);

/// <summary>A task's controls, as <c>[Task]</c> gives them; <see cref="None"/> when it gives none.</summary>
internal sealed record ControlsSpec
{
    public static ControlsSpec None { get; } = new();

    public int ExpiresSeconds { get; init; }

    public int TimeoutSeconds { get; init; }

    public double RetryBackoff { get; init; } = 1;

    public int MaxRetryDelaySeconds { get; init; }

    public bool RetryJitter { get; init; }

    public string? Lock { get; init; }

    public int RateLimit { get; init; }

    public int RateLimitPeriodSeconds { get; init; } = 1;

    /// <summary>Whether a backoff other than a fixed delay is given.</summary>
    public bool HasBackoff => RetryBackoff != 1 || MaxRetryDelaySeconds != 0 || RetryJitter;
}
