using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace TaskQueue.Testing;

/// <summary>
/// A private Redis Cluster for tests: six <see cref="RedisServerProcess"/> nodes (three primaries,
/// three replicas) joined by <c>redis-cli --cluster create --cluster-replicas 1</c>, as
/// <c>eng/redis-cluster.sh</c> does for the shared cluster. Nodes notice a dead peer after a second
/// (<c>cluster-node-timeout 1000</c>), and a replica takes over however stale its copy is
/// (<c>cluster-replica-validity-factor 0</c>). A test can kill a node and read the cluster's view.
/// </summary>
/// <remarks>
/// Each node gets a free port of its own for the cluster bus (<c>cluster-port</c>, Redis 7.0 or
/// later): the default, the client port + 10000, is out of range for most ports the kernel hands out.
/// </remarks>
public sealed class RedisClusterProcess : IAsyncDisposable
{
    /// <summary>How many nodes the cluster has: three primaries, each with one replica.</summary>
    public const int NodeCount = 6;

    /// <summary>How many hash slots a Redis Cluster has.</summary>
    public const int SlotCount = 16384;

    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServerProcess> nodes;
    private readonly HashSet<int> killed = [];
    private ConnectionMultiplexer? admin;

    private RedisClusterProcess(List<RedisServerProcess> nodes) => this.nodes = nodes;

    /// <summary>The client ports of the six nodes, in the order they were started.</summary>
    public IReadOnlyList<int> Ports => [.. nodes.Select(n => n.Port)];

    /// <summary>A StackExchange.Redis connection string naming all six nodes.</summary>
    public string ConnectionString => string.Join(",", nodes.Select(n => $"127.0.0.1:{n.Port}"));

