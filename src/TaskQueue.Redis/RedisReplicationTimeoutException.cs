namespace TaskQueue.Redis;

/// <summary>
/// A send reached its primary but not <see cref="RedisStorageOptions.ReplicasToAcknowledge"/> replicas
/// within <see cref="RedisStorageOptions.ReplicaWaitTimeout"/>. A passing failure: a client retries the
/// send (its id keeps the retry from storing it twice).
/// </summary>
public sealed class RedisReplicationTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="required">Replicas asked for.</param>
    /// <param name="acknowledged">Replicas that had the send in time.</param>
    /// <param name="waited">How long the send waited for them.</param>
    public RedisReplicationTimeoutException(int required, long acknowledged, TimeSpan waited)
        : base($"The send is on the primary but on {acknowledged} of the {required} replicas asked for (RedisStorageOptions.ReplicasToAcknowledge) after {waited.TotalMilliseconds:0} ms.")
    {
        Required = required;
        Acknowledged = acknowledged;
    }

    /// <summary>Replicas asked for.</summary>
    public int Required { get; }

    /// <summary>Replicas that had the send in time.</summary>
    public long Acknowledged { get; }
}
