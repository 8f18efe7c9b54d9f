using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TaskQueue;
using TaskQueue.Dashboard;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the TaskQueue dashboard in an ASP.NET Core app.</summary>
public static class TaskQueueDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard of the app's <see cref="TaskApp"/> (registered by <c>AddTaskQueue</c>) under
    /// <paramref name="pattern"/>: an overview of the queues with their counters and a chart of the
    /// last hour, the workers and what they run, tasks (revoke and restore), pending and scheduled
    /// messages with their arguments, failures with their stack traces, dead letters (requeue and
    /// delete), periodic tasks (pause and resume) and recurring records (enable, disable, delete, run
    /// now). Open pages refresh themselves every <see cref="TaskQueueDashboardOptions.PollingInterval"/>.
    /// </summary>
    /// <remarks>
    /// Secure by default: a request that does not come from loopback must satisfy
    /// <see cref="TaskQueueDashboardOptions.AuthorizationPolicy"/> and is refused (403) when none is
    /// set. Actions are form posts that carry a per-session token and must come from the same origin.
    /// Every response carries a Content-Security-Policy that allows only the dashboard's own script and
    /// stylesheet, which are embedded in this assembly.
    /// </remarks>
    /// <param name="endpoints">The app (or any endpoint route builder).</param>
    /// <param name="pattern">Where the dashboard lives: a path without route parameters. Default <c>/taskqueue</c>.</param>
    /// <param name="configure">Changes the <see cref="TaskQueueDashboardOptions"/>; read once, here.</param>
    /// <returns>The dashboard's route group, for more conventions (<c>.RequireHost(...)</c>, rate limiting).</returns>
    /// <exception cref="InvalidOperationException">No <see cref="TaskApp"/> is registered, or a policy is named and authorization is not.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddTaskQueue();
    /// var app = builder.Build();
    /// app.MapTaskQueueDashboard("/taskqueue");
    /// </code>
    /// </example>
    public static RouteGroupBuilder MapTaskQueueDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/taskqueue",
        Action<TaskQueueDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.AsSpan().IndexOfAny("{}?#") >= 0)
        {
            throw new ArgumentException($"The dashboard's pattern must be a plain path, without route parameters: '{pattern}'.", nameof(pattern));
        }
        var options = new TaskQueueDashboardOptions();
        configure?.Invoke(options);
        options.Validate();
        var registered = endpoints.ServiceProvider.GetService<IServiceProviderIsService>();
        if (registered is not null && !registered.IsService(typeof(TaskApp)))
        {
            throw new InvalidOperationException("The TaskQueue dashboard shows the app's TaskApp, and none is registered: call builder.Services.AddTaskQueue() first.");
        }
        if (options.AuthorizationPolicy is not null && endpoints.ServiceProvider.GetService<IPolicyEvaluator>() is null)
        {
            throw new InvalidOperationException(
                $"The TaskQueue dashboard requires the authorization policy '{options.AuthorizationPolicy}', and authorization is not registered: call builder.Services.AddAuthorization(...).");
        }
        var trimmed = pattern.Trim('/');
        var prefix = trimmed.Length == 0 ? "" : "/" + trimmed;
        var group = endpoints.MapGroup(prefix.Length == 0 ? "/" : prefix);
        group.ExcludeFromDescription();
        DashboardEndpoints.Map(group, DashboardSettings.From(prefix, options));
        return group;
    }
}
