using StackExchange.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Redis;

/// <summary>
/// The production storage: one application's tasks in Redis, every state change that must be atomic
/// one Lua script on the keys of one hash tag. Each queue has a hash tag of its own and the
/// application's shared records have theirs (see <see cref="RedisKeys"/>), so on Redis Cluster
/// queues spread over the shards; a queue that outgrows one shard can be split into partitions
/// (<see cref="RedisStorageOptions.Partitions"/>). Needs Redis 6.2 or later.
/// </summary>
/// <remarks>
/// <para>
/// Messages live inline in the queue lists, so an enqueue is one <c>RPUSH</c> and a queued task
/// costs Redis little more than its bytes. A take is one script for a whole batch, a settle one
/// script per queue for a whole batch of completions. Taking waits by blocking on Redis, on a
/// connection of its own per queue (see <see cref="QueueWaiter"/>), so an idle worker picks up a new message at once.
/// </para>
/// <para>
/// Use one multiplexed connection per process: pass it to <see cref="RedisStorage(IConnectionMultiplexer, string)"/>,
/// or let <see cref="ConnectAsync"/> open one that the storage then owns. After a Redis restart the
/// connection comes back by itself; calls made while Redis is away throw
/// <see cref="RedisConnectionException"/> (or a timeout) quickly, and the consumer retries them.
/// </para>
/// </remarks>
public sealed partial class RedisStorage : ITaskStorage
{
    private readonly IConnectionMultiplexer connection;
    private readonly bool ownsConnection;
    private readonly IDatabase db;
    private readonly RedisKeys keys;
    private readonly QueueWaiter waiter;
    private readonly Dictionary<string, int> partitions;
    private readonly int replicas;
    private readonly long replicaWaitMs;
    private int disposed;

    /// <summary>Connects as <paramref name="options"/> say; the storage owns the connection and closes it on dispose.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message says which and why).</exception>
    /// <remarks>Prefer <see cref="ConnectAsync"/> in async code. Redis need not be up: the connection keeps trying.</remarks>
    public RedisStorage(RedisStorageOptions options)
        : this(ConnectionMultiplexer.Connect(Checked(options)), ownsConnection: true, options, Checked(options))
    {
    }

    /// <summary>
    /// Uses an existing connection (one per process), which the storage does not close. Blocking
    /// waits run on a second connection that the storage opens with the same configuration.
    /// </summary>
    /// <remarks>
    /// The second connection copies <paramref name="connection"/>'s configuration string, which
    /// leaves out callbacks such as a TLS certificate check, and empty settings such as
    /// <c>configChannel=</c> and <c>tiebreaker=</c>. When the connection has any of those, use
    /// <see cref="RedisStorage(IConnectionMultiplexer, RedisStorageOptions)"/> and give them again:
    /// the same connection string, and the check in <see cref="RedisStorageOptions.ConfigureConnection"/>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="applicationName"/> is empty or contains a brace.</exception>
    public RedisStorage(IConnectionMultiplexer connection, string applicationName)
        : this(connection ?? throw new ArgumentNullException(nameof(connection)), ownsConnection: false,
               new RedisStorageOptions { ApplicationName = applicationName }, ConfigurationOptions.Parse(connection.Configuration))
    {
    }

    /// <summary>
    /// Uses an existing connection, which the storage does not close, with the application name of
    /// <paramref name="options"/>. When the options also name a connection, blocking waits use that
    /// configuration for their own connection; otherwise they copy <paramref name="connection"/>'s,
    /// changed by <see cref="RedisStorageOptions.ConfigureConnection"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RedisStorage(IConnectionMultiplexer connection, RedisStorageOptions options)
        : this(connection ?? throw new ArgumentNullException(nameof(connection)), ownsConnection: false,
               options ?? throw new ArgumentNullException(nameof(options)),
               options.ConnectionString is null && options.Configuration is null
                   ? options.Configured(ConfigurationOptions.Parse(connection.Configuration))
                   : options.BuildConfiguration())
    {
    }

    private RedisStorage(IConnectionMultiplexer connection, bool ownsConnection, RedisStorageOptions options, ConfigurationOptions configuration)
    {
        try
        {
            options.ValidateStorageSettings();
            keys = new RedisKeys(options.ApplicationName);
            partitions = new Dictionary<string, int>(options.Partitions, StringComparer.Ordinal);
            replicas = options.ReplicasToAcknowledge;
            replicaWaitMs = Math.Max(1, (long)options.ReplicaWaitTimeout.TotalMilliseconds);
        }
        catch when (ownsConnection)
        {
            connection.Dispose();
            throw;
        }
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        db = connection.GetDatabase();
        waiter = new QueueWaiter(configuration);
    }

