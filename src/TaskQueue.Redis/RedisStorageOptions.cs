using StackExchange.Redis;

namespace TaskQueue.Redis;

/// <summary>Where <see cref="RedisStorage"/> connects and whose keys it uses.</summary>
/// <example>
/// <code>
/// await using var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions
/// {
///     ConnectionString = "redis.internal:6380,user=taskqueue,password=...,ssl=true,defaultDatabase=2",
///     ApplicationName = "beans",
/// });
/// </code>
/// </example>
public sealed class RedisStorageOptions
{
    /// <summary>
    /// The application name: every key lives under the hash tag <c>{tq:&lt;name&gt;}</c>, so
    /// applications sharing one Redis never see each other's tasks. Default <c>default</c>.
    /// </summary>
    public string ApplicationName { get; set; } = "default";

    /// <summary>
    /// A StackExchange.Redis connection string: endpoints and options such as <c>password=</c>,
    /// <c>user=</c>, <c>ssl=true</c>, <c>defaultDatabase=</c>. Unless the string says otherwise, the
    /// connection does not fail at start when Redis is down (<c>abortConnect=false</c>) and
    /// reconnects by itself; commands issued while it is down fail at once rather than queueing.
    /// Give either this or <see cref="Configuration"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The connection as a configuration object, made by the caller. It is cloned and used as it is:
    /// the defaults described under <see cref="ConnectionString"/> are not applied. Give either this
    /// or <see cref="ConnectionString"/>; to add to a connection string what it cannot say, use
    /// <see cref="ConfigureConnection"/> instead.
    /// </summary>
    public ConfigurationOptions? Configuration { get; set; }

    /// <summary>
    /// Changes the connection's configuration after it is parsed from <see cref="ConnectionString"/>
    /// (and this storage's defaults are applied) or cloned from <see cref="Configuration"/>: for what
    /// a connection string cannot say, such as how to check the server's TLS certificate or which
    /// client certificate to present. Both of the storage's connections use the result: the one
    /// commands go through and the one waiting takes block on.
    /// </summary>
    /// <remarks>
    /// It may run more than once (<see cref="Validate"/> runs it too), each time on a fresh
    /// configuration. With a connection given to <see cref="RedisStorage(IConnectionMultiplexer, RedisStorageOptions)"/>
    /// and neither <see cref="ConnectionString"/> nor <see cref="Configuration"/>, it changes the
    /// configuration the waiting connection copies from that connection, which carries no callbacks:
    /// set the certificate check here again.
    /// </remarks>
    /// <example>
    /// A server whose certificate is signed by a private certificate authority:
    /// <code>
    /// ConnectionString = "redis.internal:6380,ssl=true,user=taskqueue,password=...",
    /// ConfigureConnection = c => c.TrustIssuer("/etc/taskqueue/redis-ca.pem"),
    /// </code>
    /// </example>
    public Action<ConfigurationOptions>? ConfigureConnection { get; set; }

    /// <summary>
    /// Queues split into partitions: queue name → number of partitions (2 to 1024). Each partition is
    /// a queue of its own under its own hash tag, so on Redis Cluster one queue's traffic spreads over
    /// as many slots (and shards) as it has partitions. Producers put each send in the next partition
    /// in turn; workers take from all of them, starting from a different one each time.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Order: messages of one partition keep their order (first in, first out within a priority);
    /// messages of different partitions do not. A partitioned queue keeps only the order a partitioned
    /// log would: none across partitions.
    /// </para>
    /// <para>
    /// Give every producer and worker of the application the same partitions. Partition 0 is the
    /// queue's own keys and partition <c>k</c> is the queue <c>&lt;name&gt;#&lt;k&gt;</c>, so going from 1 to N
    /// partitions keeps what is queued; going down strands the messages of the dropped partitions
    /// until a worker takes from them by name (<c>--queue orders#3</c>). Leave a queue with one
    /// partition unless one Redis shard cannot carry it: a take on a partitioned queue tries the
    /// partitions one after another.
    /// </para>
    /// </remarks>
    public IDictionary<string, int> Partitions { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// How many replicas must have a send (an enqueue or a schedule) before it returns: after the
    /// write, <c>WAIT</c> on the primary that took it, for up to <see cref="ReplicaWaitTimeout"/>. 0 (the
    /// default) does not wait. Redis replicates asynchronously: a primary that dies a moment after
    /// acknowledging a send may take it with it; with 1 or more, a send that returned is on that
    /// many replicas too, and a failover to one of them keeps it.
    /// </summary>
    /// <remarks>
    /// A send that is not on enough replicas in time throws <see cref="RedisReplicationTimeoutException"/>
    /// (a <see cref="TimeoutException"/>): <see cref="TaskApp"/> retries it like any passing failure,
    /// for its <c>StorageRetryTime</c>, and the send's id keeps the retry from storing it twice. The
    /// message is on the primary all the same: a worker may take it before the replicas have it.
    /// Costs one round trip per send, longer by the replication delay.
    /// </remarks>
    public int ReplicasToAcknowledge { get; set; }

    /// <summary>How long a send waits for <see cref="ReplicasToAcknowledge"/> replicas. Default 1 second.</summary>
    public TimeSpan ReplicaWaitTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most partitions a queue can have.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        ValidateStorageSettings();
        _ = BuildConfiguration();
    }

