using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard;

/// <summary>What a page needs while it renders: the app, the settings, where the dashboard lives, and the session's form token.</summary>
internal sealed class DashboardContext
{
    public DashboardContext(HttpContext http, DashboardSettings settings)
    {
        Http = http;
        Settings = settings;
        App = http.RequestServices.GetRequiredService<TaskApp>();
        Base = http.Request.PathBase.ToUriComponent() + settings.Prefix;
        Token = settings.ReadOnly ? "" : RequestTokens.Issue(http, Base);
    }

    public HttpContext Http { get; }

    public DashboardSettings Settings { get; }

    public TaskApp App { get; }

    /// <summary>The dashboard's path: the app's path base and the mapped prefix ("" at the root).</summary>
    public string Base { get; }

    /// <summary>The form token of this browser session; empty in read-only mode.</summary>
    public string Token { get; }

    public CancellationToken Aborted => Http.RequestAborted;

    public bool CanAct => !Settings.ReadOnly;

    /// <summary>A link to a page of the dashboard (<paramref name="path"/> starts with '/').</summary>
    public string Link(string path) => Base + path;

    /// <summary>A link to one queue's page.</summary>
    public string QueueLink(string queue) => Link("/queues/" + Uri.EscapeDataString(queue));

    /// <summary>
    /// A button that posts one action: the form carries the session's token, the page to come back to,
    /// and the action's one field (<paramref name="field"/> = <paramref name="value"/>) if any.
    /// <paramref name="confirm"/> asks before posting (the script does). Nothing in read-only mode.
    /// </summary>
    public Markup Button(string action, string label, string? field = null, string? value = null, string? confirm = null, string kind = "")
    {
        if (!CanAct) return Markup.Empty;
        var hidden = field is null ? Markup.Empty : Html.Of($"<input type=\"hidden\" name=\"{field}\" value=\"{value}\">");
        var ask = confirm is null ? Markup.Empty : Html.Of($" data-confirm=\"{confirm}\"");
        return Html.Of($"<form method=\"post\" action=\"{Link(action)}\" class=\"inline\"{ask}>{FormFields()}{hidden}<button type=\"submit\" class=\"btn {kind}\">{label}</button></form>");
    }

    /// <summary>The hidden fields every action form carries (the token, and this page, escaped, to come back to), for forms with inputs of their own.</summary>
    public Markup FormFields()
        => Html.Of($"<input type=\"hidden\" name=\"{RequestTokens.FieldName}\" value=\"{Token}\"><input type=\"hidden\" name=\"back\" value=\"{(Http.Request.PathBase + Http.Request.Path).ToUriComponent()}\">");

    /// <summary>When the page reads "now": the storage's clock, as the times it shows are.</summary>
    public async ValueTask<DateTimeOffset> NowAsync() => await App.Storage.GetTimeAsync(Aborted).ConfigureAwait(false);
}