    /// <summary>Connects as <paramref name="options"/> say; the storage owns the connection and closes it on dispose.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message says which and why).</exception>
    /// <remarks>Redis need not be up: unless the connection string says <c>abortConnect=true</c>, the connection keeps trying.</remarks>
    public static async Task<RedisStorage> ConnectAsync(RedisStorageOptions options, CancellationToken cancellationToken = default)
    {
        var configuration = Checked(options);
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new RedisStorage(multiplexer, ownsConnection: true, options, configuration);
    }

    /// <summary>The keys of this storage's application.</summary>
    internal RedisKeys Keys => keys;

    /// <summary>The connection commands go through.</summary>
    public IConnectionMultiplexer Connection => connection;

    /// <summary>How many takes are waiting on Redis now (for tests).</summary>
    internal int WaitingTakes => waiter.Count;

    /// <summary>Opens the connections that waiting takes on <paramref name="queues"/> block on, if not yet open (for tests).</summary>
    internal Task ConnectWaiterAsync(params string[] queues) => waiter.ConnectAsync([.. queues.SelectMany(q => PartitionsOf(q)).Select(q => q.Ready)]);

    private static ConfigurationOptions Checked(RedisStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateStorageSettings();
        return options.BuildConfiguration();
    }

    /// <inheritdoc />
    public async ValueTask<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken = default)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME").ConfigureAwait(false))!;
        long seconds = (long)time[0], micros = (long)time[1];
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * TimeSpan.TicksPerMicrosecond);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>RPUSH</c> without a send id or a priority; with either, one script that also sets the
    /// send's bit in a bitmap of the producer (one bit per send, kept for <see cref="SendId.RememberedFor"/>)
    /// or puts the message in its priority's list. On a partitioned queue, into the next partition in turn.
    /// </remarks>
    public async ValueTask EnqueueAsync(string queue, ReadOnlyMemory<byte> message, SendId send = default, int priority = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var target = NextPartition(queue);
        await RegisterAsync(target).ConfigureAwait(false);
        if (send.IsNone && priority == 0)
        {
            await db.ListRightPushAsync(target.Ready, RedisRecords.Entry(message.Span)).ConfigureAwait(false);
        }
        else
        {
            await db.ScriptEvaluateAsync(LuaScripts.Enqueue, EnqueueKeys(target, send), [priority, target.ReadyPrefix, send.IsNone ? 0 : Bit(send), SentTtl, RedisRecords.Entry(message.Span)])
                .ConfigureAwait(false);
        }
        await ReplicatedAsync(target.Ready).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One <c>RPUSH</c> with every message, or one script with them as in <see cref="EnqueueAsync"/>; all into one partition.</remarks>
    public async ValueTask EnqueueManyAsync(string queue, IReadOnlyList<ReadOnlyMemory<byte>> messages, SendId send = default, int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var target = NextPartition(queue);
        await RegisterAsync(target).ConfigureAwait(false);
        if (send.IsNone && priority == 0)
        {
            var entries = new RedisValue[messages.Count];
            for (int i = 0; i < entries.Length; i++) entries[i] = RedisRecords.Entry(messages[i].Span);
            await db.ListRightPushAsync(target.Ready, entries).ConfigureAwait(false);
            await ReplicatedAsync(target.Ready).ConfigureAwait(false);
            return;
        }
        var args = new RedisValue[messages.Count + 4];
        args[0] = priority;
        args[1] = target.ReadyPrefix;
        args[2] = send.IsNone ? 0 : Bit(send);
        args[3] = SentTtl;
        for (int i = 0; i < messages.Count; i++) args[i + 4] = RedisRecords.Entry(messages[i].Span);
        await db.ScriptEvaluateAsync(LuaScripts.Enqueue, EnqueueKeys(target, send), args).ConfigureAwait(false);
        await ReplicatedAsync(target.Ready).ConfigureAwait(false);
    }

    private static RedisKey[] EnqueueKeys(QueueKeys target, SendId send)
        => send.IsNone ? [target.Ready, target.Priorities, target.Marked] : [target.Ready, target.Priorities, target.Marked, target.Sent(send.Producer!, send.Sequence)];

    /// <inheritdoc />
    /// <remarks>One script call on the queue's schedule (on a partitioned queue, the next partition's).</remarks>
    public async ValueTask ScheduleAsync(string queue, ReadOnlyMemory<byte> message, DateTimeOffset eta, SendId send = default, int priority = 0,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var target = NextPartition(queue);
        await RegisterAsync(target).ConfigureAwait(false);
        RedisKey[] scriptKeys = send.IsNone ? [target.Schedule, target.Sequence] : [target.Schedule, target.Sequence, target.Sent(send.Producer!, send.Sequence)];
        await db.ScriptEvaluateAsync(LuaScripts.Schedule, scriptKeys,
            [eta.ToUnixTimeMilliseconds(), priority, message, send.IsNone ? 0 : Bit(send), SentTtl]).ConfigureAwait(false);
        await ReplicatedAsync(target.Schedule).ConfigureAwait(false);
    }

    /// <summary>
    /// With <see cref="RedisStorageOptions.ReplicasToAcknowledge"/>, waits until that many replicas of
    /// the primary holding <paramref name="written"/> have everything sent to it so far (<c>WAIT</c> on
    /// the connection the write went through).
    /// </summary>
    /// <exception cref="RedisReplicationTimeoutException">Fewer replicas had it in time.</exception>
    private async Task ReplicatedAsync(RedisKey written)
    {
        if (replicas == 0) return;
        var server = connection.GetServer(db.IdentifyEndpoint(written) ?? connection.GetEndPoints()[0]);
        long acknowledged = (long)await server.ExecuteAsync("WAIT", replicas, replicaWaitMs).ConfigureAwait(false);
        if (acknowledged < replicas) throw new RedisReplicationTimeoutException(replicas, acknowledged, TimeSpan.FromMilliseconds(replicaWaitMs));
    }

    private static readonly long SentTtl = RedisRecords.CeilingMs(SendId.RememberedFor);

    private static long Bit(SendId send)
    {
        if (send.Sequence <= 0) throw new ArgumentOutOfRangeException(nameof(send), send.Sequence, "a send's sequence starts at 1");
        if (send.Producer!.Length == 0 || send.Producer.Contains('{') || send.Producer.Contains('}'))
        {
            throw new ArgumentException("a send's producer must be a non-empty name without braces", nameof(send));
        }
        return send.Sequence % QueueKeys.SendsPerBitmap;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Connection failures and timeouts, and the replies of a server that cannot serve writes or
    /// reads for now: <c>LOADING</c> (a restart reading its data), <c>READONLY</c> and
    /// <c>MASTERDOWN</c> (a replica before or during a failover), <c>TRYAGAIN</c> and
    /// <c>CLUSTERDOWN</c> (a cluster moving slots or without a quorum).
    /// </remarks>
    public bool IsTransientFailure(Exception error) => error switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException e => e.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || e.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal),
        _ => false,
    };

    /// <inheritdoc />
    /// <remarks>
    /// Reads the registry of queues, then one script call per queue, pipelined (each moves up to
    /// <paramref name="limit"/>); what is due is decided by Redis <c>TIME</c>.
    /// </remarks>
    public async ValueTask<PromoteResult> PromoteDueAsync(int limit, CancellationToken cancellationToken = default)
    {
        var queues = await RegisteredQueuesAsync().ConfigureAwait(false);
        if (queues.Length == 0 || limit <= 0)
        {
            DateTimeOffset? soonest = null;
            foreach (var q in queues)
            {
                var first = await db.SortedSetRangeByRankWithScoresAsync(q.Schedule, 0, 0).ConfigureAwait(false);
                if (first.Length > 0 && (soonest is null || first[0].Score < soonest.Value.ToUnixTimeMilliseconds())) soonest = RedisRecords.FromUnixMs((long)first[0].Score);
            }
            return new PromoteResult(0, soonest, await GetTimeAsync(cancellationToken).ConfigureAwait(false));
        }
        var calls = new Task<RedisResult>[queues.Length];
        for (int i = 0; i < queues.Length; i++)
        {
            var q = queues[i];
            calls[i] = db.ScriptEvaluateAsync(LuaScripts.Promote, [q.Schedule, q.Ready, q.Priorities, q.Marked], [limit, q.ReadyPrefix]);
        }
        int moved = 0;
        DateTimeOffset? next = null;
        long now = 0;
        foreach (var call in calls)
        {
            var reply = (RedisResult[])(await call.ConfigureAwait(false))!;
            moved += (int)reply[0];
            if (!reply[1].IsNull)
            {
                var due = RedisRecords.FromUnixMs((long)(double)reply[1]);
                if (next is null || due < next) next = due;
            }
            now = Math.Max(now, (long)reply[2]);
        }
        return new PromoteResult(moved, next, RedisRecords.FromUnixMs(now));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        await waiter.DisposeAsync().ConfigureAwait(false);
        if (ownsConnection) await connection.DisposeAsync().ConfigureAwait(false);
    }
}