    /// <summary>A connection to every node, with admin commands allowed; for the cluster's view and commands such as <c>WAIT</c>.</summary>
    public IConnectionMultiplexer Connection => admin ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>
    /// Starts six nodes, joins them into a cluster and returns once every node says
    /// <c>cluster_state:ok</c> with all slots served and every replica has synchronized with its primary.
    /// </summary>
    /// <exception cref="InvalidOperationException">redis-server or redis-cli is not on PATH, or the cluster did not form (the message has redis-cli's output).</exception>
    public static async Task<RedisClusterProcess> StartAsync()
    {
        var redisCli = FindOnPath("redis-cli") ?? throw new InvalidOperationException(
            "redis-cli is not on PATH: the cluster tests need it to join their nodes into a cluster (apt-get install redis-tools).");
        var cluster = new RedisClusterProcess([]);
        try
        {
            for (int i = 0; i < NodeCount; i++) cluster.nodes.Add(await StartNodeAsync());
            await cluster.CreateAsync(redisCli);
            var options = ConfigurationOptions.Parse(cluster.ConnectionString);
            options.AllowAdmin = true;
            options.AbortOnConnectFail = true;
            cluster.admin = await ConnectionMultiplexer.ConnectAsync(options);
            try
            {
                await Eventually.UntilAsync(cluster.IsHealthyAsync, "the new cluster to be healthy", ReadyTimeout);
            }
            catch (TimeoutException e)
            {
                throw new InvalidOperationException($"{e.Message}: {cluster.Unhealthy}", e);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The hash slot of <paramref name="key"/> (its hash tag's, when it has one).</summary>
    public int SlotOf(string key) => Connection.HashSlot(key);

    /// <summary>
    /// The cluster's view, as a live node reports it (<c>CLUSTER NODES</c>): every node it knows,
    /// the killed ones too (flagged failing once the others noticed).
    /// </summary>
    public async Task<IReadOnlyList<RedisClusterNode>> NodesAsync()
    {
        Exception? last = null;
        foreach (var port in LivePorts())
        {
            try
            {
                return RedisClusterNode.ParseAll(Text(await Server(port).ExecuteAsync("CLUSTER", "NODES")));
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                last = e;
            }
        }
        throw new InvalidOperationException("No live node of the cluster answered CLUSTER NODES.", last);
    }

    /// <summary>The primary serving the slot of <paramref name="key"/>, in the cluster's view.</summary>
    /// <exception cref="InvalidOperationException">No node serves the slot (a failover is under way).</exception>
    public async Task<RedisClusterNode> PrimaryOfAsync(string key)
    {
        int slot = SlotOf(key);
        var all = await NodesAsync();
        return all.FirstOrDefault(n => n.IsPrimary && !n.IsFailing && n.Serves(slot))
            ?? throw new InvalidOperationException($"No node serves slot {slot} (of key {key}):\n{string.Join("\n", all)}");
    }

    /// <summary>Why <see cref="IsHealthyAsync"/> last said false, for failure messages.</summary>
    public string? Unhealthy { get; private set; }

    /// <summary>
    /// Whether every live node says <c>cluster_state:ok</c> with all 16384 slots served, and every
    /// live replica's link to its primary is up. Unreachable nodes make it false, not throw.
    /// </summary>
    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            foreach (var port in LivePorts())
            {
                var info = Fields(Text(await Server(port).ExecuteAsync("CLUSTER", "INFO")));
                if (info.GetValueOrDefault("cluster_state") != "ok"
                    || info.GetValueOrDefault("cluster_slots_ok") != SlotCount.ToString(CultureInfo.InvariantCulture))
                {
                    Unhealthy = $"127.0.0.1:{port} says cluster_state:{info.GetValueOrDefault("cluster_state")}, cluster_slots_ok:{info.GetValueOrDefault("cluster_slots_ok")}";
                    return false;
                }
                var replication = Fields(Text(await Server(port).ExecuteAsync("INFO", "replication")));
                if (replication.GetValueOrDefault("role") == "slave" && replication.GetValueOrDefault("master_link_status") != "up")
                {
                    Unhealthy = $"the replica 127.0.0.1:{port} says master_link_status:{replication.GetValueOrDefault("master_link_status")}";
                    return false;
                }
            }
            Unhealthy = null;
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Unhealthy = e.Message;
            return false;
        }
    }

    /// <summary>Kills <paramref name="node"/> with SIGKILL, as a crash would: it writes nothing and tells no one.</summary>
    public async Task KillAsync(RedisClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var process = nodes.FirstOrDefault(n => n.Port == node.Port) ?? throw new ArgumentException($"{node.Endpoint} is not a node of this cluster.", nameof(node));
        killed.Add(node.Port);
        await process.KillAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (admin is not null) await admin.DisposeAsync();
        foreach (var node in nodes) await node.DisposeAsync();
    }

    private static async Task<RedisServerProcess> StartNodeAsync()
    {
        // RedisServerProcess tries other client ports when one is taken; a taken bus port needs a new one here.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await RedisServerProcess.StartAsync(
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", RedisServerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
                    "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                    "--repl-diskless-sync-delay", "0");
            }
            catch (InvalidOperationException) when (attempt < 3 && RedisServerProcess.FindExecutable() is not null)
            {
            }
        }
    }

    private async Task CreateAsync(string redisCli)
    {
        var start = new ProcessStartInfo(redisCli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--cluster");
        start.ArgumentList.Add("create");
        foreach (var node in nodes) start.ArgumentList.Add($"127.0.0.1:{node.Port}");
        foreach (var arg in new[] { "--cluster-replicas", "1", "--cluster-yes" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {redisCli}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CreateTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new InvalidOperationException($"redis-cli --cluster create did not finish within {CreateTimeout.TotalSeconds} s.");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed (exit code {process.ExitCode}):\n{await output}\n{await errors}");
        }
    }

    private IEnumerable<int> LivePorts() => nodes.Select(n => n.Port).Where(p => !killed.Contains(p));

    private IServer Server(int port) => Connection.GetServer("127.0.0.1", port);

    /// <summary>A text reply; over RESP3 it comes as a verbatim string, whose <c>txt:</c> format prefix is dropped.</summary>
    private static string Text(RedisResult reply)
    {
        var text = (string?)reply ?? "";
        return text.StartsWith("txt:", StringComparison.Ordinal) ? text[4..] : text;
    }

    /// <summary>The <c>name:value</c> lines of an INFO-style reply.</summary>
    private static Dictionary<string, string> Fields(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) fields[line[..colon]] = line[(colon + 1)..];
        }
        return fields;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? name + ".exe" : name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
