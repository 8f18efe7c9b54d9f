using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskQueue.Dashboard;

/// <summary>
/// The actions: each a POST of a form with the session's token and at most one field naming what to
/// act on, answered with a redirect back to the page it came from (303), which then shows what was done.
/// </summary>
internal static partial class DashboardActions
{
    private delegate Task<Notice> Act(TaskApp app, string target, CancellationToken cancellationToken);

    public static void Map(IEndpointRouteBuilder group, DashboardSettings settings)
    {
        void Post(string path, string? field, Act act) => group.MapPost(path, Endpoint(settings, path, field, act));

        Post("/dead-letters/requeue", "id", async (app, id, ct) => await app.RequeueDeadLetterAsync(id, ct) ? new Notice("requeued") : Notice.Gone);
        Post("/dead-letters/delete", "id", async (app, id, ct) => await app.DeleteDeadLetterAsync(id, ct) ? new Notice("deleted") : Notice.Gone);
        Post("/dead-letters/requeue-all", null, async (app, _, ct) => new Notice("requeued-all", await app.Operations.RequeueDeadLettersAsync(null, ct)));
        Post("/tasks/revoke", "name", async (app, name, ct) =>
        {
            await app.RevokeTaskAsync(name, cancellationToken: ct);
            return new Notice("revoked");
        });
        Post("/tasks/restore", "name", async (app, name, ct) => await app.RestoreTaskAsync(name, ct) ? new Notice("restored") : new Notice("not-revoked"));
        Post("/instances/revoke", "id", async (app, id, ct) =>
        {
            await app.RevokeByIdAsync(id, cancellationToken: ct);
            return new Notice("revoked");
        });
        Post("/instances/restore", "id", async (app, id, ct) => await app.RestoreByIdAsync(id, ct) ? new Notice("restored") : new Notice("not-revoked"));
        Post("/periodic/pause", "name", (app, name, ct) => PeriodicAsync(app.Operations.PausePeriodicAsync(name, ct), "paused"));
        Post("/periodic/resume", "name", (app, name, ct) => PeriodicAsync(app.Operations.ResumePeriodicAsync(name, ct), "resumed"));
        Post("/recurring/enable", "id", async (app, id, ct) => await app.Recurring.EnableAsync(id, ct) ? new Notice("enabled") : Notice.Gone);
        Post("/recurring/disable", "id", async (app, id, ct) => await app.Recurring.DisableAsync(id, ct) ? new Notice("disabled") : Notice.Gone);
        Post("/recurring/delete", "id", async (app, id, ct) => await app.Recurring.DeleteAsync(id, ct) ? new Notice("deleted") : Notice.Gone);
        Post("/recurring/run", "id", async (app, id, ct) => await app.Operations.RunRecurringNowAsync(id, ct) ? new Notice("run") : Notice.Gone);
    }

    private static async Task<Notice> PeriodicAsync(ValueTask change, string done)
    {
        await change.ConfigureAwait(false);
        return new Notice(done);
    }

    private static RequestDelegate Endpoint(DashboardSettings settings, string action, string? field, Act act) => async context =>
    {
        if (!await DashboardAccess.AdmitAsync(context, settings).ConfigureAwait(false)) return;
        if (settings.ReadOnly)
        {
            await DashboardAccess.RefuseAsync(context, StatusCodes.Status403Forbidden, "This dashboard is read-only: it takes no actions.").ConfigureAwait(false);
            return;
        }
        if (!context.Request.HasFormContentType)
        {
            await DashboardAccess.RefuseAsync(context, StatusCodes.Status400BadRequest, "An action is a form post.").ConfigureAwait(false);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (RequestTokens.Check(context, form) is { } refusal)
        {
            await DashboardAccess.RefuseAsync(context, refusal.Status, refusal.Why).ConfigureAwait(false);
            return;
        }
        string target = field is null ? "" : form[field].ToString().Trim();
        if (field is not null && target.Length == 0)
        {
            await DashboardAccess.RefuseAsync(context, StatusCodes.Status400BadRequest, $"The form has no '{field}'.").ConfigureAwait(false);
            return;
        }
        var app = context.RequestServices.GetRequiredService<TaskApp>();
        var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TaskQueueDashboardOptions).Namespace!);
        Notice notice;
        try
        {
            notice = await act(app, target, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // A periodic task that this app does not have (any more).
            notice = Notice.Gone;
        }
        catch (TaskStorageUnavailableException e)
        {
            LogFailed(log, action, target, e);
            await DashboardAccess.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "The storage did not answer: " + e.Message).ConfigureAwait(false);
            return;
        }
        LogAction(log, action, target, context.User.Identity?.Name ?? "anonymous", context.Connection.RemoteIpAddress?.ToString() ?? "unknown", notice.Key);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = Back(form["back"].ToString(), context.Request.PathBase.ToUriComponent() + settings.Prefix) + notice.ToQuery();
    };

    /// <summary>
    /// Where to go after an action: the page the form came from when it is a page of this dashboard,
    /// else the overview. Never another site (no open redirect).
    /// </summary>
    internal static string Back(string requested, string dashboardBase)
    {
        bool inside = requested.StartsWith(dashboardBase + "/", StringComparison.Ordinal) || requested == dashboardBase;
        bool plain = requested.Length > 0 && !requested.Contains("//", StringComparison.Ordinal)
            && requested.All(c => c is > ' ' and < (char)127 and not '\\' and not '?' and not '#');
        return inside && plain ? requested : dashboardBase + "/";
    }

    [LoggerMessage(1, LogLevel.Information, "TaskQueue dashboard: {Action} '{Target}' by {User} from {Address}: {Outcome}")]
    private static partial void LogAction(ILogger logger, string action, string target, string user, string address, string outcome);

    [LoggerMessage(2, LogLevel.Error, "TaskQueue dashboard: {Action} '{Target}' failed")]
    private static partial void LogFailed(ILogger logger, string action, string target, Exception exception);
}
