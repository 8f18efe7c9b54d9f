using TaskQueue.Dashboard.Rendering;
using TaskQueue.Operations;

namespace TaskQueue.Dashboard.Pages;

/// <summary>
/// The tasks this app knows and those that have counts, with their last hour and day; a task as a
/// whole is revoked or restored here, and one instance by its id.
/// </summary>
internal static class TasksPage
{
    public static async Task<Page> RenderAsync(DashboardContext d)
    {
        var stats = await d.App.Operations.StatisticsAsync(d.Aborted).ConfigureAwait(false);
        var known = d.App.Tasks.All.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var names = known.Keys.Concat(stats.Tasks.Select(r => r.Task!)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var rows = new List<Markup>(names.Count);
        foreach (var name in names)
        {
            known.TryGetValue(name, out var task);
            var counts = stats.Tasks.Where(r => r.Task == name).ToList();
            StatCounts Sum(Func<StatRow, StatCounts> pick) => counts.Aggregate(StatCounts.Zero, (a, r) => Add(a, pick(r)));
            var (hour, day) = (Sum(r => r.LastHour), Sum(r => r.LastDay));
            bool revoked = await d.App.IsTaskRevokedAsync(name, cancellationToken: d.Aborted).ConfigureAwait(false);
            var queue = task?.Queue ?? string.Join(", ", counts.Select(r => r.Queue).Distinct(StringComparer.Ordinal));
            var kind = task is null ? Markup.Trusted("<span class=\"badge\" title=\"counted, but not in this app's catalog\">unknown here</span>")
                : task.Periodic is { } periodic ? Html.Of($"<span class=\"badge\" title=\"periodic\">{periodic.ToString()}</span>") : Markup.Empty;
            var state = revoked ? Markup.Trusted("<span class=\"badge bad\">revoked</span>") : Markup.Empty;
            var action = revoked
                ? d.Button("/tasks/restore", "Restore", "name", name)
                : d.Button("/tasks/revoke", "Revoke", "name", name, confirm: $"Revoke every run of {name} until it is restored?", kind: "danger");
            rows.Add(Html.Of($"""
                <tr data-task="{name}">
                <td>{name} {kind} {state}</td><td>{queue}</td>
                <td class="num">{Format.Count(hour.Enqueued)}</td><td class="num">{Format.Count(hour.Succeeded)}</td><td class="num">{Format.Count(hour.Failed)}</td>
                <td class="num">{Format.Count(day.Succeeded)}</td><td class="num">{Format.Count(day.Failed)}</td>
                <td class="actions">{action}</td>
                </tr>
                """));
        }
        var instance = d.CanAct
            ? Html.Of($"""
                <section class="card"><h2>One instance</h2>
                <form method="post" action="{d.Link("/instances/revoke")}" class="row">{d.FormFields()}
                <label>Task id <input name="id" required autocomplete="off" spellcheck="false" size="34"></label>
                <button type="submit" class="btn danger">Revoke</button>
                <button type="submit" class="btn" formaction="{d.Link("/instances/restore")}">Restore</button>
                </form>
                <p class="muted">A revoked instance is skipped when a worker takes it; one that already started runs on.</p>
                </section>
                """)
            : Markup.Empty;
        return new Page("Tasks", Html.Of($"""
            <h1>Tasks</h1>
            <section class="card">
            <table class="grid">
            <thead>
            <tr><th rowspan="2">Task</th><th rowspan="2">Queue</th><th colspan="3" class="group">Last hour</th><th colspan="2" class="group">Last day</th><th rowspan="2"></th></tr>
            <tr><th class="num">Enqueued</th><th class="num">Succeeded</th><th class="num">Failed</th><th class="num">Succeeded</th><th class="num">Failed</th></tr>
            </thead>
            <tbody>{Html.Join(rows, r => r)}</tbody>
            </table>
            </section>
            {instance}
            """));
    }

    private static StatCounts Add(StatCounts a, StatCounts b)
        => new(a.Enqueued + b.Enqueued, a.Started + b.Started, a.Succeeded + b.Succeeded, a.Failed + b.Failed, a.Retried + b.Retried, a.DeadLettered + b.DeadLettered);
}