    /// <summary>Checks what a storage takes from these options besides the connection: the application name, partitions and replication.</summary>
    internal void ValidateStorageSettings()
    {
        ValidateApplicationName(ApplicationName);
        ValidatePartitions();
        ValidateReplication();
    }

    /// <summary>Checks <see cref="ReplicasToAcknowledge"/> and <see cref="ReplicaWaitTimeout"/>.</summary>
    private void ValidateReplication()
    {
        if (ReplicasToAcknowledge < 0)
        {
            throw new ArgumentException($"RedisStorageOptions.ReplicasToAcknowledge is {ReplicasToAcknowledge}: give 0 (do not wait) or more.", nameof(ReplicasToAcknowledge));
        }
        if (ReplicasToAcknowledge > 0 && (ReplicaWaitTimeout <= TimeSpan.Zero || ReplicaWaitTimeout > TimeSpan.FromMinutes(1)))
        {
            throw new ArgumentException($"RedisStorageOptions.ReplicaWaitTimeout is {ReplicaWaitTimeout}: give more than 0 and at most a minute.", nameof(ReplicaWaitTimeout));
        }
    }

    /// <summary>Checks <see cref="Partitions"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    private void ValidatePartitions()
    {
        foreach (var (queue, count) in Partitions)
        {
            if (string.IsNullOrEmpty(queue))
            {
                throw new ArgumentException("RedisStorageOptions.Partitions names an empty queue.", nameof(Partitions));
            }
            if (count is < 1 or > MaxPartitions)
            {
                throw new ArgumentException(
                    $"RedisStorageOptions.Partitions gives queue '{queue}' {count} partitions: give 1 to {MaxPartitions}.", nameof(Partitions));
            }
        }
    }

    /// <summary>Checks an application name; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    internal static void ValidateApplicationName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("RedisStorageOptions.ApplicationName must not be empty.", nameof(ApplicationName));
        }
        if (name.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException(
                $"RedisStorageOptions.ApplicationName '{name}' must not contain '{{' or '}}': it becomes the Redis hash tag {{tq:<name>}}.",
                nameof(ApplicationName));
        }
        if (name.Contains(":q:", StringComparison.Ordinal) || name.Contains(":r:", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"RedisStorageOptions.ApplicationName '{name}' must not contain ':q:' or ':r:': queues and results of application <name> live under the hash tags {{tq:<name>:q:...}} and {{tq:<name>:r:...}}, which such a name would share with another application.",
                nameof(ApplicationName));
        }
    }

    /// <summary>The StackExchange.Redis configuration these options describe, with this storage's defaults applied.</summary>
    internal ConfigurationOptions BuildConfiguration()
    {
        if (ConnectionString is not null && Configuration is not null)
        {
            throw new ArgumentException("Give RedisStorageOptions.ConnectionString or RedisStorageOptions.Configuration, not both.", nameof(ConnectionString));
        }
        ConfigurationOptions config;
        if (Configuration is not null)
        {
            config = Configuration.Clone();
        }
        else if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException(
                "RedisStorageOptions.ConnectionString is empty: give a StackExchange.Redis connection string such as \"localhost:6379\".",
                nameof(ConnectionString));
        }
        else
        {
            try
            {
                config = ConfigurationOptions.Parse(ConnectionString);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or RedisException)
            {
                throw new ArgumentException(
                    $"RedisStorageOptions.ConnectionString is not a valid StackExchange.Redis connection string: {e.Message}",
                    nameof(ConnectionString), e);
            }
        }
        if (config.EndPoints.Count == 0)
        {
            throw new ArgumentException(
                "The Redis connection names no server: give at least one endpoint, such as \"localhost:6379\".",
                nameof(ConnectionString));
        }
        if (Configuration is null) ApplyDefaults(config, ConnectionString!);
        return Configured(config);
    }

    /// <summary><paramref name="config"/> after <see cref="ConfigureConnection"/>, if any, changed it.</summary>
    internal ConfigurationOptions Configured(ConfigurationOptions config)
    {
        ConfigureConnection?.Invoke(config);
        return config;
    }

    private static void ApplyDefaults(ConfigurationOptions config, string said)
    {
        // A worker started before Redis, or across a Redis restart, keeps trying instead of dying;
        // calls made while it is down fail fast so that the consumer's own retry loop decides.
        if (!Mentions(said, "abortConnect")) config.AbortOnConnectFail = false;
        if (!Mentions(said, "connectRetry")) config.ConnectRetry = 3;
        if (!Mentions(said, "name")) config.ClientName = "taskqueue";
        config.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5_000);
        config.BacklogPolicy = BacklogPolicy.FailFast;
    }

    private static bool Mentions(string connectionString, string keyword)
    {
        foreach (var part in connectionString.Split(','))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && part.AsSpan(0, eq).Trim().Equals(keyword, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
