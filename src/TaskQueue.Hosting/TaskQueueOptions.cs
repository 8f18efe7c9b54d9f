using TaskQueue.Redis;
using TaskQueue.Storage;

namespace TaskQueue.Hosting;

/// <summary>
/// How <c>services.AddTaskQueue(...)</c> builds the app: its storage and result settings. Bound from
/// the <c>TaskQueue</c> configuration section first (keys named as the properties:
/// <c>TaskQueue:Redis</c>, <c>TaskQueue:Application</c>, <c>TaskQueue:ResultTtl</c>, ...), then changed by
/// the delegate given to <c>AddTaskQueue</c>; checked when the host starts.
/// </summary>
/// <example>
/// <code>
/// services.AddTaskQueue(options => options.UseRedis("localhost:6379"));
/// // or in appsettings.json: { "TaskQueue": { "Redis": "localhost:6379", "Application": "shop" } }
/// </code>
/// </example>
public sealed class TaskQueueOptions
{
    /// <summary>The configuration section the options are read from: <c>TaskQueue</c>.</summary>
    public const string SectionName = "TaskQueue";

    /// <summary>
    /// A StackExchange.Redis connection string: tasks live in Redis. Null (the default, unless
    /// <see cref="StorageFactory"/> is set) keeps them in this process's memory, as
    /// <see cref="UseInMemory"/> says.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>The application name: the namespace of the app's keys in Redis. Producers and workers must agree. Default <c>default</c>.</summary>
    public string Application { get; set; } = "default";

    /// <summary>
    /// Redis only: queues split into partitions, queue name → number of partitions (see
    /// <see cref="RedisStorageOptions.Partitions"/>): on Redis Cluster, one queue's traffic spreads
    /// over as many slots. Give producers and workers the same. Configuration:
    /// <c>TaskQueue:Partitions:&lt;queue&gt;</c> = <c>N</c>.
    /// </summary>
    public IDictionary<string, int> Partitions { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>A storage made by the caller instead of Redis or memory; the container disposes it.</summary>
    public Func<IServiceProvider, ITaskStorage>? StorageFactory { get; set; }

    /// <summary>Configures the Redis storage further (its <see cref="RedisStorageOptions"/>) after the connection string is set.</summary>
    public Action<RedisStorageOptions>? ConfigureRedis { get; set; }

    /// <summary>Whether results are stored (huey's <c>result_store</c>). Default true.</summary>
    public bool StoreResults { get; set; } = true;

    /// <summary>Whether a task that returns nothing stores a completion marker (huey's <c>store_none</c>). Default false.</summary>
    public bool StoreNone { get; set; }

    /// <summary>Whether a task that fails for good stores its error. Default true.</summary>
    public bool StoreErrors { get; set; } = true;

    /// <summary>How long results are kept; null keeps them until read. Default 7 days.</summary>
    public TimeSpan? ResultTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// The largest encoded message in bytes that the app sends or runs (<see cref="TaskApp.MaxMessageSize"/>):
    /// producers and workers should agree. At least 1024. Default 16 MiB.
    /// </summary>
    public int MaxMessageSize { get; set; } = TaskApp.DefaultMaxMessageSize;

    /// <summary>
    /// How long client calls retry a storage that fails with a passing failure before they throw
    /// (<see cref="TaskApp.StorageRetryTime"/>). Not negative. Default 10 s.
    /// </summary>
    public TimeSpan StorageRetryTime { get; set; } = TaskApp.DefaultStorageRetryTime;

    /// <summary>
    /// Signs every message sent and checks every message run (<see cref="TaskApp.Signing"/>); null sends
    /// unsigned messages. From configuration: <c>TaskQueue:SigningKeys</c> = <c>id:base64</c> entries
    /// separated by commas, the current key first (for example from the environment variable
    /// <c>TaskQueue__SigningKeys</c>, kept out of appsettings.json).
    /// </summary>
    public Messages.MessageSigning? Signing { get; set; }

    /// <summary>
    /// Registers the app's hooks (<see cref="TaskApp.Hooks"/>: pre- and post-execute, worker startup and shutdown) when
    /// the app is built, with the container to take what they need from.
    /// </summary>
    /// <example><code>options.ConfigureHooks = (hooks, services) => hooks.PreExecute(services.GetRequiredService&lt;Gate&gt;().CheckAsync);</code></example>
    public Action<TaskHooks, IServiceProvider>? ConfigureHooks { get; set; }

    /// <summary>Runs tasks inline at enqueue (huey's <c>always_eager</c>), for tests. Default false.</summary>
    public bool Eager { get; set; }

    /// <summary>Keeps tasks in Redis.</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string such as <c>localhost:6379,password=...</c>.</param>
    /// <param name="configure">Further Redis settings, if any.</param>
    public TaskQueueOptions UseRedis(string connectionString, Action<RedisStorageOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Redis = connectionString;
        StorageFactory = null;
        ConfigureRedis = configure;
        return this;
    }

    /// <summary>Keeps tasks in this process's memory: for development, tests and single-process apps.</summary>
    public TaskQueueOptions UseInMemory()
    {
        Redis = null;
        StorageFactory = null;
        return this;
    }

    /// <summary>Keeps tasks in a storage of the caller's making (another backend, or a fake in tests).</summary>
    public TaskQueueOptions UseStorage(Func<IServiceProvider, ITaskStorage> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        StorageFactory = factory;
        Redis = null;
        return this;
    }

    /// <summary>Values from configuration that did not parse, each naming its key.</summary>
    internal List<string> ConfigurationErrors { get; } = [];

    /// <summary>The Redis storage options these settings describe.</summary>
    internal RedisStorageOptions RedisOptions()
    {
        var options = new RedisStorageOptions { ConnectionString = Redis, ApplicationName = Application };
        foreach (var (queue, count) in Partitions) options.Partitions[queue] = count;
        ConfigureRedis?.Invoke(options);
        return options;
    }
}
