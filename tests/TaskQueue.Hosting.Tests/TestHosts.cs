using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskQueue.Testing;

namespace TaskQueue.Hosting.Tests;

/// <summary>Generic hosts configured as an app would, from in-memory configuration.</summary>
internal static class TestHosts
{
    public static HostApplicationBuilder Builder(IDictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        return builder;
    }

    public static Dictionary<string, string?> OnRedis(RedisServerFixture redis) => new()
    {
        ["TaskQueue:Redis"] = redis.ConnectionString,
        ["TaskQueue:Application"] = RedisServerFixture.NewApplicationName(),
    };
}
