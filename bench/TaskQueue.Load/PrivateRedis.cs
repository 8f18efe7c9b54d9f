using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TaskQueue.Load;

/// <summary>A redis-server on a free loopback port, for runs without --redis.</summary>
internal sealed class PrivateRedis : IAsyncDisposable
{
    private readonly Process process;
    private readonly string directory;

    private PrivateRedis(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Endpoint = $"127.0.0.1:{port}";
    }

    public string Endpoint { get; }

    public static async Task<PrivateRedis> StartAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var dir = Directory.CreateTempSubdirectory("taskqueue-load-").FullName;
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no" })
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        process.BeginOutputReadLine();
        ChildProcesses.Add(process, dir);
        var redis = new PrivateRedis(process, dir, port);
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return redis;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("redis-server did not start listening");
    }

    public async ValueTask DisposeAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
        ChildProcesses.Remove(process);
        Directory.Delete(directory, recursive: true);
    }
}
