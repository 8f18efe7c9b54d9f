using StackExchange.Redis;
using TaskQueue.Redis;
using Xunit;

namespace TaskQueue.Testing;

/// <summary>
/// The Redis every test of the collection uses: the server named by <c>TASKQUEUE_REDIS</c> when it
/// is set (the repository's test script starts one), otherwise a private redis-server started here
/// and killed at the end. Tests never share keys: each makes a storage with a fresh application name.
/// </summary>
/// <remarks>A test project uses it through a collection definition of its own (xunit looks for those in the test assembly).</remarks>
public sealed class RedisServerFixture : IAsyncLifetime
{
    /// <summary>The environment variable naming an existing server (a StackExchange.Redis connection string).</summary>
    public const string EnvironmentVariable = "TASKQUEUE_REDIS";

    private RedisServerProcess? server;
    private ConnectionMultiplexer? connection;

    /// <summary>The connection string of the server.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>One shared connection (with admin commands allowed, for INFO, SCAN and SCRIPT FLUSH).</summary>
    public IConnectionMultiplexer Connection => connection ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>An application name no other test uses.</summary>
    public static string NewApplicationName() => "test-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A storage on the shared connection with a fresh application name.</summary>
    public RedisStorage CreateStorage() => new(Connection, NewApplicationName());

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        WidenThreadPool();
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            server = await RedisServerProcess.StartAsync();
            ConnectionString = server.ConnectionString;
        }
        else
        {
            ConnectionString = configured;
        }
        connection = await ConnectAdminAsync(ConnectionString);
    }

    /// <summary>
    /// The test host keeps some thread-pool threads blocked. On a small machine (2 cores, so a
    /// minimum of 2 threads) every await then waits for the pool to inject a thread, 0.5 to 1 s,
    /// which a latency test would blame on Redis. A plain process does not show it.
    /// </summary>
    internal static void WidenThreadPool()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
    }

    /// <summary>The fixtures' own connection: admin commands allowed, failing at once when nothing answers.</summary>
    internal static Task<ConnectionMultiplexer> ConnectAdminAsync(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AllowAdmin = true;
        options.AbortOnConnectFail = true;
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (connection is not null) await connection.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }
}
