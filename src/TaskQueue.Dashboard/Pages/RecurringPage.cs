using TaskQueue.Dashboard.Rendering;

namespace TaskQueue.Dashboard.Pages;

/// <summary>Recurring records with their schedule, arguments, next and last run and state; each can be run now, enabled, disabled or deleted.</summary>
internal static class RecurringPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var records = await d.App.Recurring.ListAsync(d.Settings.PageSize, d.Aborted).ConfigureAwait(false);
        var now = await d.NowAsync().ConfigureAwait(false);
        var list = records.Count == 0
            ? Markup.Trusted("<p class=\"empty\">No recurring records.</p>")
            : Html.Of($"""
                <table class="grid messages">
                <thead><tr><th>Label</th><th>Task</th><th>Arguments</th><th>Schedule</th><th>Next run</th><th>Last run</th><th class="num">Runs</th><th></th></tr></thead>
                <tbody>{Html.Join(records.OrderBy(r => r.Label, StringComparer.Ordinal), r => Html.Of($"""
                    <tr data-recurring="{r.Id}" data-enabled="{(r.Enabled ? "true" : "false")}">
                    <td>{r.Label}<br><span class="mono muted">{r.Id}</span> {State(r)}</td>
                    <td>{r.TaskName}</td><td>{Arguments(d, r)}</td>
                    <td class="mono">{r.Schedule}{(r.TimeZone == "UTC" ? "" : " " + r.TimeZone)}</td>
                    <td data-stat="next-run">{Format.Time(r.NextRun, now)}</td><td>{Format.Time(r.LastRun, now)}</td>
                    <td class="num" data-stat="runs">{Format.Count(r.RunCount)}{(r.Iterations > 0 ? " / " + Format.Count(r.Iterations) : "")}</td>
                    <td class="actions">{Actions(d, r)}</td>
                    </tr>
                    """))}</tbody>
                </table>
                """);
        return new Page("Recurring", Html.Of($"""
            <h1>Recurring tasks</h1>
            <section class="card"><h2>Records <span class="count">{records.Count}</span></h2>{list}</section>
            <p class="muted"><b>Running</b>: a worker runs one of its runs now. <b>Busy</b>: a run of a record that allows no overlap is queued or running, so its next occurrences are skipped.</p>
            """));
    }

    private static Markup State(RecurringTask r) => Html.Concat(
        Html.If(!r.Enabled, Markup.Trusted("<span class=\"badge bad\">disabled</span>")),
        Html.If(r.IsSpent, Markup.Trusted("<span class=\"badge\">spent</span>")),
        Html.If(r.Running, Markup.Trusted("<span class=\"badge ok\">running</span>")),
        Html.If(r.Busy, Markup.Trusted("<span class=\"badge\">busy</span>")),
        Html.If(!r.AllowOverlap, Markup.Trusted("<span class=\"badge\" title=\"an occurrence is skipped while a run is queued or running\">no overlap</span>")));

    private static Markup Arguments(DashboardContext d, RecurringTask r)
    {
        if (!d.App.Tasks.TryGet(r.TaskName, out var task)) return Markup.Trusted("<span class=\"muted\">(task not known to this app)</span>");
        return MessageRows.Arguments(task.RenderArguments(r.Arguments));
    }

    private static Markup Actions(DashboardContext d, RecurringTask r) => Html.Concat(
        d.Button("/recurring/run", "Run now", "id", r.Id),
        r.Enabled ? d.Button("/recurring/disable", "Disable", "id", r.Id) : d.Button("/recurring/enable", "Enable", "id", r.Id),
        d.Button("/recurring/delete", "Delete", "id", r.Id, confirm: $"Delete the recurring record {r.Label}?", kind: "danger"));
}
