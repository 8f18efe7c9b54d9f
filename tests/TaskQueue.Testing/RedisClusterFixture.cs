using StackExchange.Redis;
using TaskQueue.Redis;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>
/// The Redis Cluster every test of a collection uses: the cluster named by
/// <c>TASKQUEUE_REDIS_CLUSTER</c> (the repository's test script starts one with
/// <c>eng/redis-cluster.sh</c>). Without it the tests fail under CI (<c>CI=true</c>), so that a test
/// run cannot pass without having run them; elsewhere a private six-node cluster is started here
/// (<see cref="RedisClusterProcess"/>) and killed at the end, as <see cref="RedisServerFixture"/>
/// starts a private server. Tests never share keys: each makes a storage with a fresh application name.
/// </summary>
/// <remarks>
/// A test project uses it through a collection definition of its own. Tests that kill nodes start
/// a <see cref="RedisClusterProcess"/> of their own instead: this cluster is shared.
/// </remarks>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    /// <summary>The environment variable naming the cluster's nodes (a StackExchange.Redis connection string: <c>127.0.0.1:7000,127.0.0.1:7001,...</c>).</summary>
    public const string EnvironmentVariable = "TASKQUEUE_REDIS_CLUSTER";

    private RedisClusterProcess? cluster;
    private ConnectionMultiplexer? connection;

    /// <summary>Whether a missing cluster fails the tests: under CI (<c>CI=true</c>).</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string of the cluster (every node it was given).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>One shared connection to the cluster (with admin commands allowed, for INFO, SCAN and CLUSTER).</summary>
    public IConnectionMultiplexer Connection => connection ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>A storage on the shared connection with a fresh application name (<see cref="RedisServerFixture.NewApplicationName"/>).</summary>
    public RedisStorage CreateStorage() => new(Connection, RedisServerFixture.NewApplicationName());

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        RedisServerFixture.WidenThreadPool();
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (Required)
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set, and under CI (CI=true) the Redis Cluster tests must run: test.sh starts a cluster " +
                    $"with eng/redis-cluster.sh and sets it. To run them by hand: {EnvironmentVariable}=$(eng/redis-cluster.sh start /tmp/tq-cluster).");
            }
            cluster = await RedisClusterProcess.StartAsync();
            ConnectionString = cluster.ConnectionString;
        }
        else
        {
            ConnectionString = configured;
        }
        connection = await RedisServerFixture.ConnectAdminAsync(ConnectionString);
        if (connection.GetServers().FirstOrDefault(s => s.IsConnected)?.ServerType != ServerType.Cluster)
        {
            throw new InvalidOperationException($"{EnvironmentVariable}={ConnectionString} is not a Redis Cluster (cluster-enabled yes): the cluster tests would prove nothing on it.");
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        if (cluster is not null) await cluster.DisposeAsync();
    }
}
