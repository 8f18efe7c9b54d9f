using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>Scheduled messages (delayed tasks and retries waiting for their time), soonest first.</summary>
internal static class ScheduledPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var scheduled = await d.App.Operations.ScheduledAsync(d.Settings.PageSize, d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var list = scheduled.Count == 0
            ? Markup.Trusted("<p class=\"empty\">Nothing is scheduled.</p>")
            : Html.Of($"""
                <table class="grid messages">
                <thead><tr><th>Due</th><th>Task</th><th>Queue</th><th>Arguments</th><th class="num">Retries</th><th></th></tr></thead>
                <tbody>{Html.Join(scheduled, m => Html.Of($"""
                    <tr data-task-id="{m.Id}"><td>{Format.Time(m.Eta, now)}</td><td>{MessageRows.Task(m)}</td><td><a href="{d.QueueLink(m.Queue)}">{m.Queue}</a></td><td>{MessageRows.Arguments(m)}</td><td class="num">{m.RetriesLeft}</td><td class="actions">{MessageRows.Revoke(d, m)}</td></tr>
                    """))}</tbody>
                </table>
                """);
        return new Page("Scheduled", Html.Of($"""
            <h1>Scheduled</h1>
            <section class="card"><h2>Soonest first <span class="count">{scheduled.Count}</span></h2>{list}</section>
            """));
    }
}
