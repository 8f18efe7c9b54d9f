using StackExchange.Redis;
using TaskQueue.Redis;
using TaskQueue.Testing;

namespace TaskQueue.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class WorkerCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "worker processes";
}

/// <summary>One test's corner of Redis: its app, its producer, its probe keys, and worker processes started for it.</summary>
public sealed class Scenario : IAsyncDisposable
{
    private readonly List<WorkerProcess> workers = [];

    private Scenario(string redis, TaskApp app, IDatabase db, string application, string prefix)
    {
        Redis = redis;
        App = app;
        Db = db;
        Application = application;
        Prefix = prefix;
    }

    public string Redis { get; }
    public TaskApp App { get; }
    public IDatabase Db { get; }
    public string Application { get; }
    public string Prefix { get; }

    public static async Task<Scenario> CreateAsync(string redis, IConnectionMultiplexer connection)
    {
        var application = "w" + Guid.NewGuid().ToString("N")[..10];
        var storage = await RedisStorage.ConnectAsync(new RedisStorageOptions { ConnectionString = redis, ApplicationName = application });
        return new Scenario(redis, new TaskApp(storage), connection.GetDatabase(), application, "probe-" + application);
    }

    public string Key(string name) => $"{Prefix}:{name}";

    public async Task<WorkerProcess> StartWorkerAsync(params string[] extra)
    {
        var args = new List<string> { "--redis", Redis, "--app", Application, "--visibility-timeout", "3" };
        if (!extra.Contains("--grace")) args.AddRange(["--grace", "10"]);
        args.AddRange(extra);
        var worker = await WorkerProcess.StartAsync(args, new Dictionary<string, string>
        {
            ["TASKQUEUE_PROBE_REDIS"] = Redis,
            ["TASKQUEUE_PROBE_PREFIX"] = Prefix,
        });
        workers.Add(worker);
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in workers) await w.DisposeAsync();
        await App.Storage.FlushAsync();
        await App.DisposeAsync();
        // Every primary holds some probe keys on a cluster; a single server is its own primary.
        foreach (var server in Db.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: Prefix + ":*")) await Db.KeyDeleteAsync(key);
        }
    }
}
