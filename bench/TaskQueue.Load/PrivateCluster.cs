using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskQueue.Load;

/// <summary>
/// A Redis Cluster of <see cref="Shards"/> primaries and no replicas on free loopback ports, for the
/// cluster rows. The steps of <c>eng/redis-cluster.sh</c> (cluster-enabled nodes without persistence,
/// a bus port of their own), but joined by hand rather than by <c>redis-cli --cluster create</c>,
/// which refuses fewer than three primaries: each node takes an equal range of the 16384 slots
/// (<c>CLUSTER ADDSLOTSRANGE</c>) and a config epoch of its own, the first node meets the others, and
/// the cluster is ready when every node says <c>cluster_state:ok</c> with all slots assigned and knows
/// every node. One shard is a cluster-enabled redis-server holding all 16384 slots, so that one and
/// three shards compare cluster with cluster.
/// </summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly string directory;
    private readonly List<(Process Process, int Port, int Bus)> nodes = [];

    private PrivateCluster(string directory) => this.directory = directory;

    /// <summary>How many primaries (shards).</summary>
    public int Shards => nodes.Count;

    /// <summary>The primaries' client ports, shard 0 first (shard <c>i</c> holds the <c>i</c>-th range of slots).</summary>
    public IReadOnlyList<int> Ports => nodes.ConvertAll(n => n.Port);

    /// <summary>The primaries as a StackExchange.Redis connection string: <c>127.0.0.1:p1,127.0.0.1:p2,…</c>.</summary>
    public string Endpoints => string.Join(',', nodes.Select(n => $"127.0.0.1:{n.Port}"));

    public static async Task<PrivateCluster> StartAsync(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        var cluster = new PrivateCluster(Directory.CreateTempSubdirectory("taskqueue-load-cluster-").FullName);
        try
        {
            for (int i = 0; i < shards; i++) await cluster.StartNodeAsync(i);
            for (int i = 0; i < shards; i++)
            {
                int first = i * 16384 / shards, last = (i + 1) * 16384 / shards - 1;
                await ExpectOkAsync(cluster.nodes[i].Port, "CLUSTER", "ADDSLOTSRANGE", Text(first), Text(last));
                await ExpectOkAsync(cluster.nodes[i].Port, "CLUSTER", "SET-CONFIG-EPOCH", Text(i + 1));
            }
            for (int i = 1; i < shards; i++)
            {
                await ExpectOkAsync(cluster.nodes[0].Port, "CLUSTER", "MEET", "127.0.0.1", Text(cluster.nodes[i].Port), Text(cluster.nodes[i].Bus));
            }
            await cluster.WaitReadyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodeAsync(int index)
    {
        var dir = Path.Combine(directory, $"node-{index + 1}");
        for (int attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(dir);
            int port = FreePort(), bus = FreePort();
            if (port == bus) continue;
            var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (var a in new[]
                     {
                         "--port", Text(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
                         "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", Text(bus),
                         "--cluster-node-timeout", "5000", "--logfile", "redis.log",
                     })
            {
                info.ArgumentList.Add(a);
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
            process.BeginOutputReadLine();
            ChildProcesses.Add(process, directory);
            if (await ListeningAsync(process, port))
            {
                nodes.Add((process, port, bus));
                return;
            }
            await StopAsync(process);
            // A port another process took before the node bound it: try again on new ports.
            if (attempt == 5)
            {
                var log = Path.Combine(dir, "redis.log");
                throw new InvalidOperationException($"cluster node {index + 1} did not start; its log:\n" + (File.Exists(log) ? File.ReadAllText(log) : "(none)"));
            }
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<bool> ListeningAsync(Process process, int port)
    {
        for (int i = 0; i < 100 && !process.HasExited; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        return false;
    }

    private async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < ReadyTimeout)
        {
            bool ready = true;
            foreach (var (_, port, _) in nodes)
            {
                last = await CliAsync(port, "CLUSTER", "INFO");
                var lines = last.Split('\n', StringSplitOptions.TrimEntries);
                if (!lines.Contains("cluster_state:ok") || !lines.Contains("cluster_slots_assigned:16384")
                    || !lines.Contains("cluster_slots_ok:16384") || !lines.Contains($"cluster_known_nodes:{nodes.Count}"))
                {
                    ready = false;
                    break;
                }
            }
            if (ready) return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"the {nodes.Count}-node cluster was not ready within {ReadyTimeout.TotalSeconds} s; a node said:\n{last}");
    }

    private static async Task ExpectOkAsync(int port, params string[] command)
    {
        var reply = (await CliAsync(port, command)).Trim();
        if (reply != "OK") throw new InvalidOperationException($"redis-cli -p {port} {string.Join(' ', command)}: {reply}");
    }

    /// <summary>Runs one command through redis-cli (as eng/redis-cluster.sh does) and returns what it printed.</summary>
    private static async Task<string> CliAsync(int port, params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(Text(port));
        foreach (var a in command) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new InvalidOperationException($"redis-cli -p {port} {string.Join(' ', command)} did not answer within 10 s");
        }
        return await output + await error;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        ChildProcesses.Remove(process);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, _, _) in nodes) await StopAsync(process);
        nodes.Clear();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temporary directory.
        }
    }
}
