using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskQueue.Dashboard.Pages;
using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard;

/// <summary>The dashboard's routes: the pages (GET), their assets, and the actions (POST).</summary>
internal static partial class DashboardEndpoints
{
    /// <summary>The header the page script sends when it asks for the live region only.</summary>
    public const string LiveHeader = "X-TaskQueue-Live";

    public static void Map(RouteGroupBuilder group, DashboardSettings settings)
    {
        void Get(string path, string section, Func<DashboardContext, Task<Page>> render) => group.MapGet(path, PageEndpoint(settings, section, render));

        Get("/", "overview", OverviewPage.RenderAsync);
        Get("/workers", "workers", WorkersPage.RenderAsync);
        Get("/tasks", "tasks", TasksPage.RenderAsync);
        Get("/queues/{queue}", "overview", QueuePage.RenderAsync);
        Get("/scheduled", "scheduled", ScheduledPage.RenderAsync);
        Get("/failures", "failures", FailuresPage.RenderAsync);
        Get("/dead-letters", "dead-letters", DeadLettersPage.RenderAsync);
        Get("/periodic", "periodic", PeriodicPage.RenderAsync);
        Get("/recurring", "recurring", RecurringPage.RenderAsync);
        group.MapGet("/assets/{name}", async context =>
        {
            if (await DashboardAccess.AdmitAsync(context, settings).ConfigureAwait(false)) await Assets.ServeAsync(context, context.Request.RouteValues["name"] as string).ConfigureAwait(false);
        });
        DashboardActions.Map(group, settings);
    }

    /// <summary>
    /// A page: the whole document, or only its live region when the page script asks for it. A page
    /// that fails (the storage is down, say) shows why inside the dashboard's frame, with a 503.
    /// </summary>
    private static RequestDelegate PageEndpoint(DashboardSettings settings, string section, Func<DashboardContext, Task<Page>> render) => async context =>
    {
        if (!await DashboardAccess.AdmitAsync(context, settings).ConfigureAwait(false)) return;
        var dashboard = new DashboardContext(context, settings);
        Page page;
        try
        {
            page = await render(dashboard).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TaskQueueDashboardOptions).Namespace!);
            LogPageFailed(log, context.Request.Path.Value ?? "", e);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            page = new Page("Unavailable", Html.Of($"<h1>Unavailable</h1><p class=\"error\">This page could not be read: {e.GetType().Name}: {e.Message}</p>"));
        }
        SecurityHeaders.Apply(context.Response);
        context.Response.ContentType = "text/html; charset=utf-8";
        var html = context.Request.Headers.ContainsKey(LiveHeader) ? page.Body : Layout.Render(dashboard, section, page);
        await context.Response.WriteAsync(html.ToString(), context.RequestAborted).ConfigureAwait(false);
    };

    [LoggerMessage(3, LogLevel.Error, "TaskQueue dashboard: the page {Path} could not be rendered")]
    private static partial void LogPageFailed(ILogger logger, string path, Exception exception);
}
