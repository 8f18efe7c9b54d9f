using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace TaskQueue.Testing;

/// <summary>
/// A private redis-server for tests: a free loopback port, its own temporary directory, no
/// persistence. Started with <see cref="StartAsync"/> (or <see cref="StartWithTlsAsync"/>, TLS
/// only), it answers PING before the call returns; it can be stopped and started again on the same
/// port to play a Redis restart.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly string executable;
    private readonly string directory;
    private readonly string[] extraArguments;
    private readonly TestCertificateAuthority? tls;
    private Process? process;
    private Exception? lastProbeError;

    private RedisServerProcess(string executable, int port, TestCertificateAuthority? tls, string[] extraArguments)
    {
        this.executable = executable;
        this.extraArguments = extraArguments;
        this.tls = tls;
        Port = port;
        directory = Directory.CreateTempSubdirectory("taskqueue-redis-").FullName;
    }

    /// <summary>The port it listens on (127.0.0.1 only); with TLS, its only port, which speaks TLS.</summary>
    public int Port { get; }

    /// <summary>
    /// A StackExchange.Redis connection string for it. With TLS it says <c>ssl=true</c>; the
    /// certificate check (<see cref="TestCertificateAuthority.ValidateServerCertificate"/>) cannot be
    /// said in a string and is the caller's to add.
    /// </summary>
    public string ConnectionString => tls is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},ssl=true";

    /// <summary>The redis-server on PATH, or null.</summary>
    public static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Starts a server on a free port; fails with a clear message when redis-server is not on PATH.
    /// <paramref name="extraArguments"/> go last on its command line (for example <c>--appendonly yes</c>).
    /// </summary>
    public static Task<RedisServerProcess> StartAsync(params string[] extraArguments) => StartOnFreePortAsync(null, extraArguments);

    /// <summary>
    /// Starts a server that speaks TLS only (<c>--port 0 --tls-port</c>), with the server certificate
    /// of <paramref name="authority"/>, and no client certificates asked for. Its readiness is checked
    /// over TLS, trusting that authority only.
    /// </summary>
    public static Task<RedisServerProcess> StartWithTlsAsync(TestCertificateAuthority authority, params string[] extraArguments)
        => StartOnFreePortAsync(authority ?? throw new ArgumentNullException(nameof(authority)), extraArguments);

    private static async Task<RedisServerProcess> StartOnFreePortAsync(TestCertificateAuthority? tls, string[] extraArguments)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RedisServerFixture.EnvironmentVariable))
                ? "redis-server is not on PATH and TASKQUEUE_REDIS is not set: install Redis (apt-get install redis-server) " +
                  "or point TASKQUEUE_REDIS at a server (for example 127.0.0.1:6379). The Redis tests cannot run without one."
                : "redis-server is not on PATH: this test starts a server of its own (to restart it, or with an ACL or TLS " +
                  "configuration), which TASKQUEUE_REDIS cannot stand in for. Install Redis (apt-get install redis-server).");
        Exception? last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var server = new RedisServerProcess(executable, FreePort(), tls, extraArguments);
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                // Another process may have taken the port between the probe and the start.
                last = e;
                await server.DisposeAsync();
            }
        }
        throw new InvalidOperationException($"Could not start redis-server ({executable}): {last?.Message}", last);
    }

    /// <summary>Starts the server (again) on the same port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (process is { HasExited: false }) throw new InvalidOperationException("redis-server is already running.");
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] listen = tls is null
            ? ["--port", port]
            : ["--port", "0", "--tls-port", port, "--tls-cert-file", tls.ServerCertificateFile, "--tls-key-file", tls.ServerKeyFile,
               "--tls-ca-cert-file", tls.CertificateFile, "--tls-auth-clients", "no"];
        foreach (var arg in listen) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, "--logfile", Path.Combine(directory, "redis.log") })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var arg in extraArguments) start.ArgumentList.Add(arg);
        process = Process.Start(start) ?? throw new IOException($"Could not start {executable}.");
        var clock = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (process.HasExited) throw new IOException($"redis-server exited with code {process.ExitCode}: {Log()}");
            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"redis-server did not answer PING within {StartTimeout.TotalSeconds} s ({lastProbeError?.Message}): {Log()}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Stops the server as an operator would: SHUTDOWN, which writes its append-only file first.</summary>
    public async Task ShutdownAsync()
    {
        if (process is null || process.HasExited) return;
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            using var client = new TcpClient();
            await using var stream = await OpenAsync(client, timeout.Token);
            await stream.WriteAsync("SHUTDOWN\r\n"u8.ToArray(), timeout.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            // It is going away, which is what was asked.
        }
        await process.WaitForExitAsync().WaitAsync(StartTimeout);
    }

    /// <summary>Kills the server at once, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A loopback port no one listens on now (the kernel's pick; another process may take it before it is used).</summary>
    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await using var stream = await OpenAsync(client, timeout.Token);
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            int read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            lastProbeError = e;
            return false;
        }
    }

    /// <summary>A connection to the server as the default user: plain, or TLS trusting the test authority only.</summary>
    private async Task<Stream> OpenAsync(TcpClient client, CancellationToken cancellationToken)
    {
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        if (tls is null) return client.GetStream();
        var stream = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = IPAddress.Loopback.ToString(),
                RemoteCertificateValidationCallback = tls.ValidateServerCertificate,
            }, cancellationToken);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private string Log()
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, "redis.log"));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
