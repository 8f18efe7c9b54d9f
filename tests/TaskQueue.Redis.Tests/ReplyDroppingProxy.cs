using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TaskQueue.Redis.Tests;

/// <summary>
/// A TCP proxy in front of a Redis server that can lose one reply: once armed with a marker, the first
/// request that carries it is forwarded (Redis runs it), and the connection is cut when the reply
/// comes back, before the client sees it: a call whose outcome the client cannot know.
/// </summary>
internal sealed class ReplyDroppingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int serverPort;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> sockets = [];
    private byte[]? marker;
    private int dropped;

    public ReplyDroppingProxy(int serverPort)
    {
        this.serverPort = serverPort;
        listener.Start();
        _ = AcceptAsync();
    }

    public string ConnectionString => $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>How many replies were lost.</summary>
    public int Dropped => Volatile.Read(ref dropped);

    /// <summary>Loses the reply to the next request that contains <paramref name="text"/>.</summary>
    public void LoseReplyTo(string text) => Volatile.Write(ref marker, Encoding.UTF8.GetBytes(text));

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, serverPort);
            lock (sockets) sockets.AddRange([client, server]);
            var cut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = PumpAsync(client, server, cut, toServer: true);
            _ = PumpAsync(server, client, cut, toServer: false);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, TaskCompletionSource armed, bool toServer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                int n = await input.ReadAsync(buffer, stop.Token);
                if (n == 0) break;
                if (toServer && Volatile.Read(ref marker) is { } m && buffer.AsSpan(0, n).IndexOf(m) >= 0
                    && Interlocked.CompareExchange(ref marker, null, m) == m)
                {
                    armed.TrySetResult(); // the reply to this request is lost
                }
                else if (!toServer && armed.Task.IsCompleted)
                {
                    Interlocked.Increment(ref dropped);
                    break;
                }
                await output.WriteAsync(buffer.AsMemory(0, n), stop.Token);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested || true)
        {
            // A cut connection ends both pumps.
        }
        from.Close();
        to.Close();
    }

    public ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        lock (sockets) foreach (var s in sockets) s.Dispose();
        stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
