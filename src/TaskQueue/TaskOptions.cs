namespace TaskQueue;

/// <summary>
/// Per-call settings of one run, each overriding the task's default from its <see cref="TaskAttribute"/>; a null
/// member keeps the default. Give them to a signature (<c>CountBeans.S(1000).WithOptions(...)</c>).
/// </summary>
public sealed record TaskOptions
{
    /// <summary>Retries after a failure.</summary>
    public int? Retries { get; init; }

    /// <summary>Delay before the first retry (the next ones follow <see cref="Backoff"/>).</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>How the retry delay grows; <see cref="RetryBackoff.Exponential"/> for doubling with jitter.</summary>
    public RetryBackoff? Backoff { get; init; }

    /// <summary>Priority in the queue: higher runs first.</summary>
    public int? Priority { get; init; }

    /// <summary>A run not started this long after it was sent (or after its eta, when scheduled) is skipped as expired.</summary>
    public TimeSpan? ExpiresAfter { get; init; }

    /// <summary>A run not started by this time is skipped as expired. Wins over <see cref="ExpiresAfter"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>How long the run may take: the task's <see cref="CancellationToken"/> fires at this limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// While a run sent with this key is pending (queued, scheduled or running), another send with the same key
    /// for the same task stores nothing (BullMQ's deduplication). Null for none.
    /// </summary>
    public string? DeduplicationKey { get; init; }

    /// <summary>How long a <see cref="DeduplicationKey"/> holds at most, should its run never end (a lost message); 1 hour when null.</summary>
    public TimeSpan? DeduplicationTtl { get; init; }
}

/// <summary>At most <see cref="Count"/> runs of a task start per <see cref="Period"/>, across all workers; the others wait.</summary>
/// <param name="Count">Starts per period, at least 1.</param>
/// <param name="Period">The period, more than zero.</param>
public sealed record RateLimit(int Count, TimeSpan Period);
