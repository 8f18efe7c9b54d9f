using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;
using TaskQueue.Testing;

namespace TaskQueue.Worker.Tests;

/// <summary>A private redis-server on a free loopback port, in its own directory, that a test can stop and start again.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("taskqueue-redis-").FullName;
    private readonly string[] extra;
    private Process? process;

    private RedisServer(int port, string[] extra)
    {
        Port = port;
        this.extra = extra;
    }

    /// <summary>The port it listens on (the same across restarts).</summary>
    public int Port { get; }

    /// <summary>A connection string for it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server with extra redis-server arguments (for example "--appendonly", "yes").</summary>
    public static async Task<RedisServer> StartAsync(params string[] extra)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = new RedisServer(port, extra);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port and directory.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory, "--save", "" }) info.ArgumentList.Add(a);
        foreach (var a in extra) info.ArgumentList.Add(a);
        try
        {
            process = Process.Start(info);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed: run ./test.sh, which installs it, or apt-get install redis-server", e);
        }
        process!.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await using var c = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",connectTimeout=500");
                await c.GetDatabase().PingAsync();
                return true;
            }
            catch (RedisConnectionException)
            {
                return false;
            }
        }, $"redis-server on port {Port} to answer");
    }

    /// <summary>Stops the server the way an operator would (SHUTDOWN: it writes its append-only file and exits).</summary>
    public async Task StopAsync()
    {
        if (process is null) return;
        try
        {
            await using var c = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
            await c.GetDatabase().ExecuteAsync("SHUTDOWN");
        }
        catch (RedisConnectionException)
        {
            // SHUTDOWN closes the connection under us.
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        process = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
