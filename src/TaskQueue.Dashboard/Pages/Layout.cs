using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>What a page renders: its title and the content of its live region.</summary>
internal sealed record Page(string Title, Markup Body);

/// <summary>The frame around every page: head, navigation, the notice of the last action, the live region, the footer.</summary>
internal static class Layout
{
    private static readonly (string Section, string Path, string Label)[] Sections =
    [
        ("overview", "/", "Overview"),
        ("workers", "/workers", "Workers"),
        ("tasks", "/tasks", "Tasks"),
        ("scheduled", "/scheduled", "Scheduled"),
        ("failures", "/failures", "Failures"),
        ("dead-letters", "/dead-letters", "Dead letters"),
        ("periodic", "/periodic", "Periodic"),
        ("recurring", "/recurring", "Recurring"),
    ];

    public static Markup Render(DashboardContext d, string section, Page page)
    {
        var nav = Html.Join(Sections, s => s.Section == section
            ? Html.Of($"<a href=\"{d.Link(s.Path)}\" aria-current=\"page\">{s.Label}</a>")
            : Html.Of($"<a href=\"{d.Link(s.Path)}\">{s.Label}</a>"));
        int poll = (int)d.Settings.Polling.TotalMilliseconds;
        var mode = d.Settings.ReadOnly ? Markup.Trusted(" · <span class=\"badge\">read-only</span>") : Markup.Empty;
        return Html.Of($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{page.Title} · {d.Settings.Title}</title>
            <link rel="stylesheet" href="{d.Link(Assets.StylesheetPath)}">
            <script src="{d.Link(Assets.ScriptPath)}" defer></script>
            </head>
            <body data-poll="{poll}">
            <header class="top">
            <a class="brand" href="{d.Link("/")}">{d.Settings.Title}</a>
            <nav>{nav}</nav>
            <span class="live" id="live"></span>
            </header>
            {Notices.Render(d.Http.Request.Query)}
            <main id="content" data-page="{section}">
            {page.Body}
            </main>
            <footer>application <b>{d.App.Name}</b> · {d.App.Storage.GetType().Name}{mode}</footer>
            </body>
            </html>
            """);
    }
}
