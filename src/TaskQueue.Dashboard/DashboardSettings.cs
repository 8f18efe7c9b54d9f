namespace TaskQueue.Dashboard;

/// <summary>
/// The options of one mapped dashboard (<see cref="TaskQueueDashboardOptions"/>), copied when it was
/// mapped, and its route prefix: "" or "/name", without a trailing slash.
/// </summary>
internal sealed record DashboardSettings(string Prefix, string Title, string? Policy, bool AllowLoopback, TimeSpan Polling, bool ReadOnly, int PageSize)
{
    public static DashboardSettings From(string prefix, TaskQueueDashboardOptions options)
        => new(prefix, options.Title, options.AuthorizationPolicy, options.AllowLoopbackWithoutAuthorization, options.PollingInterval, options.ReadOnly,
            options.PageSize);
}
