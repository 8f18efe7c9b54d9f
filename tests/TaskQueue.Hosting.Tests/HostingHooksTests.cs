using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskQueue.Testing;

namespace TaskQueue.Hosting.Tests;

/// <summary>The app's hooks registered through the host's options, with the container's services.</summary>
[Collection(HostingCollection.Name)]
public sealed class HostingHooksTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>A singleton the hooks take from the container.</summary>
    public sealed class HookLog
    {
        public ConcurrentQueue<string> Lines { get; } = new();
    }

    [Fact]
    public async Task ConfigureHooks_registers_the_app_s_hooks_with_the_container_s_services()
    {
        var builder = TestHosts.Builder(TestHosts.OnRedis(redis));
        builder.Services.AddScoped<Greeter>();
        builder.Services.AddSingleton<HookLog>();
        builder.Services.AddTaskQueue(o => o.ConfigureHooks = (hooks, services) =>
        {
            var log = services.GetRequiredService<HookLog>();
            hooks.PreExecute((context, _) =>
            {
                log.Lines.Enqueue($"pre {context.TaskName} {context.Services?.GetService<Greeter>() is not null}");
                return ValueTask.CompletedTask;
            });
            hooks.OnStartup((worker, _) =>
            {
                log.Lines.Enqueue($"startup {worker.Worker}");
                return ValueTask.CompletedTask;
            });
        });
        builder.Services.AddTaskQueueWorker(o => o.Workers = 1);
        using var host = builder.Build();
        await host.StartAsync();

        var app = host.Services.GetRequiredService<TaskApp>();
        var hello = await Hello.With(app).EnqueueAsync("hooks");
        Assert.Equal("hello hooks", await hello.GetAsync(timeout: Wait));
        await host.StopAsync();

        Assert.Equal(["startup 0", $"pre {Hello.Name} True"], host.Services.GetRequiredService<HookLog>().Lines);
    }
}
