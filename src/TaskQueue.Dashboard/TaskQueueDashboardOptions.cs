namespace TaskQueue.Dashboard;

/// <summary>
/// Settings of the dashboard that <c>MapTaskQueueDashboard</c> maps. They are read once, when the
/// dashboard is mapped.
/// </summary>
/// <remarks>
/// Who may see the dashboard: a request from this machine (a loopback address, and no proxy header
/// saying it is forwarded for someone else) is served when <see cref="AllowLoopbackWithoutAuthorization"/>
/// is true; any other request must satisfy <see cref="AuthorizationPolicy"/>, and is refused with 403
/// when no policy is named.
/// </remarks>
/// <example>
/// <code>
/// builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops")));
/// app.MapTaskQueueDashboard("/taskqueue", o => o.AuthorizationPolicy = "ops");
/// </code>
/// </example>
public sealed class TaskQueueDashboardOptions
{
    /// <summary>The name shown in the page header and title. Default <c>TaskQueue</c>.</summary>
    public string Title { get; set; } = "TaskQueue";

    /// <summary>
    /// The authorization policy (registered with <c>AddAuthorization</c>) that a request must satisfy
    /// unless it comes from loopback. Null (the default) refuses every request that does not.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>
    /// Whether requests from loopback are served without <see cref="AuthorizationPolicy"/>. Default
    /// true. A loopback request that carries <c>X-Forwarded-For</c>, <c>X-Real-IP</c> or
    /// <c>Forwarded</c> does not count: a reverse proxy on this machine sends those for its clients.
    /// </summary>
    public bool AllowLoopbackWithoutAuthorization { get; set; } = true;

    /// <summary>
    /// How often an open page refreshes what it shows (it asks the server again; nothing is pushed).
    /// Default 3 seconds; <see cref="TimeSpan.Zero"/> turns live updates off.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Whether the dashboard only shows: no buttons, and every action is refused with 403. Default false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>The most rows a list (pending, scheduled, dead letters, failures, recurring records) shows. Default 100.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Throws when a setting is out of range; the message names it.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Title)) throw new ArgumentException("TaskQueueDashboardOptions.Title must not be empty.");
        if (AuthorizationPolicy is { Length: 0 }) throw new ArgumentException("TaskQueueDashboardOptions.AuthorizationPolicy must be a policy name or null.");
        if (PollingInterval < TimeSpan.Zero || (PollingInterval > TimeSpan.Zero && PollingInterval < TimeSpan.FromMilliseconds(250)))
        {
            throw new ArgumentException($"TaskQueueDashboardOptions.PollingInterval must be zero (no live updates) or at least 250 ms, not {PollingInterval}.");
        }
        if (PageSize is < 1 or > 10_000) throw new ArgumentException($"TaskQueueDashboardOptions.PageSize must be between 1 and 10000, not {PageSize}.");
    }
}
