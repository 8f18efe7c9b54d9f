using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskQueue.Testing;

namespace TaskQueue.Dashboard.Tests.Browser;

/// <summary>
/// A real app for the browser: Kestrel on a free loopback port (and, when asked, on a non-loopback
/// address of this machine), the dashboard, and a hosted worker (a real consumer) on Redis under an
/// application name of its own. Its worker serves the default and mail queues, not reports.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication web;

    private DashboardServer(WebApplication web, Uri loopback, Uri? external)
    {
        this.web = web;
        Loopback = loopback;
        External = external;
        App = web.Services.GetRequiredService<TaskApp>();
    }

    public TaskApp App { get; }

    /// <summary>The dashboard through 127.0.0.1.</summary>
    public Uri Loopback { get; }

    /// <summary>The dashboard through the non-loopback address it was asked to listen on.</summary>
    public Uri? External { get; }

    public string Url(string path) => new Uri(Loopback, path).ToString();

    /// <summary>
    /// Starts the app. <paramref name="beforeWorker"/> runs once the app exists and before the host
    /// (and so the worker) starts, to prepare what no worker may take first.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(RedisServerFixture redis, Func<TaskApp, Task>? beforeWorker = null, IPAddress? external = null,
        bool forwardedHeaders = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            if (external is not null) kestrel.Listen(external, 0);
        });
        builder.Services.AddTaskQueue(o =>
        {
            o.UseRedis(redis.ConnectionString);
            o.Application = RedisServerFixture.NewApplicationName();
        });
        builder.Services.AddTaskQueueWorker(o =>
        {
            o.Workers = 2;
            o.Queues = [TaskDescriptor.DefaultQueue, "mail"];
            o.VisibilityTimeout = TimeSpan.FromSeconds(3);
            o.ShutdownGrace = TimeSpan.FromSeconds(2);
        });
        var web = builder.Build();
        if (forwardedHeaders) web.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
        web.MapTaskQueueDashboard("/taskqueue", o => o.PollingInterval = TimeSpan.FromMilliseconds(500));
        if (beforeWorker is not null) await beforeWorker(web.Services.GetRequiredService<TaskApp>());
        await web.StartAsync();

        var addresses = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        var loopback = addresses.Single(a => a.Host == "127.0.0.1");
        var outside = external is null ? null : addresses.Single(a => a.Host == external.ToString());
        return new DashboardServer(web, loopback, outside);
    }

    /// <summary>An IPv4 address of this machine that is not loopback (eth0's, say), or null when it has none.</summary>
    public static IPAddress? NonLoopbackAddress() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    public async ValueTask DisposeAsync()
    {
        await web.StopAsync();
        await web.DisposeAsync();
    }
}
