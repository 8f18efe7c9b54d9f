namespace TaskQueue.Storage;

/// <summary>What <see cref="ITaskFlowStorage.EnqueueUniqueAsync"/> did.</summary>
/// <param name="Stored">Whether the message was stored: false when the key was already held.</param>
/// <param name="Holder">
/// The value the key holds after the call: the value given when <paramref name="Stored"/>, else the value of the send
/// that holds it (for a deduplicated send, the id of the run it duplicates).
/// </param>
public readonly record struct UniqueSend(bool Stored, string Holder);

/// <summary>What <see cref="ITaskLimitStorage.TryStartAsync"/> decided.</summary>
/// <param name="Allowed">Whether the start may happen now (it was recorded).</param>
/// <param name="RetryAfter">
/// When not allowed: how long from now, by the storage's clock, until the oldest start in the window leaves it and the
/// next start is allowed (more than zero); <see cref="TimeSpan.Zero"/> when allowed.
/// </param>
public readonly record struct RateLimitResult(bool Allowed, TimeSpan RetryAfter);
