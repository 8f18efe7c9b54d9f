using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>This app's periodic tasks with their schedule, last and next run; each can be paused and resumed for every consumer.</summary>
internal static class PeriodicPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var tasks = await d.App.Operations.PeriodicAsync(d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var list = tasks.Count == 0
            ? Markup.Trusted("<p class=\"empty\">This app has no periodic tasks.</p>")
            : Html.Of($"""
                <table class="grid">
                <thead><tr><th>Task</th><th>Queue</th><th>Schedule</th><th>Last run</th><th>Next run</th><th></th></tr></thead>
                <tbody>{Html.Join(tasks, p => Html.Of($"""
                    <tr data-periodic="{p.Name}">
                    <td>{p.Name} {(p.Paused ? Markup.Trusted("<span class=\"badge bad\">paused</span>") : Markup.Empty)}</td><td>{p.Queue}</td><td class="mono">{p.Schedule}</td>
                    <td>{Format.Time(p.LastRun, now)}</td><td>{(p.Paused ? Markup.Trusted("<span class=\"muted\">paused</span>") : Format.Time(p.NextRun, now))}</td>
                    <td class="actions">{(p.Paused ? d.Button("/periodic/resume", "Resume", "name", p.Name) : d.Button("/periodic/pause", "Pause", "name", p.Name, kind: "danger"))}</td>
                    </tr>
                    """))}</tbody>
                </table>
                """);
        return new Page("Periodic", Html.Of($"""
            <h1>Periodic tasks</h1>
            <section class="card">{list}</section>
            <p class="muted">A paused task's occurrences pass without a run and are not caught up when it resumes.</p>
            """));
    }
}
