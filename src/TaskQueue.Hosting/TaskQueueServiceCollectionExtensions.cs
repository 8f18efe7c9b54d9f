using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TaskQueue;
using TaskQueue.Hosting;
using TaskQueue.Redis;
using TaskQueue.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TaskQueue in a service collection: the app, its storage, and a hosted consumer.</summary>
public static class TaskQueueServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="TaskApp"/> (a singleton, also made <see cref="TaskApp.Default"/> when
    /// the host starts, so the generated stubs use it) and its <see cref="ITaskStorage"/>. Options
    /// come from the <c>TaskQueue</c> configuration section, then from <paramref name="configure"/>;
    /// they are checked when the host starts, and a bad one stops it with a message naming the option.
    /// Tasks get their <c>[FromServices]</c> parameters from this container, one scope per run.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddTaskQueue(options => options.UseRedis("localhost:6379"));
    /// builder.Services.AddTaskQueueWorker(options => options.Workers = 4);
    /// </code>
    /// </example>
    public static IServiceCollection AddTaskQueue(this IServiceCollection services, Action<TaskQueueOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(TaskQueueMarker)))
        {
            services.AddSingleton<TaskQueueMarker>();
            services.AddOptions<TaskQueueOptions>()
                .Configure<IServiceProvider>(static (options, provider) =>
                    ConfigurationReader.Read(provider.GetService<IConfiguration>(), options, options.ConfigurationErrors))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskQueueOptions>, TaskQueueOptionsValidator>());
            services.TryAddSingleton(CreateStorage);
            services.TryAddSingleton(CreateApp);
            // First of the hosted services, so that the ambient app is set before a consumer or a request uses a stub.
            services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TaskAppActivator>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Runs a consumer of the registered <see cref="TaskApp"/> as a hosted service (calling
    /// <see cref="AddTaskQueue"/> with its defaults if it was not called). Options come from the
    /// <c>TaskQueue:Worker</c> configuration section, then from <paramref name="configure"/>. When the
    /// host stops, running tasks get <see cref="TaskQueueWorkerOptions.ShutdownGrace"/>, cut to fit the
    /// host's shutdown timeout; what is left goes back to its queue.
    /// </summary>
    public static IServiceCollection AddTaskQueueWorker(this IServiceCollection services, Action<TaskQueueWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTaskQueue();
        if (!services.Any(d => d.ServiceType == typeof(TaskQueueWorkerService)))
        {
            services.AddOptions<TaskQueueWorkerOptions>()
                .Configure<IServiceProvider>(static (options, provider) =>
                    ConfigurationReader.Read(provider.GetService<IConfiguration>(), options, options.ConfigurationErrors))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskQueueWorkerOptions>, TaskQueueWorkerOptionsValidator>());
            services.AddSingleton<TaskQueueWorkerService>();
            services.AddHostedService(static provider => provider.GetRequiredService<TaskQueueWorkerService>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    private static ITaskStorage CreateStorage(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<TaskQueueOptions>>().Value;
        if (options.StorageFactory is { } factory) return factory(provider);
        if (options.Redis is null) return new MemoryStorage(provider.GetService<TimeProvider>() ?? TimeProvider.System);
        return new RedisStorage(options.RedisOptions());
    }

    private static TaskApp CreateApp(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<TaskQueueOptions>>().Value;
        var app = new TaskApp(provider.GetRequiredService<ITaskStorage>(), provider.GetService<TimeProvider>())
        {
            Name = options.Application,
            StoreResults = options.StoreResults,
            StoreNone = options.StoreNone,
            StoreErrors = options.StoreErrors,
            ResultTtl = options.ResultTtl,
            Eager = options.Eager,
            MaxMessageSize = options.MaxMessageSize,
            StorageRetryTime = options.StorageRetryTime,
            Signing = options.Signing,
            Services = provider,
        };
        options.ConfigureHooks?.Invoke(app.Hooks, provider);
        return app;
    }

    private sealed class TaskQueueMarker;
}
