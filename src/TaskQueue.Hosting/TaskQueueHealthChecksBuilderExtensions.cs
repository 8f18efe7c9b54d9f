using Microsoft.Extensions.Diagnostics.HealthChecks;
using TaskQueue;
using TaskQueue.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TaskQueue health check.</summary>
public static class TaskQueueHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the registered <see cref="TaskApp"/>: its storage answers (round-trip
    /// time in the data), this process's consumer writes its heartbeat in time, and dead letters stay
    /// under <see cref="TaskQueueHealthCheckOptions.DeadLetterThreshold"/> when one is set.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>taskqueue</c>.</param>
    /// <param name="configure">Sets the dead-letter threshold and the storage timeout.</param>
    /// <param name="failureStatus">What a failure reports; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    public static IHealthChecksBuilder AddTaskQueue(this IHealthChecksBuilder builder, string name = "taskqueue",
        Action<TaskQueueHealthCheckOptions>? configure = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TaskQueueHealthCheckOptions();
        configure?.Invoke(options);
        return builder.Add(new HealthCheckRegistration(name,
            provider => new TaskQueueHealthCheck(provider.GetRequiredService<TaskApp>(), provider, options),
            failureStatus, tags));
    }
}
